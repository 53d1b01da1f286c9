// The real LVS-DR path with vigild programming the director: client → director (VIP, IPVS DR
// from keepalived.conf) → real servers answering the client directly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { ipv4Of, type NodeName } from '../../lab/lab.js';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { StatusResponse } from '../../src/api/schema.js';
import { DIRECTOR, destinationRows, LvsLab, outsideVm, VIP } from './lvs-lab.js';

const config = (realServers: NodeName[], persistence = 0) => `virtual_server ${VIP} 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  persistence_timeout ${persistence}
${realServers.map((node) => `  real_server ${ipv4Of(node)} 80 {\n    weight 1\n  }`).join('\n')}
}
`;

describe('LVS-DR programmed by vigild', { skip: outsideVm }, () => {
  const lab = new LvsLab();
  const daemon = new DaemonProcess({ netns: lab.ns(DIRECTOR) });

  before(async () => {
    await lab.upDr(2);
    await lab.serveHttp();
    daemon.writeConfig(config(['r2', 'r3']));
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('requests to the VIP spread across both real servers', async () => {
    const names = await lab.fetchVip(6);
    assert.deepEqual(new Set(names), new Set(['r2', 'r3']), `answers: ${names.join(', ')}`);
  });

  test('a real server removed from the config gets no new connections after a reload', async () => {
    daemon.writeConfig(config(['r2']));
    const { code, stderr } = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    const names = await lab.fetchVip(6);
    assert.deepEqual(new Set(names), new Set(['r2']), `answers: ${names.join(', ')}`);
  });

  test('status counts what ipvsadm counts: --stats --exact and --persistent-conn', async () => {
    daemon.writeConfig(config(['r2', 'r3'], 60));
    assert.equal((await vigil(['reload', '--socket', daemon.socket])).code, 0);
    const names = await lab.fetchVip(4);
    assert.equal(new Set(names).size, 1, `persistence sends one client to one server: ${names.join(', ')}`);
    // The kernel folds its per-CPU counters into what it reports every 2 s: once a fold has
    // happened after the last packet, every read agrees.
    await new Promise((r) => setTimeout(r, 2500));
    /** `ipvsadm -Ln FLAGS`: each destination's numbers, by ADDRESS:PORT. */
    const columns = async (flags: string[]) =>
      new Map(
        [...(await destinationRows(flags, lab.ns(DIRECTOR)))].map(([address, numbers]) => [
          address,
          numbers.map(Number),
        ]),
      );
    const { stats, persistent, realServers } = await steadyReads(columns, daemon.socket);
    for (const rs of realServers) {
      const kernel = rs.kernel!;
      const at = `${rs.address}:${rs.port}`;
      assert.deepEqual(
        [
          kernel.stats.connections,
          kernel.stats.packetsIn,
          kernel.stats.packetsOut,
          kernel.stats.bytesIn,
          kernel.stats.bytesOut,
        ],
        stats.get(at),
        `--stats of ${at}`,
      );
      assert.deepEqual(
        [kernel.weight, kernel.persistConns, kernel.activeConns, kernel.inactiveConns],
        persistent.get(at),
        `--persistent-conn of ${at}`,
      );
    }
    assert.equal(
      realServers.reduce((n, rs) => n + rs.kernel!.persistConns, 0),
      1,
      'one persistence template',
    );
  });
});

type Columns = (flags: string[]) => Promise<Map<string, number[]>>;

/**
 * ipvsadm's figures, then status, then ipvsadm's again, until both ipvsadm reads agree: the
 * earlier tests' connections leave the inactive count as they time out, at any moment, so one
 * read on each side may see a connection the other does not.
 */
async function steadyReads(columns: Columns, socket: string) {
  for (let attempt = 1; ; attempt++) {
    const stats = await columns(['--stats', '--exact']);
    const persistent = await columns(['--persistent-conn']);
    const { stdout } = await vigil(['status', '--json', '--socket', socket]);
    const realServers = StatusResponse.parse(JSON.parse(stdout)).virtualServers[0]!.realServers;
    const steady =
      isDeepStrictEqual(stats, await columns(['--stats', '--exact'])) &&
      isDeepStrictEqual(persistent, await columns(['--persistent-conn']));
    if (steady || attempt === 5) return { stats, persistent, realServers };
  }
}
