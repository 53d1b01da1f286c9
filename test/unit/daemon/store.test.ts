// The store as the one place the daemon's observed state is read from: what the services write
// (or let it read through) comes out in `vigil status` and on the event stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DaemonEvent, StatusResponse } from '../../../src/api/schema.js';
import type { RealServerHealth } from '../../../src/check/index.js';
import { parseConfigText } from '../../../src/config/index.js';
import { buildStatus, ipvsStatsEvent } from '../../../src/daemon/status.js';
import { type KernelDestination, StateStore } from '../../../src/daemon/store.js';
import { NO_STATS } from '../../../src/ipvs/codec.js';
import { emptyCounters, type InstanceStatus } from '../../../src/vrrp/instance.js';

const CONFIG = `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    198.51.100.10/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority 90
  virtual_ipaddress {
    198.51.100.20/24
  }
}
virtual_server 198.51.100.10 80 {
  protocol TCP
  lb_kind DR
  quorum 2
  sorry_server 203.0.113.99 80
  real_server 203.0.113.21 80 {
    TCP_CHECK {
    }
  }
  real_server 203.0.113.22 80 {
  }
}
`;

const at = new Date('2026-11-25T10:00:00Z');
const identity = { version: '0.1.0', pid: 1, startedAt: at, socket: 's', readOnlySocket: 'r', stateDir: 'd' };

function setup() {
  const { config, diagnostics } = parseConfigText(CONFIG, 'k.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const store = new StateStore('k.conf', config, ['k.conf'], [], at);
  const events: DaemonEvent[] = [];
  store.subscribe((e) => events.push(e));
  const status = async () => StatusResponse.parse(await buildStatus(store, identity, at));
  return { config, store, events, status, vs: config.virtualServers[0]! };
}

const running = (advertsReceived: number): InstanceStatus => ({
  name: 'VI_1',
  sourceAddress: '198.51.100.1',
  state: 'BACKUP',
  priority: 100,
  effectivePriority: 90,
  masterAddress: '198.51.100.2',
  masterAdvertIntervalCs: 100,
  skewTimeMs: 609,
  masterDownIntervalMs: 3609,
  operator: 'none',
  handingOff: false,
  waitingForSyncGroup: false,
  lastTransition: { instance: 'VI_1', from: 'INIT', to: 'BACKUP', reason: 'started as BACKUP', at },
  counters: { ...emptyCounters(), advertsReceived },
});

test('VRRP is read through at status time: the latest counters and priority, no copy to go stale', async () => {
  const { store, status, events } = setup();
  let received = 3;
  store.readVrrpFrom(() => [running(received)]);
  received = 7;
  const [vi1, vi2] = (await status()).instances;
  assert.deepEqual(
    [vi1?.state, vi1?.effectivePriority, vi1?.masterAddress, vi1?.counters.advertsReceived],
    ['BACKUP', 90, '198.51.100.2', 7],
  );
  assert.deepEqual(vi1?.lastTransition, {
    at: '2026-11-25T10:00:00.000Z',
    from: 'INIT',
    to: 'BACKUP',
    reason: 'started as BACKUP',
  });
  assert.deepEqual([vi2?.state, vi2?.effectivePriority], ['INIT', 90], 'an instance the engine does not run');

  store.vrrpTransition({ instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master down', at });
  assert.deepEqual(events, [
    {
      type: 'vrrp.transition',
      at: '2026-11-25T10:00:00.000Z',
      instance: 'VI_1',
      from: 'BACKUP',
      to: 'MASTER',
      reason: 'master down',
    },
  ]);
});

test('real-server health is read through, so the last check shows without a verdict change; a change is an event', async () => {
  const { store, status, events, vs } = setup();
  const health: RealServerHealth = { alive: true, since: at.getTime(), checked: true };
  store.readHealthFrom((id) => (id.endsWith('|203.0.113.21:80') ? health : undefined));
  const check = async (n: number) => {
    health.lastCheckAt = at.getTime() + n * 5000;
    health.lastLatencyMs = n;
    return (await status()).virtualServers[0]!.realServers;
  };
  assert.deepEqual((await check(1))[0]?.lastCheck, { at: '2026-11-25T10:00:05.000Z', latencyMs: 1 });
  const [rs21, rs22] = await check(2);
  assert.deepEqual(rs21?.lastCheck, { at: '2026-11-25T10:00:10.000Z', latencyMs: 2 }, 'the next check, unannounced');
  assert.deepEqual([rs21?.health, rs22?.health], ['up', 'unchecked']);

  const down = { alive: false, reason: 'TCP_CHECK: connection refused', since: at.getTime(), checked: true };
  store.realServerChanged(vs, vs.realServers[0]!, down, at);
  store.realServerChanged(vs, vs.realServers[1]!, { ...down, alive: true, weight: 0 }, at);
  assert.deepEqual(events, [
    {
      type: 'realserver.health',
      at: '2026-11-25T10:00:00.000Z',
      virtualServer: '198.51.100.10:80',
      realServer: '203.0.113.21:80',
      health: 'down',
      reason: 'TCP_CHECK: connection refused',
    },
    {
      type: 'realserver.health',
      at: '2026-11-25T10:00:00.000Z',
      virtualServer: '198.51.100.10:80',
      realServer: '203.0.113.22:80',
      health: 'up',
      dynamicWeight: 0,
    },
  ]);
});

test('quorum: held at start is no news, lost and regained are; status and the table inputs follow; a reload forgets removed servers', async () => {
  const { store, status, events, vs } = setup();
  assert.equal(store.quorumWeighed(vs, true, 2, at), false);
  assert.equal((await status()).virtualServers[0]?.quorumHolds, true);
  assert.deepEqual(events, []);

  assert.equal(store.quorumWeighed(vs, false, 1, at), true);
  assert.equal(store.quorumWeighed(vs, false, 1, at), false, 'still lost: no second event');
  const lost = (await status()).virtualServers[0]!;
  assert.deepEqual([lost.quorumHolds, lost.sorryServer?.active], [false, true]);
  assert.deepEqual([...store.quorumLost()], ['tcp:198.51.100.10:80']);
  assert.deepEqual(events, [
    {
      type: 'virtualserver.quorum',
      at: '2026-11-25T10:00:00.000Z',
      virtualServer: '198.51.100.10:80',
      holds: false,
      aliveWeight: 1,
      quorum: 2,
      hysteresis: 0,
      sorryServerActive: true,
    },
  ]);

  store.keepQuorumOf([]);
  assert.equal(store.quorumHolds(vs), undefined);
  assert.deepEqual([...store.quorumLost()], []);
});

test("IPVS: a reconcile's table and a later read of the counters show in status and in ipvs.stats; only a change is an event", async () => {
  const { store, status, events } = setup();
  const destination = (activeConns: number): KernelDestination => ({
    weight: 1,
    activeConns,
    inactiveConns: 2,
    persistConns: 0,
    stats: { ...NO_STATS, connections: activeConns },
  });
  const view = (activeConns: number) => ({
    available: true,
    ownedServices: 1,
    kernel: new Map([['tcp:198.51.100.10:80', new Map([['203.0.113.21:80', destination(activeConns)]])]]),
  });
  const ipvs = async () => {
    const { available, ownedServices } = (await status()).ipvs;
    return [available, ownedServices];
  };
  assert.deepEqual(await ipvs(), [false, 0], 'before the IPVS service started');

  store.ipvsReconciled(view(0), ['addService tcp:198.51.100.10:80'], 0, at);
  store.ipvsReconciled(view(1), [], 0, at);
  assert.deepEqual(events, [
    {
      type: 'ipvs.reconciled',
      at: '2026-11-25T10:00:00.000Z',
      operations: ['addService tcp:198.51.100.10:80'],
      failed: 0,
    },
  ]);
  assert.deepEqual(await ipvs(), [true, 1]);

  store.ipvsObserved(view(5));
  const [rs21, rs22] = (await status()).virtualServers[0]!.realServers;
  assert.deepEqual([rs21?.kernel?.activeConns, rs21?.kernel?.stats.connections, rs22?.kernel], [5, 5, undefined]);
  const stats = await ipvsStatsEvent(store, at);
  assert.equal(stats.virtualServers[0]?.realServers[0]?.kernel?.activeConns, 5);
  assert.deepEqual(stats.virtualServers, (await status()).virtualServers, 'the stream and status read the same store');
});
