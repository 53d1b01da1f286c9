// What vigild does with a route or rule of its own that someone deletes: a master's tracked
// virtual one takes it to BACKUP (and back), a static one is added again, a no_track one is
// left deleted, and one vigild does not know is ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { RouteGuard } from '../../../src/daemon/route-guard.js';
import { RTM_DELROUTE, RTM_DELRULE, routeRequest, ruleRequest } from '../../../src/net/route-codec.js';
import { decodeDeletedEntry } from '../../../src/net/route-events.js';

const { config } = parseConfigText(
  `static_routes {
  203.0.113.64/26 via 198.51.100.1 dev eth0
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    198.51.100.200/24
  }
  virtual_routes {
    203.0.113.0/26 via 198.51.100.1 dev eth0 table 100
    203.0.113.128/26 via 198.51.100.1 dev eth0 table 100 no_track
  }
  virtual_rules {
    from 198.51.100.7 table 100 preference 100
  }
}
`,
  'mem.conf',
  { reader: createMemoryReader({}) },
);
const running = config as Config;
const [tracked, untracked] = running.instances[0]!.virtualRoutes;
const [rule] = running.instances[0]!.virtualRules;
const [fixed] = running.staticRoutes;
const eth0 = () => 3;

function harness(master: boolean) {
  const calls: string[] = [];
  const guard = new RouteGuard({
    entries: () => running,
    isMaster: () => master,
    ownedDeleted: (instance, what) => calls.push(`${instance}: ${what}`),
    restoreStatic: async (kind, entry) => {
      calls.push(`restore ${kind} ${entry === fixed}`);
      return true;
    },
    indexOf: eth0,
    log: { warn: () => undefined, error: () => undefined } as never,
  });
  const deleteRoute = (route = tracked!) =>
    guard.onEvent(
      decodeDeletedEntry({ type: RTM_DELROUTE, flags: 0, seq: 0, pid: 0, payload: routeRequest(route, eth0, 'add') })!,
    );
  const deleteRule = () =>
    guard.onEvent(decodeDeletedEntry({ type: RTM_DELRULE, flags: 0, seq: 0, pid: 0, payload: ruleRequest(rule!) })!);
  return { calls, deleteRoute, deleteRule };
}

test('a master whose tracked virtual route or rule is deleted goes to BACKUP to take it back', () => {
  const h = harness(true);
  h.deleteRoute();
  h.deleteRule();
  h.deleteRoute(untracked);
  assert.deepEqual(h.calls, ['VI_1: virtual route 203.0.113.0/26 (table 100)', 'VI_1: virtual rule 100']);
});

test('a backup has nothing to take back; a static route is added again', async () => {
  const h = harness(false);
  h.deleteRoute();
  h.deleteRoute(fixed);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(h.calls, ['restore routes true']);
});
