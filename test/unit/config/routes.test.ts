import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });
const loaded = (text: string): Config => expectLoaded(load(text));
const instance = (body: string) =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n${body}}\n`;
const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'pos' ? undefined : x)));

describe('static_routes and virtual_routes', () => {
  it('reads ip route syntax with keepalived defaults: main table, its protocol 18, prepend', () => {
    const config = loaded(
      `static_routes {\n  src 198.51.100.10 to 203.0.113.0/24 via 198.51.100.1 dev eth0 table 100 metric 5 scope link onlink append\n  blackhole 203.0.113.128/25\n  default via 2001:db8::1 table local\n}\n`,
    );
    assert.deepEqual(plain(config.staticRoutes), [
      {
        type: 'unicast',
        table: 100,
        onlink: true,
        mode: 'append',
        track: true,
        src: '198.51.100.10',
        via: '198.51.100.1',
        dev: 'eth0',
        metric: 5,
        scope: 253,
        family: 4,
        to: { address: '203.0.113.0', prefix: 24 },
        protocol: 18,
      },
      {
        type: 'blackhole',
        table: 254,
        onlink: false,
        mode: 'prepend',
        track: false, // no `dev`: keepalived does not track it
        family: 4,
        to: { address: '203.0.113.128', prefix: 25 },
        protocol: 18,
      },
      {
        type: 'unicast',
        table: 255,
        onlink: false,
        mode: 'prepend',
        track: false,
        via: '2001:db8::1',
        family: 6,
        to: { address: '::', prefix: 0 },
        protocol: 18,
      },
    ]);
  });

  it('reads multipath routes: nexthop groups, and the older `via A or B`', () => {
    const config = loaded(
      instance(
        '  virtual_routes {\n    203.0.113.0/24 nexthop via 198.51.100.1 dev eth0 weight 2 nexthop via 198.51.100.2 onlink\n    203.0.114.0/24 via 198.51.100.3 or 198.51.100.4\n  }\n',
      ),
    );
    const [multi, or] = config.instances[0]!.virtualRoutes;
    assert.deepEqual(multi!.nexthops, [
      { via: '198.51.100.1', dev: 'eth0', weight: 2, onlink: false },
      { via: '198.51.100.2', onlink: true },
    ]);
    assert.deepEqual(or!.nexthops, [
      { via: '198.51.100.3', onlink: false },
      { via: '198.51.100.4', onlink: false },
    ]);
    assert.equal(or!.via, undefined);
  });

  it('keeps a protocol only on an untracked route, as keepalived does', () => {
    const result = load(
      `static_routes {\n  203.0.113.0/24 dev eth0 protocol static\n  203.0.114.0/24 dev eth0 protocol bird no_track\n}\n`,
    );
    const [tracked, untracked] = expectLoaded(result).staticRoutes;
    assert.equal(tracked!.protocol, 18);
    assert.equal(untracked!.protocol, 12);
    expectDiagnostic(result, 'warning', 'mem.conf:2:3', 'add `no_track` to keep protocol 4');
  });

  it('leaves a bad route out with a warning at the word, as keepalived does, and loads the rest', () => {
    const result = load(
      `static_routes {\n  203.0.113.0/24 via 2001:db8::1\n  203.0.113.0/24 metrik 5\n  via 198.51.100.1\n  203.0.113.0/24 table nosuch\n  203.0.113.0/24 dev eth0\n}\n`,
    );
    assert.equal(expectLoaded(result).staticRoutes.length, 1);
    expectDiagnostic(result, 'warning', 'mem.conf:2:22', 'cannot mix IPv4 and IPv6; this route is left out');
    expectDiagnostic(result, 'warning', 'mem.conf:3:18', 'unknown route option `metrik`; did you mean `metric`?');
    expectDiagnostic(result, 'warning', 'mem.conf:4:3', 'a route needs a destination');
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:5:24',
      '`table` must be a number from 0 to 4294967295 or a name in /etc/iproute2/rt_tables (`default`, `main`, `local`), got `nosuch`',
    );
  });

  it('warns about what vigil does not implement: metrics are skipped, encap leaves the route out', () => {
    const result = load(
      `static_routes {\n  203.0.113.0/24 dev eth0 mtu lock 1400 initcwnd 10\n  203.0.114.0/24 dev eth0 encap mpls 100\n}\n`,
    );
    assert.deepEqual(
      expectLoaded(result).staticRoutes.map((r) => r.to.address),
      ['203.0.113.0'],
    );
    expectDiagnostic(result, 'warning', 'mem.conf:2:27', '`mtu` is accepted but not implemented');
    expectDiagnostic(result, 'warning', 'mem.conf:2:41', '`initcwnd` is accepted but not implemented');
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:3:27',
      '`encap` is accepted but not implemented by vigil yet; this route is ignored',
    );
  });
});

describe('static_rules and virtual_rules', () => {
  it('reads ip rule syntax: selectors, actions, fwmark/mask, not', () => {
    const config = loaded(
      instance(
        '  virtual_rules {\n    from 198.51.100.0/24 to 203.0.113.0/24 lookup 100 preference 10\n    not fwmark 0x10/0xff iif eth0 oif eth1 tos 4 priority 20 prohibit\n    to 2001:db8::/32 goto 40 order 30\n  }\n',
      ),
    );
    assert.deepEqual(plain(config.instances[0]!.virtualRules), [
      {
        invert: false,
        track: true,
        from: { address: '198.51.100.0', prefix: 24 },
        to: { address: '203.0.113.0', prefix: 24 },
        table: 100,
        action: 'table',
        priority: 10,
        family: 4,
        protocol: 18,
      },
      {
        invert: true,
        track: true,
        fwmark: 16,
        fwmask: 255,
        iif: 'eth0',
        oif: 'eth1',
        tos: 4,
        priority: 20,
        action: 'prohibit',
        family: 4,
        protocol: 18,
      },
      {
        invert: false,
        track: true,
        to: { address: '2001:db8::', prefix: 32 },
        goto: 40,
        action: 'goto',
        priority: 30,
        family: 6,
        protocol: 18,
      },
    ]);
  });

  it('gives rules without a preference one from 16384 down per family across the file, with a warning', () => {
    const result = load(
      `static_rules {\n  from 198.51.100.0/24 table 1\n  from 2001:db8::/32 table 1\n}\n${instance('  virtual_rules {\n    to 203.0.113.0/24 table 2\n  }\n')}`,
    );
    const config = expectLoaded(result);
    assert.deepEqual(
      [...config.staticRules, ...config.instances[0]!.virtualRules].map((r) => r.priority),
      [16384, 16384, 16383],
    );
    expectDiagnostic(result, 'warning', 'mem.conf:2:3', 'this rule has no `preference`; it gets 16384');
  });

  it('leaves a bad rule out with a warning at the word', () => {
    const result = load(
      `static_rules {\n  to 192.168.100./24 table 1 preference 1\n  from all preference 2\n  from all table 1 nop preference 3\n  from all goto 5 preference 9\n  fwmark 1/-2 table 1 preference 4\n  from all uidrange 1-2 table 1 preference 5\n}\n`,
    );
    assert.equal(expectLoaded(result).staticRules.length, 0);
    expectDiagnostic(result, 'warning', 'mem.conf:2:6', '`to` must be an address with an optional /length');
    expectDiagnostic(result, 'warning', 'mem.conf:3:3', 'a rule needs an action');
    expectDiagnostic(result, 'warning', 'mem.conf:4:20', 'a rule takes one action');
    expectDiagnostic(result, 'warning', 'mem.conf:5:3', 'a `goto` rule needs a `preference` lower than its target');
    expectDiagnostic(result, 'warning', 'mem.conf:6:10', '`fwmark` must be MARK or MARK/MASK');
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:7:12',
      '`uidrange` is accepted but not implemented by vigil yet; this rule is ignored',
    );
    assert.equal(warningsOf(result).length, 6);
  });
});

describe('inet and inet6', () => {
  it('step over the next word, as keepalived 2.2.7 does: last on the line they only set the family', () => {
    const result = load(
      `static_routes {\n  default table 100 inet6\n}\nstatic_rules {\n  inet6 to 2001:db8::/32 table 1 preference 1\n}\n`,
    );
    const config = expectLoaded(result);
    assert.deepEqual(config.staticRoutes[0]!.to, { address: '::', prefix: 0 });
    assert.equal(config.staticRules.length, 0);
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:5:9',
      'keepalived 2.2.7 skips the word after `inet6`, so `to` is ignored',
    );
    expectDiagnostic(result, 'warning', 'mem.conf:5:12', 'unknown rule option `2001:db8::/32`');
  });
});

describe('static_ipaddress', () => {
  it('reads virtual_ipaddress lines', () => {
    const config = loaded(`static_ipaddress {\n  203.0.113.5/24 dev eth1 label eth1:5\n  2001:db8::5/64 dev eth1\n}\n`);
    assert.deepEqual(plain(config.staticAddresses), [
      { address: '203.0.113.5', prefix: 24, family: 4, dev: 'eth1', label: 'eth1:5' },
      { address: '2001:db8::5', prefix: 64, family: 6, dev: 'eth1' },
    ]);
  });
});
