// DNS_CHECK's bind_if and fwmark over real links: the checker's namespace reaches the server's
// address, 198.51.100.2 / 2001:db8::2, over two links to two namespaces. The main one answers
// NOERROR; the other, reached only by the second link, answers NXDOMAIN. So a query's verdict
// says which link it left by. Then vigild, reading bind_if and fwmark from its configuration.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../../lab/processes.js';
import { pollUntil } from '../../../lab/routers.js';
import { StatusResponse } from '../../../src/api/schema.js';
import type { DnsTarget } from '../../../src/check/dns.js';
import type { CheckOutcome } from '../../../src/check/verdict.js';
import { createVethPair, ip, NetAgent, skipWithoutNamespaces, type VethPair } from './namespaces.js';

/** The routing table that marked packets look up (ip rule fwmark 7). */
const MARKED_TABLE = '100';

describe('DNS_CHECK bind_if and fwmark', { skip: skipWithoutNamespaces }, () => {
  let main: VethPair;
  let other: VethPair;
  let checker: NetAgent;
  const servers: NetAgent[] = [];
  /** The checker's second link, towards other.b. */
  let second: string;

  before(async () => {
    main = await createVethPair();
    other = await createVethPair();
    second = other.a.link;
    // other.a's end of the second pair moves into the checker's namespace (it comes over down, without addresses).
    ip('-n', other.a.namespace, 'link', 'set', second, 'netns', main.a.namespace);
    ip('netns', 'exec', main.a.namespace, 'sysctl', '-qw', `net.ipv6.conf.${second}.accept_dad=0`);
    ip('-n', main.a.namespace, 'addr', 'add', `${main.a.ipv4}/24`, 'dev', second);
    ip('-n', main.a.namespace, 'addr', 'add', `${main.a.ipv6}/64`, 'dev', second, 'nodad');
    ip('-n', main.a.namespace, 'link', 'set', second, 'up');
    for (const family of ['-4', '-6']) {
      const prefix = family === '-4' ? '198.51.100.0/24' : '2001:db8::/64';
      ip('-n', main.a.namespace, family, 'rule', 'add', 'fwmark', '7', 'lookup', MARKED_TABLE);
      ip('-n', main.a.namespace, family, 'route', 'add', prefix, 'dev', second, 'table', MARKED_TABLE);
    }
    checker = await NetAgent.start(main.a.namespace);
    for (const [pair, mode] of [
      [main, 'ok'],
      [other, 'nxdomain'],
    ] as const) {
      const agent = await NetAgent.start(pair.b.namespace);
      servers.push(agent);
      await agent.call('responder.dns', { address: pair.b.ipv4, port: 53, mode });
      await agent.call('responder.dns', { address: pair.b.ipv6, port: 53, mode });
    }
  });
  after(async () => {
    await checker?.stop();
    for (const agent of servers) await agent.stop();
    main?.destroy();
    other?.destroy();
  });

  const verdict = async (host: string, extra: Partial<DnsTarget>) => {
    const target: DnsTarget = { host, port: 53, timeoutMs: 1000, name: 'www.example.net', queryType: 'A', ...extra };
    const outcome = await checker.call<CheckOutcome>('check.dns', { target });
    return outcome.ok ? 'passed' : outcome.reason;
  };

  for (const family of ['ipv4', 'ipv6'] as const) {
    test(`${family}: bind_if sends the query out of the named interface`, async () => {
      const host = main.b[family];
      assert.equal(await verdict(host, {}), 'passed', 'without bind_if the main link is taken');
      assert.equal(await verdict(host, { bindIf: main.a.link }), 'passed');
      assert.equal(await verdict(host, { bindIf: second }), 'the server answered NXDOMAIN');
    });

    test(`${family}: fwmark marks the query, and a rule on the mark routes it over the second link`, async () => {
      const host = main.b[family];
      assert.equal(await verdict(host, { fwmark: 8 }), 'passed');
      assert.equal(await verdict(host, { fwmark: 7 }), 'the server answered NXDOMAIN');
    });
  }

  test('an interface that does not exist is down at once, saying so', async () => {
    const started = performance.now();
    assert.equal(
      await verdict(main.b.ipv4, { bindIf: 'nosuch0' }),
      'cannot bind to interface nosuch0: no such interface',
    );
    assert.ok(performance.now() - started < 900, 'before connect_timeout');
  });

  test('bind_if goes with bindto and bind_port', async () => {
    assert.equal(
      await verdict(main.b.ipv4, { bindIf: second, bindTo: main.a.ipv4, bindPort: 4053 }),
      'the server answered NXDOMAIN',
    );
    assert.equal(await verdict(main.b.ipv4, { bindIf: main.a.link, bindTo: main.a.ipv4, bindPort: 4053 }), 'passed');
  });

  describe('vigild', () => {
    let daemon: DaemonProcess;
    let seen = '';
    const health = async () => {
      const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
      const servers = StatusResponse.parse(JSON.parse(stdout)).virtualServers.flatMap((vs) => vs.realServers);
      seen = JSON.stringify(servers.map((rs) => [rs.health, rs.healthReason ?? '']));
      return seen;
    };
    /** One virtual server per DNS_CHECK, all with the same real server. */
    const config = (...options: string[]) =>
      options
        .map(
          (option, i) => `virtual_server 203.0.113.${80 + i} 53 {
  protocol UDP
  lb_kind DR
  real_server ${main.b.ipv4} 53 {
    DNS_CHECK {
      type A
      name www.example.net
      ${option}
      connect_timeout 1
      delay_loop 1
      warmup 0
      retry 0
    }
  }
}
`,
        )
        .join('');

    before(async () => {
      daemon = new DaemonProcess({ netns: main.a.namespace });
      daemon.writeConfig(config(`bind_if ${main.a.link}`, `bind_if ${second}`, 'fwmark 7', 'bind_if nosuch0'));
      await daemon.start();
    });
    after(() => daemon?.cleanup());

    test('takes bind_if and fwmark from DNS_CHECK: each server is judged by the link its query left by', async () => {
      const expected = JSON.stringify([
        ['up', ''],
        ['down', 'DNS_CHECK: the server answered NXDOMAIN'],
        ['down', 'DNS_CHECK: the server answered NXDOMAIN'],
        ['down', 'DNS_CHECK: cannot bind to interface nosuch0: no such interface'],
      ]);
      await pollUntil(
        async () => (await health()) === expected,
        () => `real servers ${seen}\n${daemon.log}`,
      );
    });
  });
});
