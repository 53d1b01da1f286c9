// drain --wait over a scripted event stream: it ends when the active connections reach zero (and
// not on inactive ones), on the timeout, when someone undrains, or when the server leaves the
// config; a stream that breaks (vigild restarting) is reconnected.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DaemonEvent, DrainResponse, RealServerStatus, VirtualServerStatus } from '../../../src/api/schema.js';
import { type DrainCounts, waitForDrain } from '../../../src/cli/drain-wait.js';

const at = '2026-12-01T10:00:00.000Z';
const NO_STATS = {
  connections: 0,
  packetsIn: 0,
  packetsOut: 0,
  bytesIn: 0,
  bytesOut: 0,
  connectionRate: 0,
  packetRateIn: 0,
  packetRateOut: 0,
  byteRateIn: 0,
  byteRateOut: 0,
};

function server(active: number, inactive = 0, drained = true): RealServerStatus {
  return {
    address: '203.0.113.21',
    port: 80,
    weight: 2,
    health: 'up',
    checkers: [],
    drained,
    kernel: { weight: 0, activeConns: active, inactiveConns: inactive, persistConns: 0, stats: NO_STATS },
    source: 'k.conf:3:3',
  };
}

const response = (active: number): DrainResponse => ({
  at,
  realServers: [{ ...server(active), virtualServer: '198.51.100.80:80', changed: true }],
});

function stats(realServers: RealServerStatus[]): DaemonEvent {
  const vs: VirtualServerStatus = {
    name: '198.51.100.80:80',
    protocol: 'TCP',
    scheduler: 'wlc',
    lbKind: 'DR',
    quorum: 1,
    hysteresis: 0,
    aliveWeight: 2,
    quorumHolds: true,
    realServers,
    source: 'k.conf:1:1',
  };
  return { type: 'ipvs.stats', at, ipvs: { available: true, ownedServices: 1 }, virtualServers: [vs] };
}

/** A stream that yields `events` (a function throws, as a daemon going away does) and then stays open until aborted. */
function stream(...events: (DaemonEvent | (() => never))[]) {
  return async function* (signal: AbortSignal): AsyncGenerator<DaemonEvent> {
    for (const event of events) {
      await new Promise((r) => setTimeout(r, 5));
      if (typeof event === 'function') event();
      else yield event;
    }
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
  };
}

const options = (events: ReturnType<typeof stream>, seen: DrainCounts[] = []) => ({
  timeoutMs: 2000,
  events,
  progress: (counts: DrainCounts) => seen.push({ ...counts }),
  reconnectMs: 10,
});

describe('drain --wait', () => {
  test('ends when the active connections reach zero; inactive ones do not hold it', async () => {
    const seen: DrainCounts[] = [];
    const result = await waitForDrain(
      response(2),
      options(stream(stats([server(2)]), stats([server(1, 1)]), stats([server(0, 2)])), seen),
    );
    assert.equal(result.outcome, 'drained');
    assert.deepEqual([result.activeConns, result.inactiveConns], [0, 2]);
    assert.deepEqual(
      seen.map((c) => c.activeConns),
      [2, 2, 1],
      'each count shown as it came',
    );
  });

  test('nothing to wait for when the drain found no active connection', async () => {
    const result = await waitForDrain(response(0), options(stream()));
    assert.equal(result.outcome, 'drained');
  });

  test('times out with the connections still there', async () => {
    const result = await waitForDrain(response(1), { ...options(stream(stats([server(1)]))), timeoutMs: 100 });
    assert.deepEqual([result.outcome, result.activeConns], ['timedOut', 1]);
  });

  test('an undrain meanwhile, or the server leaving the config, ends the wait', async () => {
    const undrained = await waitForDrain(response(1), options(stream(stats([server(1, 0, false)]))));
    assert.equal(undrained.outcome, 'undrained');
    const removed = await waitForDrain(response(1), options(stream(stats([]))));
    assert.equal(removed.outcome, 'removed');
    const event: DaemonEvent = {
      type: 'realserver.drain',
      at,
      virtualServer: '198.51.100.80:80',
      realServer: '203.0.113.21:80',
      drained: false,
    };
    assert.equal((await waitForDrain(response(1), options(stream(event)))).outcome, 'undrained');
  });

  test('rides out the daemon going away: it reconnects and goes on counting', async () => {
    let calls = 0;
    const first = stream(stats([server(1)]), () => {
      throw new Error('socket hang up');
    });
    const second = stream(stats([server(0)]));
    const result = await waitForDrain(response(1), {
      ...options(first),
      events: (signal) => (calls++ === 0 ? first(signal) : second(signal)),
    });
    assert.deepEqual([result.outcome, calls], ['drained', 2]);
  });
});
