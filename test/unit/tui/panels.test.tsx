// Each panel as the operator reads it, from a model fed a status snapshot and a few events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MonitorModel } from '../../../src/tui/model.js';
import { instance, NOW, realServer, secondsBefore, status, virtualServer } from './fixtures.js';
import { inColour, renderApp } from './screen.js';

function modelWith(s = status()): MonitorModel {
  const model = new MonitorModel('/run/vigil/vigil.sock');
  model.apply({ kind: 'status', at: NOW, status: s });
  return model;
}

const lineWith = (frame: string, text: string) => frame.split('\n').find((l) => l.includes(text)) ?? '';

describe('header', () => {
  it('names the daemon and the socket and says the data is live', async () => {
    const screen = await renderApp({ model: modelWith() }, { columns: 120, rows: 30 });
    const frame = screen.frame();
    assert.match(frame, /vigild 0\.1\.0 pid 4242 up 1h00m · \/run\/vigil\/vigil\.sock · config generation 3/);
    assert.match(frame, /● live/);
    assert.doesNotMatch(frame, /IPVS unavailable|MAINTENANCE/);
    screen.unmount();
  });

  it('says plainly when IPVS is unavailable and why, and when maintenance is on', async () => {
    const s = status({ ipvs: { available: false, error: 'no ip_vs module in this kernel', ownedServices: 0 } });
    s.daemon.maintenance = { on: true, since: secondsBefore(60) };
    const screen = await renderApp({ model: modelWith(s) }, { columns: 120, rows: 30 });
    assert.match(screen.frame(), /IPVS unavailable: no ip_vs module in this kernel/);
    assert.match(screen.frame(), /MAINTENANCE on: every instance is held as backup/);
    screen.unmount();
  });

  it('says the connection is lost, since when, why, and that it retries', async () => {
    const model = modelWith();
    model.apply({
      kind: 'lost',
      at: NOW - 7000,
      reason: 'vigild is not answering on /run/vigil/vigil.sock: no such socket',
    });
    const screen = await renderApp({ model }, { columns: 160, rows: 30 });
    assert.match(
      screen.frame(),
      /✖ lost 7s ago, retrying: vigild is not answering on \/run\/vigil\/vigil\.sock: no such socket/,
    );
    assert.doesNotMatch(screen.frame(), /● live/);
    screen.unmount();
  });
});

describe('VRRP instances panel', () => {
  it('shows state, priorities, the master heard with its priority, adverts, and the last transition', async () => {
    const screen = await renderApp({ model: modelWith() }, { columns: 200, rows: 40 });
    const vi1 = lineWith(screen.frame(), 'VI_1');
    assert.match(
      vi1,
      /VI_1 +MASTER +150\/150 +198\.51\.100\.2 \(150\) +12s ago +17\/420 +eth0 51 +master down: no advert for 3\.6 s/,
    );
    const vi2 = lineWith(screen.frame(), 'VI_2');
    assert.match(vi2, /VI_2 +BACKUP +100\/100 +198\.51\.100\.3 \(200\) +4m10s ago/);
    screen.unmount();
  });

  it('colours the state: MASTER green, BACKUP cyan, FAULT red', async () => {
    const s = status({
      instances: [
        instance(),
        instance({ name: 'VI_2', state: 'BACKUP' }),
        instance({ name: 'VI_3', state: 'FAULT', faultReason: 'eth1 is down' }),
      ],
    });
    const screen = await renderApp({ model: modelWith(s) }, { columns: 200, rows: 40 });
    assert.match(screen.raw(), inColour(32, 'MASTER'));
    assert.match(screen.raw(), inColour(36, 'BACKUP'));
    assert.match(screen.raw(), inColour(31, 'FAULT'));
    assert.match(lineWith(screen.frame(), 'VI_3'), /eth1 is down/);
    screen.unmount();
  });

  it('shows an operator hold: a hand-off under way, a take, maintenance', async () => {
    const s = status({
      instances: [
        instance({ operator: { mode: 'yield', by: 'failover', handingOff: true } }),
        instance({ name: 'VI_2', state: 'MASTER', operator: { mode: 'take', by: 'failover', handingOff: false } }),
        instance({ name: 'VI_3', state: 'BACKUP', operator: { mode: 'yield', by: 'maintenance', handingOff: false } }),
      ],
    });
    const screen = await renderApp({ model: modelWith(s) }, { columns: 200, rows: 40 });
    assert.match(lineWith(screen.frame(), 'VI_1'), /MASTER +handoff/);
    assert.match(lineWith(screen.frame(), 'VI_2'), /MASTER +take/);
    assert.match(lineWith(screen.frame(), 'VI_3'), /BACKUP +maint/);
    screen.unmount();
  });

  it('moves the "ago" on with the clock, without any event', async () => {
    let now = NOW;
    const screen = await renderApp({ model: modelWith(), now: () => now, tickMs: 20 }, { columns: 200, rows: 40 });
    assert.match(lineWith(screen.frame(), 'VI_1'), /12s ago/);
    now += 30_000;
    assert.match(lineWith(await screen.until(/42s ago/), 'VI_1'), /42s ago/);
    screen.unmount();
  });
});

describe('virtual servers panel', () => {
  it('shows each real server: health, weight and kernel weight, drain, connections, check latency', async () => {
    const s = status({
      virtualServers: [
        virtualServer({
          realServers: [
            realServer(),
            realServer({
              address: '203.0.113.22',
              health: 'down',
              healthReason: 'HTTP_GET: connection refused',
              kernel: undefined,
              lastCheck: undefined,
            }),
            realServer({
              address: '203.0.113.23',
              drained: true,
              kernel: { ...realServer().kernel!, weight: 0, activeConns: 3, inactiveConns: 1 },
            }),
          ],
        }),
      ],
    });
    const screen = await renderApp({ model: modelWith(s) }, { columns: 200, rows: 40 });
    const frame = screen.frame();
    assert.match(frame, /TCP 198\.51\.100\.10:80 +wrr DR +alive weight 100/);
    assert.match(lineWith(frame, '203.0.113.21:80'), /203\.0\.113\.21:80 +up +100\/100 +12\/340 +2\.5ms/);
    assert.match(lineWith(frame, '203.0.113.22:80'), /down +100\/- +- +- +HTTP_GET: connection refused/);
    assert.match(lineWith(frame, '203.0.113.23:80'), /up +100\/0 +DRAINED +3\/1/);
    screen.unmount();
  });

  it('draws the check latency history as a sparkline, highest sample tallest', async () => {
    const model = new MonitorModel('/run/vigil/vigil.sock');
    const latencies = [1, 2, 4, 8];
    latencies.forEach((latencyMs, i) => {
      const at = NOW - (latencies.length - i) * 1000;
      const rs = realServer({ lastCheck: { at: new Date(at).toISOString(), latencyMs } });
      model.apply({ kind: 'status', at, status: status({ virtualServers: [virtualServer({ realServers: [rs] })] }) });
    });
    const screen = await renderApp({ model }, { columns: 200, rows: 40 });
    assert.match(lineWith(screen.frame(), '203.0.113.21:80'), /▁▂▄█/);
    screen.unmount();
  });

  it('says when quorum is lost and the sorry server serves', async () => {
    const s = status({
      virtualServers: [
        virtualServer({
          quorum: 200,
          quorumHolds: false,
          sorryServer: { address: '203.0.113.99', port: 80, active: true },
        }),
      ],
    });
    const screen = await renderApp({ model: modelWith(s) }, { columns: 200, rows: 40 });
    assert.match(screen.frame(), /QUORUM LOST \(needs 200\) +sorry server 203\.0\.113\.99:80 serving/);
    screen.unmount();
  });
});

describe('event log', () => {
  it('shows the newest entries last, with their time, errors in red', async () => {
    const model = modelWith();
    model.note(NOW, 'info', 'VI_1 BACKUP -> MASTER (master down)');
    model.note(NOW + 1000, 'error', 'drain 203.0.113.21:80: refused');
    const screen = await renderApp({ model }, { columns: 120, rows: 30 });
    const frame = screen.frame();
    assert.ok(frame.indexOf('VI_1 BACKUP -> MASTER') < frame.indexOf('drain 203.0.113.21:80: refused'));
    assert.match(frame, /\d\d:\d\d:\d\d VI_1 BACKUP -> MASTER \(master down\)/);
    assert.match(screen.raw(), inColour(31, ' {2}\\d\\d:\\d\\d:\\d\\d drain 203\\.0\\.113\\.21:80: refused'));
    screen.unmount();
  });
});
