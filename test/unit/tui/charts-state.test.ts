// The panel beside the charts: the link to vigild said plainly, and what the director is doing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectionLine, stateLines } from '../../../src/tui/charts/state-lines.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { instanceFixture as instance } from '../../helpers/status-fixture.js';
import { status, T0, virtualServer } from './charts-fixtures.js';

// The times it shows are local: pin the zone.
process.env.TZ = 'UTC';

const plain = (line: string) => line.replace(/\{\/?[a-z-]+\}/g, '');

describe('stateLines', () => {
  test('a lost daemon: why, that it is retrying, and since when', () => {
    const line = connectionLine({ state: 'lost', since: T0, reason: 'connect ENOENT /s' });
    assert.equal(plain(line), 'vigild lost: connect ENOENT /s, retrying (since 10:00:00)');
  });

  test('instances with their state and priority, virtual servers with their health, IPVS missing said so', () => {
    const model = new MonitorModel('/run/vigil/vigil.sock');
    const vs = virtualServer('198.51.100.80:80', [{ address: '203.0.113.21', latencyMs: 1 }], T0);
    model.apply({
      kind: 'status',
      at: T0,
      status: status([vs], {
        instances: [instance(), instance({ name: 'VI_2', state: 'BACKUP', effectivePriority: 90 })],
        ipvs: { available: false, error: 'no ip_vs module', ownedServices: 0 },
      }),
    });
    const lines = stateLines(model).map(plain);
    assert.deepEqual(lines.slice(0, 2), ['vigild live', '/run/vigil/vigil.sock']);
    assert.ok(lines.includes('IPVS unavailable: no ip_vs module'), lines.join('\n'));
    assert.ok(lines.includes('VI_1 MASTER prio 150'), lines.join('\n'));
    assert.ok(lines.includes('VI_2 BACKUP prio 150/90'), lines.join('\n'));
    assert.ok(lines.includes('198.51.100.80:80 1/1 up'), lines.join('\n'));
  });

  test("the daemon's text cannot open a tag", () => {
    const line = connectionLine({ state: 'lost', since: T0, reason: 'bad {red-fg}' });
    assert.match(line, /bad \{open\}red-fg\{close\}/);
  });
});
