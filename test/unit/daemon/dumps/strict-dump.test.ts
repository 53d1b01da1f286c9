import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../../../src/config/index.js';
import { dataDump } from '../../../../src/daemon/dumps/data-dump.js';
import { DEFAULT_DUMP_UMASK } from '../../../../src/daemon/dumps/dump-files.js';
import { instanceViews } from '../../../../src/daemon/dumps/instance-view.js';
import { jsonDump } from '../../../../src/daemon/dumps/json-dump.js';
import { CONFIG_TEXT, LIVE, WALL_NOW } from './two-masters.js';

process.env.TZ = 'UTC';

/** The two masters in strict mode (VI_2 loses its password), the table named and counted. */
function strictDumps() {
  const { config } = parseConfigText(
    `global_defs {\n  vrrp_strict\n  nftables_counters\n}\n${CONFIG_TEXT}`,
    'keepalived.conf',
  );
  const views = instanceViews(config!, LIVE, { wallNow: WALL_NOW, monotonicNow: 1000 }, { ifindex: () => 2 });
  const global = {
    global: config!.global,
    routerId: 'vm',
    scriptIds: { uid: 0, gid: 0 },
    umask: DEFAULT_DUMP_UMASK,
    firewall: true,
  };
  return { data: dataDump(global, views, []), json: JSON.parse(jsonDump(views)) };
}

test('the data dump reports strict mode, accept mode and the nftables table as keepalived prints them', () => {
  const { data } = strictDumps();
  assert.match(
    data,
    /\n nftables table name = keepalived\n nftables base chain priority = -1\n nftables don't force use ifindex for link local IPv6\n nftables with counters\n/,
  );
  assert.match(data, /\n VRRP strict mode = true\n/);
  assert.equal(data.match(/ {3}Enforcing strict VRRP compliance\n/g)?.length, 2);
  assert.equal(data.match(/ {3}Accept = disabled\n/g)?.length, 2);
  assert.equal(data.match(/ {3}Gratuitous ARP lower priority repeat = 0\n/g)?.length, 2);
  assert.equal(data.match(/ {3}Send advert after receive lower priority advert = false\n/g)?.length, 2);
});

test('the JSON dump has strict_mode 1, accept 0 and the settings strict mode implies', () => {
  const { json } = strictDumps();
  for (const { data } of json) {
    assert.deepEqual(
      [data.strict_mode, data.accept, data.garp_lower_prio_rep, data.lower_prio_no_advert],
      [1, 0, 0, 1],
    );
  }
});
