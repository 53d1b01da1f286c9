// Names of /etc/iproute2 in route and rule lines, resolved as keepalived 2.2.7 resolves them
// (lib/rttables.c): its own files' lines of exactly two words, its built-in names for the ids
// the files leave out, and a name it cannot find is a bad word that leaves the line out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { parseNameFile, RouteNames, withDefaults } from '../../../src/config/iproute2-names.js';
import { routeRequest, ruleRequest } from '../../../src/net/route-codec.js';
import { expectDiagnostic, expectLoaded } from './assert-diagnostics.js';

const files = (extra: Record<string, string> = {}) =>
  createMemoryReader({
    '/etc/iproute2/rt_tables':
      '255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n#1\tinr.ruhep\n100 vip\n0x65 "back up"\n',
    '/etc/iproute2/rt_protos': '18 keepalived\n186 bgp\n',
    '/etc/iproute2/rt_realms': '0 cosmos\n7 east\n9 west\n',
    '/etc/iproute2/rt_dsfield': '0x28\tAF11\n0xb8 EF\n',
    ...extra,
  });
const load = (text: string, reader = files()) => parseConfigText(text, 'mem.conf', { reader });
const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'pos' ? undefined : x)));

describe('the files', () => {
  test('a line is a number (C bases, up to the maximum) and a name, nothing more, nothing less', () => {
    const text =
      '1 one\n0x10 sixteen\n010 eight\n# 3 commented\n#4 hash\n5 five # trailing\n6\n-7 minus\n256 big\n"9" "nine nine"\n';
    assert.deepEqual(parseNameFile(text, 255), [
      { id: 1, name: 'one' },
      { id: 16, name: 'sixteen' },
      { id: 8, name: 'eight' },
      { id: 9, name: 'nine nine' },
    ]);
  });

  test('a line longer than keepalived reads at once is read as several', () => {
    assert.deepEqual(parseNameFile(`${' '.repeat(124)}1 x\n`, 255), [{ id: 1, name: 'x' }]);
    assert.deepEqual(parseNameFile(`${' '.repeat(125)}12 x\n`, 255), []);
  });

  test('built-in names fill the ids a file does not name, by id', () => {
    const list = withDefaults(parseNameFile('254 primary\n', 255), [
      { id: 254, name: 'main' },
      { id: 255, name: 'local' },
    ]);
    assert.deepEqual(list, [
      { id: 254, name: 'primary' },
      { id: 255, name: 'local' },
    ]);
  });

  test('a number is looked up as such, reading no file; a name reads its file once', () => {
    const read: string[] = [];
    const names = new RouteNames((path) => {
      read.push(path);
      return '7 east\n';
    });
    assert.equal(names.lookup('realm', '0x7'), 7);
    assert.equal(names.lookup('realm', '256'), undefined);
    assert.deepEqual(read, []);
    assert.equal(names.lookup('realm', 'east'), 7);
    assert.equal(names.lookup('realm', 'west'), undefined);
    assert.deepEqual(read, ['/etc/iproute2/rt_realms']);
  });
});

describe('route and rule lines', () => {
  const text = `static_routes {
  203.0.113.0/24 via 198.51.100.1 table vip protocol bgp scope link tos AF11 realms east/west no_track
  203.0.113.128/25 dev eth0 table "back up" realms 9
}
static_rules {
  from 198.51.100.7 tos EF realms cosmos/east table vip preference 10
}
`;

  test('take the names of the files', () => {
    const config: Config = expectLoaded(load(text));
    const [first, second] = plain(config.staticRoutes);
    assert.deepEqual(
      { table: first.table, protocol: first.protocol, scope: first.scope, tos: first.tos, realms: first.realms },
      { table: 100, protocol: 186, scope: 253, tos: 0x28, realms: (7 << 16) | 9 },
    );
    assert.deepEqual({ table: second.table, realms: second.realms }, { table: 101, realms: 9 });
    const [rule] = plain(config.staticRules);
    assert.deepEqual({ tos: rule.tos, realms: rule.realms, table: rule.table }, { tos: 0xb8, realms: 7, table: 100 });
  });

  test("without the files, only keepalived's built-in names: no `keepalived` protocol, no `universe` scope", () => {
    const result = load(
      `static_routes {\n  203.0.113.0/24 dev eth0 table main protocol keepalived\n  203.0.113.0/25 dev eth0 scope universe\n  203.0.113.0/26 dev eth0 protocol none scope host table local no_track\n}\n`,
      createMemoryReader({}),
    );
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:2:47',
      '`protocol` must be a number from 0 to 255 or a name in /etc/iproute2/rt_protos',
    );
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:3:33',
      '`scope` must be a number from 0 to 255 or a name in /etc/iproute2/rt_scopes',
    );
    const routes = plain(expectLoaded(result).staticRoutes);
    assert.equal(routes.length, 1, 'the lines with unknown names are left out, as keepalived leaves them out');
    assert.deepEqual(
      { protocol: routes[0].protocol, scope: routes[0].scope, table: routes[0].table },
      { protocol: 0, scope: 254, table: 255 },
    );
  });

  test('an unknown realm, or realms on IPv6 or beside a non-table action, leave the line out', () => {
    const result = load(
      `static_routes {\n  203.0.113.0/24 dev eth0 realms east/north\n  2001:db8::/64 dev eth0 realms 1\n}\nstatic_rules {\n  from 198.51.100.7 realms 1 blackhole preference 10\n}\n`,
    );
    expectDiagnostic(result, 'warning', 'mem.conf:2:34', '`realms` must be [FROM/]TO');
    expectDiagnostic(result, 'warning', 'mem.conf:3:33', '`realms` are only for IPv4');
    expectDiagnostic(result, 'warning', 'mem.conf:6:3', '`realms` needs a `table` action');
    const config = expectLoaded(result);
    assert.deepEqual([config.staticRoutes.length, config.staticRules.length], [0, 0]);
  });

  test('realms go to the kernel as RTA_FLOW / FRA_FLOW', () => {
    const config = expectLoaded(load(text));
    const flow = `08000b00${Buffer.from(Uint32Array.of((7 << 16) | 9).buffer).toString('hex')}`;
    assert.ok(
      routeRequest(config.staticRoutes[0]!, () => 3, 'add')
        .toString('hex')
        .includes(flow),
    );
    assert.ok(ruleRequest(config.staticRules[0]!).toString('hex').includes('08000b0007000000'));
  });
});
