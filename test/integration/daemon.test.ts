// vigild and vigil as separate processes over the real unix sockets: start, status, reloads by
// SIGHUP and by API, hostile clients, and a clean stop.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, vigilBin, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { VigilClient } from '../../src/api/client.js';
import { type DaemonEvent, ErrorResponse, StatusResponse } from '../../src/api/schema.js';
import { skipWithout, unreadableByNobody } from '../helpers/needs.js';

const GOOD = `global_defs {
  router_id lb-test
}

vrrp_instance VI_WEB {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    198.51.100.10/24 dev eth0
  }
}

virtual_server 198.51.100.10 80 {
  delay_loop 5
  lb_algo wrr
  lb_kind DR
  protocol TCP
  real_server 203.0.113.21 80 {
    weight 2
    TCP_CHECK {
      connect_timeout 3
    }
  }
  real_server 203.0.113.22 80 {
    weight 1
  }
}
`;

// The same plus a second instance, so an accepted reload is visible in status.
const GOOD_2 = `${GOOD}
vrrp_instance VI_DB {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority 100
  virtual_ipaddress {
    198.51.100.20/24
  }
}
`;

// Line 8 misspells virtual_router_id (so the instance at 5:15 lacks one); line 9 has an
// out-of-range priority.
const BAD = GOOD.replace('  virtual_router_id 51\n  priority 150', '  virtual_routr_id 51\n  priority 300');

/** Sends raw bytes on a unix socket and returns whatever comes back before the server closes. */
function rawExchange(socket: string, payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    let reply = '';
    conn.on('data', (d) => (reply += d));
    conn.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET'
        ? resolve(reply)
        : reject(err),
    );
    conn.on('close', () => resolve(reply));
    conn.write(payload, () => conn.end());
  });
}

function request(socket: string, method: string, urlPath: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * 203.0.113.21 answers on port 80 inside r1, where vigild runs, so that its TCP_CHECK has one
 * right outcome: up.
 */
async function listenOnRealServer(lab: Lab): Promise<void> {
  await lab.exec('r1', ['ip', 'addr', 'add', '203.0.113.21/32', 'dev', 'lo']);
  const server =
    "require('net').createServer((s) => s.end()).listen(80, '203.0.113.21', () => console.log('listening'))";
  const listener = lab.spawn('r1', [process.execPath, '-e', server]);
  let output = '';
  listener.stdout!.on('data', (chunk) => (output += chunk));
  listener.stderr!.on('data', (chunk) => (output += chunk));
  await waitFor('the real server to listen', () => {
    if (listener.exitCode !== null) throw new Error(`the real server exited: ${output}`);
    return output.includes('listening');
  });
}

/**
 * Alone on its network, VI_WEB starts as BACKUP and takes over after Master_Down_Interval
 * (3.6 s); the first TCP_CHECK runs within its warmup (up to delay_loop, 5 s). Waits for both,
 * so that status has one right answer.
 */
async function settled(daemon: DaemonProcess): Promise<void> {
  const client = new VigilClient({ socket: daemon.socket });
  let status: StatusResponse | undefined;
  try {
    await pollUntil(
      async () => {
        status = await client.status();
        return (
          status.instances[0]?.state === 'MASTER' && status.virtualServers[0]?.realServers[0]?.lastCheck !== undefined
        );
      },
      () =>
        `VI_WEB is not MASTER with a first check of 203.0.113.21 done: ${JSON.stringify({
          instance: status?.instances[0]?.lastTransition,
          realServer: status?.virtualServers[0]?.realServers[0],
        })}\n${daemon.log}`,
      15_000,
    );
  } finally {
    await client.close();
  }
}

// vigild runs VRRP for real, so it runs on a router of a namespace lab, never on the host.
const skipAsNobody = await skipWithout(unreadableByNobody(vigilBin));

describe('vigild with vigil over the control socket', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const { configPath } = daemon;

  before(async () => {
    await lab.up(1);
    await listenOnRealServer(lab);
    daemon.writeConfig(GOOD);
    await daemon.start();
    await settled(daemon);
  });

  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('vigil status --json prints the API response, which matches the schema and the config', async () => {
    const { code, stdout, stderr } = await vigil(['status', '--json', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    const status = StatusResponse.parse(JSON.parse(stdout));
    assert.equal(status.daemon.pid, daemon.child.pid);
    assert.equal(status.config.path, configPath);
    assert.equal(status.config.generation, 1);
    assert.deepEqual(
      status.instances.map((i) => [i.name, i.interface, i.vrid, i.priority, i.vips]),
      [['VI_WEB', 'eth0', 51, 150, ['198.51.100.10/24 dev eth0']]],
    );
    assert.equal(status.instances[0]?.source, `${configPath}:5:1`);
    assert.equal(status.instances[0]?.state, 'MASTER');
    assert.equal(status.instances[0]?.masterAddress, '198.51.100.11');
    const [vs] = status.virtualServers;
    assert.equal(vs?.name, '198.51.100.10:80');
    assert.equal(vs?.scheduler, 'wrr');
    assert.deepEqual(
      vs?.realServers.map((r) => [r.address, r.port, r.weight, r.checkers, r.health]),
      [
        ['203.0.113.21', 80, 2, ['TCP_CHECK'], 'up'],
        ['203.0.113.22', 80, 1, [], 'unchecked'],
      ],
    );
  });

  test('vigil status prints aligned tables and takes the socket from VIGIL_SOCKET', async () => {
    const { code, stdout } = await vigil(['status'], { VIGIL_SOCKET: daemon.socket });
    assert.equal(code, 0);
    assert.match(stdout, /^vigild \S+ {2}pid \d+ {2}up \d+s/);
    assert.match(stdout, /^NAME +INTERFACE +VRID +VER +STATE +PRIO +EFFECTIVE +ADVERT +MASTER/m);
    assert.match(
      stdout,
      /^VI_WEB +eth0 +51 +v2 +MASTER +150 +150 +1s +198\.51\.100\.11 +- +198\.51\.100\.10\/24 dev eth0$/m,
    );
    assert.match(stdout, /^ {2}VI_WEB: BACKUP -> MASTER at .*: master down timer expired \(no advert received/m);
    assert.match(stdout, /^198\.51\.100\.10:80 +TCP +wrr +DR +- +203\.0\.113\.21:80 +- +- +- +up +TCP_CHECK$/m);
    assert.match(stdout, /^ +203\.0\.113\.22:80 +- +- +- +unchecked +-$/m);
    // This kernel has no IPVS: said once, clearly, and VRRP runs on.
    assert.match(stdout, /^ {2}IPVS UNAVAILABLE: .*VRRP is unaffected/m);
  });

  test('sockets have the documented modes, and a pid file names the daemon', () => {
    assert.equal(statSync(daemon.socket).mode & 0o777, 0o660);
    assert.equal(statSync(daemon.readOnlySocket).mode & 0o777, 0o666);
    assert.equal(statSync(daemon.pidFile).isFile(), true);
  });

  test('the read-only socket serves status but refuses changes', async () => {
    const status = await request(daemon.readOnlySocket, 'GET', '/v1/status');
    assert.equal(status.status, 200);
    const reload = await request(daemon.readOnlySocket, 'POST', '/v1/reload', '{}', {
      'content-type': 'application/json',
    });
    assert.equal(reload.status, 403);
    assert.equal(ErrorResponse.parse(JSON.parse(reload.body)).error.code, 'read_only');
  });

  test('an unprivileged user reads status through the read-only socket but cannot reload', {
    skip: skipAsNobody,
  }, async () => {
    const nobody = { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/nonexistent' } };
    // As /run/vigil is: others may traverse the socket directory.
    chmodSync(daemon.dir, 0o755);
    const status = spawnSync(process.execPath, [vigilBin, 'status', '--json', '--socket', daemon.socket], {
      ...nobody,
      encoding: 'utf8',
    });
    assert.equal(status.status, 0, status.stderr);
    assert.equal(StatusResponse.parse(JSON.parse(status.stdout)).daemon.pid, daemon.child.pid);
    const reload = spawnSync(process.execPath, [vigilBin, 'reload', '--socket', daemon.socket], {
      ...nobody,
      encoding: 'utf8',
    });
    assert.equal(reload.status, 3);
    assert.match(reload.stderr, /permission denied on .*vigil\.sock: changes need root or the control socket's group/);
  });

  test('the event stream carries vrrp.stats and ipvs.stats every 2 s: advert counters move, health and latency come without IPVS', async () => {
    const client = new VigilClient({ socket: daemon.socket });
    const abort = new AbortController();
    const vrrpStats: Extract<DaemonEvent, { type: 'vrrp.stats' }>[] = [];
    const ipvsStats: Extract<DaemonEvent, { type: 'ipvs.stats' }>[] = [];
    const reading = (async () => {
      for await (const event of client.events(abort.signal)) {
        if (event.type === 'vrrp.stats') vrrpStats.push(event);
        if (event.type === 'ipvs.stats') ipvsStats.push(event);
        if (vrrpStats.length >= 2 && ipvsStats.length >= 1) break;
      }
    })();
    await reading;
    abort.abort();
    await client.close();
    const [first, second] = vrrpStats.map((e) => StatusResponse.shape.instances.parse(e.instances)[0]!);
    assert.equal(first?.state, 'MASTER');
    assert.equal(first?.masterPriority, 150, 'a master hears itself: its own priority');
    assert.ok(second!.counters.advertsSent > first!.counters.advertsSent, 'adverts sent move between two vrrp.stats');
    const rs = ipvsStats[0]!.virtualServers[0]!.realServers[0]!;
    assert.equal(rs.health, 'up');
    assert.equal(typeof rs.lastCheck?.latencyMs, 'number', 'the check latency rides on ipvs.stats with no IPVS here');
  });

  test('SIGHUP with a bad config is rejected, logged with positions, and the running config stays', async () => {
    daemon.writeConfig(BAD);
    daemon.signal('SIGHUP');
    await waitFor('the rejection in the log', () => daemon.log.includes('reload rejected'));
    assert.match(
      daemon.log,
      new RegExp(`${configPath}:8:3: error: .*virtual_routr_id.*did you mean .?virtual_router_id`),
    );
    assert.match(daemon.log, new RegExp(`${configPath}:9:12: error: .*priority`));

    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const status = StatusResponse.parse(JSON.parse(stdout));
    assert.equal(status.config.generation, 1);
    assert.deepEqual(
      status.instances.map((i) => i.name),
      ['VI_WEB'],
    );
    const rejected = status.config.lastRejectedReload;
    assert.ok(rejected, 'status reports the rejected reload');
    assert.deepEqual(
      rejected.errors.map((e) => `${e.line}:${e.col}`),
      ['5:15', '8:3', '9:12'],
    );
    const table = await vigil(['status', '--socket', daemon.socket]);
    assert.match(table.stdout, /last reload at .* was REJECTED \(3 error\(s\)\)/);
  });

  test('SIGHUP with a good config applies it, logs the changes and emits config.reloaded on the event stream', async () => {
    const client = new VigilClient({ socket: daemon.socket });
    const abort = new AbortController();
    const seen: DaemonEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events(abort.signal)) {
        seen.push(event);
        if (event.type === 'config.reloaded') break;
      }
    })();
    await waitFor('the hello event', () => seen.some((e) => e.type === 'hello'));

    daemon.writeConfig(GOOD_2);
    daemon.signal('SIGHUP');
    await reading;
    abort.abort();
    await client.close();
    const reloaded = seen.find((e) => e.type === 'config.reloaded');
    assert.equal(reloaded?.type === 'config.reloaded' && reloaded.generation, 2);
    assert.ok(daemon.log.includes('reload: + instance VI_DB (eth0 VRID 52)'), 'the log lists what SIGHUP changed');

    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const status = StatusResponse.parse(JSON.parse(stdout));
    assert.equal(status.config.generation, 2);
    assert.equal(status.config.lastRejectedReload, undefined);
    assert.deepEqual(
      status.instances.map((i) => i.name),
      ['VI_WEB', 'VI_DB'],
    );
  });

  test('vigil reload reports a rejected config with every error and exits 1; --json prints the API error', async () => {
    daemon.writeConfig(BAD);
    const plain = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /the running config stays in place/);
    assert.match(plain.stderr, new RegExp(`${configPath}:8:3: error:`));
    assert.match(plain.stderr, new RegExp(`${configPath}:9:12: error:`));

    const json = await vigil(['reload', '--json', '--socket', daemon.socket]);
    assert.equal(json.code, 1);
    const body = ErrorResponse.parse(JSON.parse(json.stdout));
    assert.equal(body.error.code, 'config_invalid');
    assert.equal(body.error.diagnostics?.length, 3);

    daemon.writeConfig(GOOD);
    const ok = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^reloaded: generation 3/);
  });

  test('vigil reload --dry-run prints the changes and applies none; vigil reload applies them beside a master', async () => {
    const client = new VigilClient({ socket: daemon.socket });
    const before = await client.status();
    const web = before.instances.find((i) => i.name === 'VI_WEB');
    assert.equal(web?.state, 'MASTER');
    daemon.writeConfig(GOOD_2);
    const dry = await vigil(['reload', '--dry-run', '--socket', daemon.socket]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^valid: a reload would make 2 change\(s\)/);
    assert.match(dry.stdout, /\+ instance VI_DB \(eth0 VRID 52\)/);
    assert.match(dry.stdout, /\+ VIP 198\.51\.100\.20\/24 on eth0 \(VI_DB\)/);
    const unchanged = await client.status();
    assert.equal(unchanged.config.generation, before.config.generation, 'a dry run applies nothing');
    assert.deepEqual(
      unchanged.instances.map((i) => i.name),
      ['VI_WEB'],
    );

    const applied = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`^reloaded: generation ${before.config.generation + 1}`));
    assert.match(applied.stdout, /\+ instance VI_DB/);
    const after = await client.status();
    const webAfter = after.instances.find((i) => i.name === 'VI_WEB');
    assert.equal(webAfter?.state, 'MASTER');
    assert.equal(webAfter?.counters.becameMaster, web?.counters.becameMaster, 'VI_WEB did not flap');
    assert.deepEqual(webAfter?.lastTransition, web?.lastTransition);
    assert.ok(daemon.log.includes('reload: + instance VI_DB'), 'the log lists the changes');
  });

  test('garbage, oversize and malformed requests get 4xx answers and the daemon keeps serving', async () => {
    assert.match(await rawExchange(daemon.socket, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
    assert.match(await rawExchange(daemon.socket, Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])), /^HTTP\/1\.1 400/);
    const hugeHeader = `GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    assert.match(await rawExchange(daemon.socket, hugeHeader), /^HTTP\/1\.1 431/);

    const json = { 'content-type': 'application/json' };
    const cases: [string, string, string | undefined, Record<string, string>, number, string][] = [
      ['POST', '/v1/reload', 'x'.repeat(1024 * 1024), json, 413, 'payload_too_large'],
      ['POST', '/v1/reload', '{"config": ', json, 400, 'bad_request'],
      ['POST', '/v1/reload', '{"unexpected": 1}', json, 400, 'bad_request'],
      ['POST', '/v1/reload', '{}', { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
      ['GET', '/v1/nothing', undefined, {}, 404, 'not_found'],
      ['DELETE', '/v1/status', undefined, {}, 405, 'method_not_allowed'],
    ];
    for (const [method, urlPath, body, headers, status, code] of cases) {
      const res = await request(daemon.socket, method, urlPath, body, headers).catch((err: Error) => ({
        status: -1,
        body: err.message,
      }));
      assert.equal(res.status, status, `${method} ${urlPath}: ${res.body}`);
      assert.equal(ErrorResponse.parse(JSON.parse(res.body)).error.code, code);
    }

    // A client that connects and says nothing must not block others.
    const idle = net.connect(daemon.socket);
    const { code } = await vigil(['status', '--socket', daemon.socket]);
    idle.destroy();
    assert.equal(code, 0);
    assert.equal(daemon.child.exitCode, null, 'vigild is still running');
  });

  test('a second vigild on the same socket refuses to start and leaves the first alone', async () => {
    const second = new DaemonProcess({ dir: daemon.dir });
    const code = await second.startExpectingExit();
    assert.equal(code, 1);
    assert.match(second.log, /already running as pid|already serving/);
    const { code: statusCode } = await vigil(['status', '--socket', daemon.socket]);
    assert.equal(statusCode, 0);
  });

  test('SIGTERM stops cleanly and removes the sockets and the pid file', async () => {
    const code = await daemon.stop();
    assert.equal(code, 0);
    assert.equal(existsSync(daemon.socket), false);
    assert.equal(existsSync(daemon.readOnlySocket), false);
    assert.equal(existsSync(daemon.pidFile), false);
    assert.match(daemon.log, /vigild stopped/);
  });
});

describe('vigil and vigild at the edges', () => {
  test('vigil status with no daemon says so in one line naming the socket, and exits 3', async () => {
    const socket = '/tmp/vigil-test-nothing-here.sock';
    const { code, stdout, stderr } = await vigil(['status', '--socket', socket]);
    assert.equal(code, 3);
    assert.equal(stdout, '');
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /vigild is not answering on \/tmp\/vigil-test-nothing-here\.sock: no such socket.*--socket/);
  });

  test('vigild refuses to start on an invalid config, logging every error with its position', async () => {
    const daemon = new DaemonProcess();
    const { configPath } = daemon;
    try {
      daemon.writeConfig(BAD);
      const code = await daemon.startExpectingExit();
      assert.equal(code, 1);
      assert.match(daemon.log, new RegExp(`${configPath}:8:3: error:`));
      assert.match(daemon.log, new RegExp(`${configPath}:9:12: error:`));
      assert.match(daemon.log, /not starting: the config has 3 errors/);
      assert.equal(existsSync(daemon.socket), false);
    } finally {
      await daemon.cleanup();
    }
  });

  test('vigild --all-config refuses a config whose include is missing, as keepalived -e does', async () => {
    const daemon = new DaemonProcess();
    try {
      daemon.writeConfig('include /nonexistent/vigil-optional.conf\n');
      assert.equal(await daemon.startExpectingExit(['--all-config']), 1);
      assert.match(daemon.log, /error: no file `\/nonexistent\/vigil-optional\.conf` to include/);
      assert.match(daemon.log, /not starting: the config has 1 error \(run 'vigil check --config \S+ --all-config'/);
    } finally {
      await daemon.cleanup();
    }
  });

  test('vigild --config-id reads the config as keepalived -i does: only the lines for that id', async () => {
    const refusal = async (configId: string) => {
      const daemon = new DaemonProcess();
      try {
        daemon.writeConfig('@^lb1 bogus_one\n@lb1 bogus_two\n');
        assert.equal(await daemon.startExpectingExit(['--config-id', configId]), 1);
        return daemon.log;
      } finally {
        await daemon.cleanup();
      }
    };
    const other = await refusal('lb2');
    assert.match(other, /:1:\d+: error: .*bogus_one/);
    assert.doesNotMatch(other, /bogus_two/);
    assert.match(other, /not starting: the config has 1 error \(run 'vigil check --config \S+ --config-id lb2'/);
    const lb1 = await refusal('lb1');
    assert.match(lb1, /:2:\d+: error: .*bogus_two/);
    assert.doesNotMatch(lb1, /bogus_one/);
  });

  test('vigild rejects unknown flags with usage and exit 2', async () => {
    const daemon = new DaemonProcess({ configPath: '/nonexistent.conf' });
    try {
      const code = await daemon.startExpectingExit(['--bogus']);
      assert.equal(code, 2);
      assert.match(daemon.log, /Unknown option '--bogus'[\s\S]*Usage: vigild/);
    } finally {
      await daemon.cleanup();
    }
  });
});
