// UDP_CHECK and PING_CHECK against real hosts: probes run in namespace A, a UDP responder and
// the pinged host in namespace B, over IPv4 and IPv6; then both checkers through a real vigild.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DaemonProcess, vigil, waitFor } from '../../../lab/processes.js';
import { pollUntil } from '../../../lab/routers.js';
import { StatusResponse } from '../../../src/api/schema.js';
import type { CheckOutcome } from '../../../src/check/verdict.js';
import { createVethPair, skipWithoutNamespaces, type VethPair } from '../net/namespaces.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const PORT = 7001;
const CLOSED_PORT = 7009;

function startResponder(namespace: string): Promise<ChildProcess> {
  const child = spawn('ip', [
    'netns',
    'exec',
    namespace,
    process.execPath,
    path.join(fixtures, 'udp-responder.js'),
    `${PORT}`,
  ]);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return waitFor('the UDP responder', () => out.includes('udp4') && out.includes('udp6') && child);
}

async function probe(namespace: string, kind: 'udp' | 'ping', target: object): Promise<CheckOutcome> {
  const { stdout } = await promisify(execFile)('ip', [
    'netns',
    'exec',
    namespace,
    process.execPath,
    path.join(fixtures, 'probe.js'),
    kind,
    JSON.stringify(target),
  ]);
  return JSON.parse(stdout) as CheckOutcome;
}

/** Makes B ignore (or answer again) echo requests over both families. */
function ignoreEcho(namespace: string, ignore: boolean): void {
  const value = ignore ? '1' : '0';
  for (const key of ['net.ipv4.icmp_echo_ignore_all', 'net.ipv6.icmp.echo_ignore_all'])
    execFileSync('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', `${key}=${value}`]);
}

describe('UDP_CHECK and PING_CHECK probes', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let responder: ChildProcess;
  before(async () => {
    pair = await createVethPair();
    responder = await startResponder(pair.b.namespace);
  });
  after(() => {
    responder?.kill();
    pair?.destroy();
  });
  const udp = (host: string, port: number, extra: object = {}) =>
    probe(pair.a.namespace, 'udp', {
      host,
      port,
      family: host.includes(':') ? 6 : 4,
      payload: '6869',
      timeoutMs: 1000,
      ...extra,
    });
  const ping = (host: string) =>
    probe(pair.a.namespace, 'ping', { host, family: host.includes(':') ? 6 : 4, timeoutMs: 1000 });
  const reply = (pattern?: string, maxLength = 255) => ({
    reply: { ...(pattern && { pattern }), minLength: 0, maxLength },
  });

  for (const family of ['ipv4', 'ipv6'] as const) {
    test(`${family}: a reply matching require_reply is up; a wrong one is down with the byte that differs`, async () => {
      const host = pair.b[family];
      assert.equal((await udp(host, PORT, reply('6f6b3a6869'))).ok, true);
      const wrong = await udp(host, PORT, reply('6f6b3a6868'));
      assert.equal(wrong.ok, false);
      assert.equal(wrong.ok || wrong.reason, 'reply does not match require_reply: byte 5 is 69, expected 68');
      const long = await udp(host, PORT, reply(undefined, 4));
      assert.equal(long.ok || long.reason, 'reply of 5 bytes is longer than max_reply_length 4');
    });

    test(`${family}: nothing listening is down at once: ICMP port unreachable`, async () => {
      const outcome = await udp(pair.b[family], CLOSED_PORT);
      assert.equal(outcome.ok || outcome.reason, 'ICMP port unreachable');
      assert.ok(outcome.latencyMs < 900, `reported before the timeout (${outcome.latencyMs} ms)`);
    });

    test(`${family}: a silent server is up without require_reply, down with it`, async () => {
      responder.stdin!.write('silent\n');
      try {
        assert.equal((await udp(pair.b[family], PORT)).ok, true);
        const outcome = await udp(pair.b[family], PORT, reply());
        assert.equal(outcome.ok || outcome.reason, 'no reply within 1 s');
      } finally {
        responder.stdin!.write('answer\n');
      }
    });

    test(`${family}: a host that answers ping is up; one that ignores it is down`, async () => {
      assert.equal((await ping(pair.b[family])).ok, true);
      ignoreEcho(pair.b.namespace, true);
      try {
        const outcome = await ping(pair.b[family]);
        assert.equal(outcome.ok || outcome.reason, 'no echo reply within 1 s');
      } finally {
        ignoreEcho(pair.b.namespace, false);
      }
    });
  }

  test('an address with no host behind it: UDP is down (host unreachable), ping times out', async () => {
    const udpOutcome = await udp('198.51.100.9', PORT, { timeoutMs: 5000 });
    assert.equal(udpOutcome.ok || udpOutcome.reason, 'host unreachable');
    const pingOutcome = await ping('198.51.100.9');
    assert.equal(pingOutcome.ok || pingOutcome.reason, 'no echo reply within 1 s');
  });
});

describe('vigild runs UDP_CHECK and PING_CHECK', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let responder: ChildProcess;
  let daemon: DaemonProcess;
  let seen = '';
  const timing = 'connect_timeout 1\n      delay_loop 1\n      warmup 0\n      retry 0';
  async function health() {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const servers = StatusResponse.parse(JSON.parse(stdout)).virtualServers.flatMap((vs) => vs.realServers);
    seen = JSON.stringify(servers.map((rs) => [rs.health, rs.healthReason]));
    return servers.map((rs) => [rs.health, rs.healthReason ?? '']);
  }
  const until = (what: string, expected: string[][]) =>
    pollUntil(
      async () => JSON.stringify(await health()) === JSON.stringify(expected),
      () => `${what}: real servers ${seen}\n${daemon.log}`,
    );

  before(async () => {
    pair = await createVethPair();
    responder = await startResponder(pair.b.namespace);
    daemon = new DaemonProcess({ netns: pair.a.namespace });
    daemon.writeConfig(`virtual_server 203.0.113.80 ${PORT} {
  protocol UDP
  lb_kind DR
  real_server ${pair.b.ipv4} ${PORT} {
    UDP_CHECK {
      payload 6869
      require_reply 6f6b3a
      ${timing}
    }
  }
}
virtual_server 203.0.113.80 80 {
  protocol TCP
  lb_kind DR
  real_server ${pair.b.ipv4} 80 {
    PING_CHECK {
      ${timing}
    }
  }
}
`);
    await daemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
    responder?.kill();
    pair?.destroy();
  });

  test('both up while the server answers', async () => {
    await until('both up', [
      ['up', ''],
      ['up', ''],
    ]);
    assert.doesNotMatch(daemon.log, /not run by vigil/);
  });

  test('a silent UDP server and a host ignoring ping go down with the reason, and come back', async () => {
    responder.stdin!.write('silent\n');
    ignoreEcho(pair.b.namespace, true);
    try {
      await until('both down', [
        ['down', 'UDP_CHECK: no reply within 1 s'],
        ['down', 'PING_CHECK: no echo reply within 1 s'],
      ]);
    } finally {
      responder.stdin!.write('answer\n');
      ignoreEcho(pair.b.namespace, false);
    }
    await until('both back', [
      ['up', ''],
      ['up', ''],
    ]);
  });
});
