// How health, quorum and sorry servers shape the IPVS table (keepalived's semantics).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Config, parseConfigText } from '../../../src/config/index.js';
import { desiredTable, type RealServerVerdict, realServerId, virtualServerId } from '../../../src/ipvs/desired.js';
import { aliveWeight, quorumHolds } from '../../../src/ipvs/quorum.js';

function configOf(body: string): Config {
  const { config, diagnostics } = parseConfigText(
    `virtual_server 198.51.100.80 80 {\n protocol TCP\n lb_kind DR\n${body}\n}\n`,
    'k.conf',
  );
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
}

const servers = (...lines: string[]) => lines.join('\n');
const rs = (last: number, extra = '') => `real_server 203.0.113.${last} 80 {\n weight 2\n ${extra}\n}`;

/** The table's destinations as `ADDRESS weight`, given which real servers (by last octet) are down. */
function destinations(
  config: Config,
  down: number[] = [],
  quorumLost = false,
  dynamic: Record<number, number> = {},
): string[] {
  const vs = config.virtualServers[0]!;
  const health = new Map<string, RealServerVerdict>(
    vs.realServers.map((r) => {
      const last = Number(r.address.split('.')[3]);
      return [
        realServerId(vs, r),
        { alive: !down.includes(last), ...(dynamic[last] !== undefined && { weight: dynamic[last] }) },
      ];
    }),
  );
  const table = desiredTable(config, { health, quorumLost: quorumLost ? new Set([virtualServerId(vs)]) : new Set() });
  return table[0]!.destinations.map((d) => `${d.address} ${d.weight}`);
}

describe('IPVS table from health', () => {
  test('a dead real server leaves the table; with inhibit_on_failure it stays at weight 0', () => {
    const config = configOf(servers(rs(21), rs(22, 'inhibit_on_failure')));
    assert.deepEqual(destinations(config), ['203.0.113.21 2', '203.0.113.22 2']);
    assert.deepEqual(destinations(config, [21, 22]), ['203.0.113.22 0']);
  });

  test('inhibit_on_failure on the virtual server applies to each real server', () => {
    const config = configOf(servers('inhibit_on_failure', rs(21), rs(22)));
    assert.deepEqual(destinations(config, [21]), ['203.0.113.21 0', '203.0.113.22 2']);
  });

  test('a weight from a check (misc_dynamic) replaces the configured one', () => {
    const config = configOf(servers(rs(21, 'MISC_CHECK {\n misc_path /bin/true\n misc_dynamic\n }')));
    assert.deepEqual(destinations(config, [], false, { 21: 7 }), ['203.0.113.21 7']);
  });

  test('lost quorum puts the sorry server in and takes every real server out (inhibited ones to 0)', () => {
    const config = configOf(servers('sorry_server 203.0.113.99 8080', rs(21), rs(22, 'inhibit_on_failure')));
    assert.deepEqual(destinations(config, [21], false), ['203.0.113.22 2']);
    assert.deepEqual(destinations(config, [21], true), ['203.0.113.22 0', '203.0.113.99 1']);
  });

  test('sorry_server_inhibit keeps the idle sorry server in the table at weight 0', () => {
    const config = configOf(servers('sorry_server 203.0.113.99 8080', 'sorry_server_inhibit', rs(21)));
    assert.deepEqual(destinations(config), ['203.0.113.21 2', '203.0.113.99 0']);
    assert.deepEqual(destinations(config, [21], true), ['203.0.113.99 1']);
  });

  test('without a sorry server, lost quorum changes nothing in the table', () => {
    const config = configOf(servers(rs(21), rs(22)));
    assert.deepEqual(destinations(config, [21], true), ['203.0.113.22 2']);
  });
});

describe('quorum with hysteresis', () => {
  const vs = { quorum: 4, hysteresis: 1 };
  test('lost below quorum − hysteresis, regained only at quorum + hysteresis', () => {
    assert.equal(quorumHolds(undefined, 4, vs), true);
    assert.equal(quorumHolds(true, 3, vs), true, 'within the band: still held');
    assert.equal(quorumHolds(true, 2, vs), false);
    assert.equal(quorumHolds(false, 4, vs), false, 'within the band: still lost');
    assert.equal(quorumHolds(false, 5, vs), true);
  });

  test('an empty pool has no quorum, even with quorum 0; at start a pool below the band is lost at once', () => {
    assert.equal(quorumHolds(true, 0, { quorum: 0, hysteresis: 0 }), false);
    assert.equal(quorumHolds(undefined, 2, vs), false);
  });

  test('the live weight sums the weights of live real servers, check-set weights included', () => {
    const config = configOf(servers(rs(21), rs(22), rs(23)));
    const v = config.virtualServers[0]!;
    const health = new Map<string, RealServerVerdict>([
      [realServerId(v, v.realServers[0]!), { alive: false }],
      [realServerId(v, v.realServers[1]!), { alive: true, weight: 10 }],
    ]);
    assert.equal(aliveWeight(v, health), 12);
  });
});
