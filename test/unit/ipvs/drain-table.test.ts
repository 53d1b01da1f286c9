// How drains shape the IPVS table: a drained live server at weight 0, whatever weight the config
// or a check gives it; checks still decide for a drained server that fails them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Config, parseConfigText } from '../../../src/config/index.js';
import { desiredTable, type RealServerVerdict, realServerId } from '../../../src/ipvs/desired.js';

function configOf(text: string): Config {
  const { config, diagnostics } = parseConfigText(text, 'k.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
}

const rs = (last: number, extra = '') => `real_server 203.0.113.${last} 80 {\n weight 2\n ${extra}\n}`;
const vs = (address: string, ...servers: string[]) =>
  `virtual_server ${address} 80 {\n protocol TCP\n lb_kind DR\n${servers.join('\n')}\n}\n`;

/** Each service's destinations as `SERVICE ADDRESS weight`, with `drained` (by VS index and last octet) and `verdicts`. */
function table(
  config: Config,
  drained: [vs: number, last: number][],
  verdicts: [vs: number, last: number, RealServerVerdict][] = [],
): string[] {
  const id = (v: number, last: number) =>
    realServerId(config.virtualServers[v]!, { address: `203.0.113.${last}`, port: 80 });
  const health = new Map(verdicts.map(([v, last, verdict]) => [id(v, last), verdict]));
  const entries = desiredTable(config, { drained: new Set(drained.map(([v, last]) => id(v, last))), health });
  return entries.flatMap((s) =>
    s.destinations.map((d) => `${s.key.kind === 'addr' ? s.key.address : 'fwmark'} ${d.address} ${d.weight}`),
  );
}

describe('IPVS table with drains', () => {
  test('a drained live real server is in at weight 0; the others keep their weight', () => {
    const config = configOf(vs('198.51.100.80', rs(21), rs(22)));
    assert.deepEqual(table(config, []), ['198.51.100.80 203.0.113.21 2', '198.51.100.80 203.0.113.22 2']);
    assert.deepEqual(table(config, [[0, 21]]), ['198.51.100.80 203.0.113.21 0', '198.51.100.80 203.0.113.22 2']);
  });

  test('a drain is per virtual server: the same real server elsewhere keeps its weight', () => {
    const config = configOf(vs('198.51.100.80', rs(21)) + vs('198.51.100.81', rs(21)));
    assert.deepEqual(table(config, [[1, 21]]), ['198.51.100.80 203.0.113.21 2', '198.51.100.81 203.0.113.21 0']);
  });

  test('a drained server that fails its checks is out, or at 0 with inhibit_on_failure, as checks say', () => {
    const config = configOf(vs('198.51.100.80', rs(21), rs(22, 'inhibit_on_failure'), rs(23)));
    const down = { alive: false };
    assert.deepEqual(
      table(
        config,
        [
          [0, 21],
          [0, 22],
        ],
        [
          [0, 21, down],
          [0, 22, down],
        ],
      ),
      ['198.51.100.80 203.0.113.22 0', '198.51.100.80 203.0.113.23 2'],
    );
  });

  test('a misc_dynamic weight is held at 0 while drained and is back once the drain ends', () => {
    const config = configOf(vs('198.51.100.80', rs(21, 'MISC_CHECK {\n misc_path /bin/true\n misc_dynamic\n }')));
    const dynamic: [number, number, RealServerVerdict][] = [[0, 21, { alive: true, weight: 7 }]];
    assert.deepEqual(table(config, [[0, 21]], dynamic), ['198.51.100.80 203.0.113.21 0']);
    assert.deepEqual(table(config, [], dynamic), ['198.51.100.80 203.0.113.21 7']);
  });

  test('in a virtual_server_group, the drain holds in every service the group stands for', () => {
    const config = configOf(
      `virtual_server_group web {\n 198.51.100.80 80\n 198.51.100.81 80\n}\nvirtual_server group web {\n protocol TCP\n lb_kind DR\n${rs(21)}\n${rs(22)}\n}\n`,
    );
    assert.deepEqual(table(config, [[0, 21]]), [
      '198.51.100.80 203.0.113.21 0',
      '198.51.100.80 203.0.113.22 2',
      '198.51.100.81 203.0.113.21 0',
      '198.51.100.81 203.0.113.22 2',
    ]);
  });
});
