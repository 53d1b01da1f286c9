// Instances of a sync group under one coordinator, with fake ports and a fake clock: they change
// state together, on one timer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { Coordinator, type GroupTransition } from '../../../src/vrrp/coordinator.js';
import { machineOptionsFor, VrrpInstanceRuntime } from '../../../src/vrrp/instance.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const SELF = '198.51.100.11';

const { config } = parseConfigText(
  `vrrp_sync_group SG {
  group {
    VI_A
    VI_B
  }
}
vrrp_instance VI_A {
  interface eth0
  virtual_router_id 1
  priority 150
  virtual_ipaddress {
    198.51.100.201
  }
}
vrrp_instance VI_B {
  interface eth0
  virtual_router_id 2
  priority 50
  virtual_ipaddress {
    198.51.100.202
  }
}`,
  'k.conf',
);

function group() {
  assert.ok(config);
  const clock = new FakeClock();
  const groupTransitions: GroupTransition[] = [];
  const coordinator = Coordinator.syncGroup(
    'SG',
    Object.fromEntries(config.instances.map((i) => [i.name, machineOptionsFor(i, SELF)])),
    clock,
    (t) => groupTransitions.push(t),
  );
  const runtimes = config.instances.map(
    (instance) =>
      new VrrpInstanceRuntime(
        instance,
        {
          link: { sourceAddress: SELF, send: () => undefined },
          addresses: { add: async () => undefined, remove: async () => undefined },
          announcer: { announce: () => undefined },
          clock,
          observer: { transition: () => undefined, problem: () => undefined },
          announceIntervals: { 4: 0, 6: 0 },
        },
        coordinator,
      ),
  );
  const [a, b] = runtimes as [VrrpInstanceRuntime, VrrpInstanceRuntime];
  return { clock, a, b, groupTransitions };
}

test('members become master together, on the one timer of the group', () => {
  const { clock, a, b, groupTransitions } = group();
  a.start();
  b.start();
  // VI_B (priority 50) times out last: 3 s + 206/256 s; the group waits for it.
  clock.advance(3500);
  assert.deepEqual([a.state, b.state], ['BACKUP', 'BACKUP']);
  clock.advance(400);
  assert.deepEqual([a.state, b.state], ['MASTER', 'MASTER']);
  assert.deepEqual(
    groupTransitions.map((t) => [t.from, t.to]),
    [
      ['INIT', 'BACKUP'],
      ['BACKUP', 'MASTER'],
    ],
  );
});

test('a member that hears a higher priority takes the whole group to BACKUP', () => {
  const { clock, a, b } = group();
  a.start();
  b.start();
  clock.advance(4000);
  b.receive(
    { version: 2, vrid: 2, priority: 200, addresses: ['198.51.100.202'], advertIntervalCs: 100 },
    { family: 4, source: '198.51.100.12', destination: '224.0.0.18', ttl: 255 },
  );
  assert.deepEqual([a.state, b.state], ['BACKUP', 'BACKUP']);
});
