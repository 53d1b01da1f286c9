// What the monitor shows follows vigild: a snapshot, then every event folded in, the log, and
// the histories its sparklines and charts draw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LOG_LIMIT, MonitorModel } from '../../../src/tui/model.js';
import {
  at,
  healthEvent,
  instanceFixture,
  realServerFixture,
  statusFixture,
  T0,
  virtualServerFixture,
} from '../../helpers/status-fixture.js';

const VS = '198.51.100.200:80';
const RS = '203.0.113.21:80';

function connected(status = statusFixture()): MonitorModel {
  const model = new MonitorModel('/run/vigil/vigil.sock', T0);
  model.apply({ kind: 'status', at: T0 + 10_000, status });
  return model;
}

const firstRealServer = (model: MonitorModel) => model.status!.virtualServers[0]!.realServers[0]!;

describe('MonitorModel', () => {
  test('a first snapshot makes it live and says whom it reached', () => {
    const model = new MonitorModel('/s', T0);
    assert.equal(model.connection.state, 'connecting');
    model.apply({ kind: 'status', at: T0 + 10_000, status: statusFixture() });
    assert.deepEqual(model.connection, { state: 'live', since: T0 + 10_000 });
    assert.equal(model.log.at(-1)?.text, 'connected to vigild 0.1.0 (pid 4242) on /s');
  });

  test('a transition changes the state and the last transition, and is logged', () => {
    const model = connected(statusFixture({ instances: [instanceFixture({ state: 'BACKUP' })] }));
    const before = model.version;
    model.apply({
      kind: 'event',
      at: T0 + 11_000,
      event: {
        type: 'vrrp.transition',
        at: at(11),
        instance: 'VI_1',
        from: 'BACKUP',
        to: 'MASTER',
        reason: 'master down',
      },
    });
    const instance = model.status!.instances[0]!;
    assert.equal(instance.state, 'MASTER');
    assert.equal(instance.lastTransition?.reason, 'master down');
    assert.ok(model.version > before);
    assert.deepEqual(model.log.at(-1), {
      at: T0 + 11_000,
      type: 'vrrp.transition',
      severity: 'info',
      text: 'VI_1 BACKUP -> MASTER: master down',
    });
  });

  test('health and drain events change the real server they name, and only it', () => {
    const other = realServerFixture({ address: '203.0.113.22' });
    const model = connected(statusFixture({ virtualServers: [virtualServerFixture([realServerFixture(), other])] }));
    model.apply({ kind: 'event', at: T0 + 12_000, event: healthEvent(12, 'down') });
    model.apply({
      kind: 'event',
      at: T0 + 13_000,
      event: { type: 'realserver.drain', at: at(13), virtualServer: VS, realServer: RS, drained: true },
    });
    const [rs, untouched] = model.status!.virtualServers[0]!.realServers;
    assert.equal(rs?.health, 'down');
    assert.equal(rs?.healthReason, 'HTTP_GET: connection refused');
    assert.equal(rs?.drained, true);
    assert.equal(rs?.drainedSince, at(13));
    assert.equal(untouched?.health, 'up');
    assert.deepEqual(
      model.log.slice(-2).map((e) => [e.severity, e.text]),
      [
        ['error', `${RS} in ${VS} down: HTTP_GET: connection refused`],
        ['info', `${RS} in ${VS} drained`],
      ],
    );
  });

  test('vrrp.stats keeps counters live without a log line; maintenance holds show on the daemon', () => {
    const model = connected();
    const logged = model.log.length;
    const counters = { ...instanceFixture().counters, advertsSent: 99 };
    model.apply({
      kind: 'event',
      at: T0 + 12_000,
      event: { type: 'vrrp.stats', at: at(12), instances: [instanceFixture({ counters })] },
    });
    assert.equal(model.status!.instances[0]!.counters.advertsSent, 99);
    assert.equal(model.log.length, logged);
    model.apply({
      kind: 'event',
      at: T0 + 13_000,
      event: { type: 'vrrp.operator', at: at(13), instance: 'VI_1', mode: 'yield', by: 'maintenance' },
    });
    assert.equal(model.status!.instances[0]!.operator?.mode, 'yield');
    assert.deepEqual(model.status!.daemon.maintenance, { on: true, since: at(13) });
    assert.equal(model.log.at(-1)?.text, 'VI_1 held as backup (maintenance)');
  });

  test('a latency sample per completed check, not per read; rates only while IPVS counts', () => {
    const model = connected();
    const stats = (seconds: number, checkAt: number, latencyMs: number) => ({
      kind: 'event' as const,
      at: T0 + seconds * 1000,
      event: {
        type: 'ipvs.stats' as const,
        at: at(seconds),
        virtualServers: [virtualServerFixture([realServerFixture({ lastCheck: { at: at(checkAt), latencyMs } })])],
      },
    });
    model.apply(stats(12, 11, 2.5));
    model.apply(stats(14, 11, 2.5));
    model.apply(stats(16, 15, 4));
    assert.deepEqual(
      model.latency(VS, RS).map((s) => s.value),
      [1.5, 2.5, 4],
    );
    assert.deepEqual(model.connectionRate(VS), [], 'no IPVS here: no rate to chart');
  });

  test('a snapshot taken before events that arrived first does not undo them', () => {
    const model = connected();
    // vigild sent the health change at 12 s; the snapshot it answers with was taken at 11.5 s.
    model.apply({ kind: 'event', at: T0 + 12_000, event: healthEvent(12, 'down') });
    model.apply({ kind: 'status', at: T0 + 12_100, status: statusFixture({ uptimeSeconds: 11.5 }) });
    assert.equal(firstRealServer(model).health, 'down');
    // One taken after it stands as it is.
    model.apply({ kind: 'status', at: T0 + 13_100, status: statusFixture({ uptimeSeconds: 13 }) });
    assert.equal(firstRealServer(model).health, 'up');
  });

  test('a lost connection is logged once per outage, and the return says how long it took', () => {
    const model = connected();
    model.apply({ kind: 'lost', at: T0 + 20_000, reason: 'vigild closed the event stream' });
    model.apply({ kind: 'lost', at: T0 + 21_000, reason: 'vigild is not answering on /s: no such socket' });
    assert.deepEqual(model.connection, {
      state: 'lost',
      since: T0 + 20_000,
      reason: 'vigild is not answering on /s: no such socket',
    });
    model.apply({ kind: 'status', at: T0 + 24_500, status: statusFixture({ uptimeSeconds: 1 }) });
    const connectionLines = model.log.filter((e) => e.type === 'connection').map((e) => e.text);
    assert.deepEqual(connectionLines.slice(1), [
      'vigild closed the event stream; retrying',
      'connected again to vigild 0.1.0 (pid 4242) on /run/vigil/vigil.sock after 4.5 s',
    ]);
  });

  test('the log keeps the newest LOG_LIMIT lines; the fixture passed in is never changed', () => {
    const status = statusFixture();
    const model = connected(status);
    for (let i = 0; i < LOG_LIMIT + 50; i++) {
      model.apply({ kind: 'event', at: T0 + 11_000 + i, event: healthEvent(11, i % 2 ? 'up' : 'down') });
    }
    assert.equal(model.log.length, LOG_LIMIT);
    assert.equal(model.log.at(-1)?.text, `${RS} in ${VS} up`);
    assert.equal(status.virtualServers[0]!.realServers[0]!.health, 'up');
  });
});
