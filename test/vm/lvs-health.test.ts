// Health checks driving a real IPVS table and real traffic: vigild on the director checks the real
// servers with TCP_CHECK; a dead server leaves the table (or drops to weight 0 with
// inhibit_on_failure), a pool without quorum hands the traffic to the sorry server, and alpha keeps
// a server out until a check has passed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ipv4Of } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { VigilClient } from '../../src/api/client.js';
import type { DaemonEvent } from '../../src/api/schema.js';
import { StatusResponse } from '../../src/api/schema.js';
import { DIRECTOR, destinationRows, LvsLab, outsideVm, VIP } from './lvs-lab.js';

// One check a second, one failure is enough: the test waits seconds, not minutes.
const TCP_CHECK = 'TCP_CHECK {\n      connect_timeout 1\n      delay_loop 1\n      retry 0\n      warmup 0\n    }';

/** A notify command that appends `word` to the events file. */
const note = (events: string, word: string) => `"/bin/sh -c 'echo ${word} >> ${events}'"`;

const config = (events: string) => `virtual_server ${VIP} 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  sorry_server ${ipv4Of('r4')} 80
  quorum_up ${note(events, 'quorum-up')}
  quorum_down ${note(events, 'quorum-down')}
  omega
  real_server ${ipv4Of('r2')} 80 {
    weight 1
    notify_up ${note(events, 'r2-up')}
    notify_down ${note(events, 'r2-down')}
    ${TCP_CHECK}
  }
  real_server ${ipv4Of('r3')} 80 {
    weight 1
    inhibit_on_failure
    ${TCP_CHECK}
  }
}
virtual_server ${VIP} 8081 {
  protocol TCP
  lb_kind DR
  real_server ${ipv4Of('r3')} 8081 {
    weight 1
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit 9'"
      misc_dynamic
      delay_loop 1
      warmup 0
    }
  }
}
virtual_server ${VIP} 8080 {
  protocol TCP
  lb_kind DR
  alpha
  real_server ${ipv4Of('r2')} 8080 {
    weight 1
    TCP_CHECK {
      connect_timeout 30
      warmup 0
    }
  }
}
`;

describe('health checks drive the IPVS table', { skip: outsideVm }, () => {
  const lab = new LvsLab();
  const daemon = new DaemonProcess({ netns: lab.ns(DIRECTOR) });
  const events = path.join(daemon.dir, 'events');
  const notified = () => (existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n') : []);

  /** The director's destinations of VIP:PORT as `ADDRESS:PORT WEIGHT`. */
  async function destinations(port: number): Promise<string[]> {
    const rows = await destinationRows(['-t', `${VIP}:${port}`], lab.ns(DIRECTOR));
    return [...rows].map(([address, [, weight]]) => `${address} ${weight}`);
  }
  async function settle(port: number, want: string[], what: string): Promise<void> {
    let seen: string[] = [];
    await pollUntil(
      async () => {
        seen = await destinations(port);
        return JSON.stringify(seen) === JSON.stringify(want);
      },
      () => `${what}: the table is ${JSON.stringify(seen)}\n${daemon.log}`,
      15_000,
    );
  }
  async function status(): Promise<StatusResponse> {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    return StatusResponse.parse(JSON.parse(stdout));
  }

  before(async () => {
    await lab.upDr(3);
    await lab.serveHttp();
    // r2 drops what comes to port 8080, so the alpha server's first check hangs for its whole
    // connect_timeout: without alpha the server would be in the table all that time.
    for (const rule of [
      ['add', 'table', 'inet', 'lab'],
      ['add', 'chain', 'inet', 'lab', 'in', '{ type filter hook input priority 0 ; }'],
      ['add', 'rule', 'inet', 'lab', 'in', 'tcp', 'dport', '8080', 'drop'],
    ]) {
      await lab.exec('r2', ['nft', ...rule]);
    }
    daemon.writeConfig(config(events));
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('healthy pool: both real servers serve; the sorry server is out, and so is the alpha server not yet checked; a misc_dynamic weight reaches the kernel', async () => {
    await settle(80, [`${ipv4Of('r2')}:80 1`, `${ipv4Of('r3')}:80 1`], 'both real servers in');
    assert.deepEqual(new Set(await lab.fetchVip(6)), new Set(['r2', 'r3']));
    assert.deepEqual(await destinations(8080), []);
    await settle(8081, [`${ipv4Of('r3')}:8081 7`], 'misc_dynamic: exit 9 is weight 7 in the kernel');
    const s = await status();
    assert.deepEqual(
      s.virtualServers[0]!.realServers.map((r) => r.health),
      ['up', 'up'],
    );
    assert.equal(s.virtualServers[2]!.realServers[0]!.health, 'down');
    assert.match(
      s.virtualServers[2]!.realServers[0]!.healthReason ?? '',
      /TCP_CHECK: not checked yet \(alpha: down until a check passes\)/,
    );
  });

  test('a dead real server leaves the table and gets no new connections; the event stream says so', async () => {
    const client = new VigilClient({ socket: daemon.socket });
    const abort = new AbortController();
    const seen: DaemonEvent[] = [];
    const r2 = `${ipv4Of('r2')}:80`;
    // Reads until the stream has told of r2 going down and then shown the table without it.
    const reading = (async () => {
      for await (const event of client.events(abort.signal)) {
        seen.push(event);
        if (event.type === 'ipvs.stats' && seen.some((e) => e.type === 'realserver.health' && e.realServer === r2)) {
          if (event.virtualServers[0]!.realServers[0]!.kernel === undefined) break;
        }
      }
    })();
    await waitFor('the hello event', () => seen.some((e) => e.type === 'hello'));
    await lab.stopHttp('r2');
    await settle(80, [`${ipv4Of('r3')}:80 1`], 'r2 out');
    await Promise.race([
      reading,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`events: ${seen.map((e) => e.type).join(' ')}`)), 10_000),
      ),
    ]);
    abort.abort();
    await client.close();
    const down = seen.find((e) => e.type === 'realserver.health');
    assert.deepEqual(down?.type === 'realserver.health' && [down.virtualServer, down.realServer, down.health], [
      `${VIP}:80`,
      r2,
      'down',
    ]);
    // A check whose connection the dying server had accepted into its backlog is reset (the
    // kernel's SO_ERROR, as keepalived reads it); one after it is refused.
    assert.match((down?.type === 'realserver.health' && down.reason) || '', /^TCP_CHECK: connection (refused|reset)$/);
    const stats = seen.findLast((e) => e.type === 'ipvs.stats');
    assert.ok(stats?.type === 'ipvs.stats');
    assert.equal(stats.virtualServers[0]!.realServers[1]!.kernel?.weight, 1);
    assert.deepEqual(new Set(await lab.fetchVip(4)), new Set(['r3']));
    const { stdout } = await vigil(['status', '--socket', daemon.socket]);
    assert.match(stdout, new RegExp(`${ipv4Of('r2')}:80 of ${VIP}:80: down since .*: TCP_CHECK: connection refused`));
    await pollUntil(
      async () => notified().includes('r2-down'),
      () => `notify_down did not run: ${notified().join(' ')}`,
    );
  });

  test('all dead: inhibit_on_failure keeps r3 at weight 0 and the sorry server takes the traffic', async () => {
    await lab.stopHttp('r3');
    await settle(80, [`${ipv4Of('r3')}:80 0`, `${ipv4Of('r4')}:80 1`], 'sorry server in');
    assert.deepEqual(new Set(await lab.fetchVip(3)), new Set(['r4']));
    const vs = (await status()).virtualServers[0]!;
    assert.equal(vs.quorumHolds, false);
    assert.equal(vs.sorryServer?.active, true);
    await pollUntil(
      async () => notified().includes('quorum-down'),
      () => `quorum_down did not run: ${notified().join(' ')}`,
    );
  });

  test('a real server back: quorum regained, the sorry server leaves, traffic returns', async () => {
    await lab.serveHttp(['r2']);
    await settle(80, [`${ipv4Of('r2')}:80 1`, `${ipv4Of('r3')}:80 0`], 'r2 back, sorry server out');
    assert.deepEqual(new Set(await lab.fetchVip(3)), new Set(['r2']));
    assert.match(daemon.log, /regained quorum/);
    await pollUntil(
      async () => notified().includes('quorum-up') && notified().includes('r2-up'),
      () => `quorum_up and notify_up did not run: ${notified().join(' ')}`,
    );
  });

  test('omega: on stop, the down scripts of what was up run', async () => {
    const before = notified().length;
    await daemon.stop();
    assert.deepEqual(notified().slice(before).sort(), ['quorum-down', 'r2-down']);
  });
});
