// What the charts draw: which series, named how, on what scale, and how a thousand real servers
// are paged through rather than drawn at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Candidate,
  chartLabel,
  chartView,
  latencyCandidates,
  rateCandidates,
  SERIES_CAP,
} from '../../../src/tui/charts/series.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { ipvsStats, status, T0, virtualServer } from './charts-fixtures.js';

const NOW = T0 + 60_000;

function candidate(title: string, ...values: number[]): Candidate {
  return { title, samples: values.map((value, i) => ({ at: T0 + i * 2000, value })) };
}

describe('chartView', () => {
  test('one series per candidate with samples, highest latest value first, each in its own colour', () => {
    const view = chartView([candidate('a', 1, 2), candidate('b', 9, 3), candidate('idle')], NOW);
    assert.deepEqual(
      view.series.map((s) => s.title),
      ['b', 'a'],
    );
    assert.equal(view.total, 2);
    assert.notEqual(view.series[0]?.style.line, view.series[1]?.style.line);
    assert.equal(view.series[0]?.x.at(-1), 'now');
    assert.equal(view.series[0]?.y.at(-1), 3);
  });

  test('the scale has headroom above the highest value drawn, and is 1 when everything is 0', () => {
    assert.ok(chartView([candidate('a', 10, 50)], NOW).maxY > 50);
    assert.equal(chartView([candidate('a', 0, 0)], NOW).maxY, 1);
  });

  test('a thousand candidates: SERIES_CAP at a time, paged, the label says which and how to page', () => {
    const many = Array.from({ length: 1000 }, (_, i) => candidate(`rs${i}`, i));
    const first = chartView(many, NOW);
    assert.equal(first.series.length, SERIES_CAP);
    assert.equal(first.series[0]?.title, 'rs999');
    const title = { long: 'check latency (ms) per real server', short: 'latency (ms)' };
    assert.equal(
      chartLabel(title, first, 100, '←/→'),
      ` check latency (ms) per real server: 1-${SERIES_CAP} of 1000, highest first (←/→: page 1/167) `,
    );
    assert.equal(chartLabel(title, first, 50, '←/→'), ` latency (ms): 1-${SERIES_CAP} of 1000 (←/→: page 1/167) `);
    const second = chartView(many, NOW, 1);
    assert.equal(second.series[0]?.title, `rs${999 - SERIES_CAP}`);
    const beyond = chartView(many, NOW, 500);
    assert.equal(beyond.page, 166);
    assert.deepEqual(
      beyond.series.map((s) => s.title),
      ['rs3', 'rs2', 'rs1', 'rs0'],
    );
  });

  test('a smaller cap (a short chart has room for fewer names) pages by it', () => {
    const view = chartView([candidate('a', 3), candidate('b', 2), candidate('c', 1)], NOW, 1, 2);
    assert.deepEqual(
      view.series.map((s) => s.title),
      ['c'],
    );
    assert.deepEqual([view.first, view.page, view.pages], [2, 1, 2]);
    assert.equal(chartView([candidate('a', 3)], NOW, 0, 0).series.length, 1, 'always one at least');
  });

  test('all drawn: the label is just what the chart shows', () => {
    const title = { long: 'connections/s per virtual server', short: 'conn/s' };
    const all = chartView([candidate('a', 1)], NOW);
    assert.equal(chartLabel(title, all, 80), ' connections/s per virtual server ');
    assert.equal(chartLabel(title, all, 20), ' conn/s ');
  });
});

describe('candidates from the model', () => {
  const model = new MonitorModel('/run/vigil/vigil.sock');
  const servers = (at: number, latency: number) => [
    virtualServer('198.51.100.80:80', [{ address: '203.0.113.21', latencyMs: latency, rate: 5 }], at),
    virtualServer(
      '198.51.100.81:80',
      [
        { address: '203.0.113.21', latencyMs: latency },
        { address: '203.0.113.22', latencyMs: 1 },
      ],
      at,
    ),
  ];
  model.apply({ kind: 'status', at: T0, status: status(servers(T0, 3)) });
  model.apply({ kind: 'event', at: T0 + 2000, event: ipvsStats(servers(T0 + 2000, 8), T0 + 2000) });

  test('virtual servers are named as status names them', () => {
    assert.deepEqual(
      rateCandidates(model).map((c) => c.title),
      ['198.51.100.80:80', '198.51.100.81:80'],
    );
  });

  test('real servers as ADDR:PORT, with their virtual server when they are in several', () => {
    assert.deepEqual(
      latencyCandidates(model).map((c) => c.title),
      ['203.0.113.21:80 in 198.51.100.80:80', '203.0.113.21:80 in 198.51.100.81:80', '203.0.113.22:80'],
    );
    const view = chartView(latencyCandidates(model), T0 + 2000);
    assert.equal(view.series[0]?.y.at(-1), 8);
  });
});
