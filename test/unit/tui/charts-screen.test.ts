// runCharts on a blessed screen over fake terminal streams: the series are named on screen, a
// change of the model is drawn, and quitting (a key or a signal) gives the terminal back.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { runCharts } from '../../../src/tui/charts/charts.js';
import type { MonitorFeed } from '../../../src/tui/feed.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { ipvsStats, type RealServerLoad, status, T0, virtualServer } from './charts-fixtures.js';
import { TerminalGrid } from './charts-terminal.js';

// The escapes blessed writes come from the terminfo entry: pin one that has an alternate screen.
process.env.TERM = 'xterm-256color';

const NORMAL_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

class FakeFeed implements MonitorFeed {
  readonly listeners = new Set<() => void>();
  constructor(readonly model: MonitorModel) {}
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  changed(): void {
    for (const listener of this.listeners) listener();
  }
  close(): void {}
}

function terminal(columns = 120, rows = 36) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns, rows });
  const grid = new TerminalGrid(columns, rows);
  let written = '';
  stdout.on('data', (chunk: Buffer) => {
    written += chunk.toString();
    grid.write(chunk.toString());
  });
  return {
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream & PassThrough,
    written: () => written,
    screen: () => grid.text(),
    resize(columns: number, rows: number) {
      grid.resize(columns, rows);
      Object.assign(stdout, { columns, rows });
      stdout.emit('resize');
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function servers(at: number, extra: RealServerLoad[] = []) {
  return [
    virtualServer('198.51.100.80:80', [{ address: '203.0.113.21', latencyMs: 4, rate: 12 }], at),
    virtualServer('198.51.100.81:443', [{ address: '203.0.113.22', latencyMs: 9, rate: 3 }, ...extra], at),
  ];
}

function restored(output: string): boolean {
  const lastShow = output.lastIndexOf(SHOW_CURSOR);
  return output.endsWith(NORMAL_SCREEN) && lastShow > output.lastIndexOf('203.0.113');
}

describe('runCharts', () => {
  test('draws the series named as status names them, redraws on a change, and q gives the terminal back', async () => {
    const model = new MonitorModel('/run/vigil/vigil.sock');
    model.apply({ kind: 'status', at: T0, status: status(servers(T0)) });
    model.apply({ kind: 'event', at: T0 + 2000, event: ipvsStats(servers(T0 + 2000), T0 + 2000) });
    const feed = new FakeFeed(model);
    const term = terminal();
    let now = T0 + 2000;
    const done = runCharts({ feed, stdin: term.stdin, stdout: term.stdout, now: () => now });
    await settle();
    const first = term.screen();
    assert.match(first, /connections\/s per virtual server/);
    assert.match(first, /check latency \(ms\) per real server/);
    // Legends: real servers are named only there; virtual servers there and in the state panel.
    assert.match(first, /203\.0\.113\.21:80/);
    assert.match(first, /203\.0\.113\.22:80/);
    assert.equal(first.split('198.51.100.81:443').length - 1, 2, 'virtual server in the legend and the panel');
    assert.match(first, /VI_1/);

    now = T0 + 4000;
    model.apply({
      kind: 'event',
      at: now,
      event: ipvsStats(servers(now, [{ address: '203.0.113.23', latencyMs: 30 }]), now),
    });
    assert.doesNotMatch(term.screen(), /203\.0\.113\.23/, 'drawn when the feed says so, not before');
    feed.changed();
    await settle();
    assert.match(term.screen(), /203\.0\.113\.23:80/);

    term.resize(90, 30);
    await settle();
    assert.match(term.screen(), /203\.0\.113\.23:80/, 'drawn again at the new size');
    // Each chart's time axis fits the new width (an unresized canvas pushes it out of its box).
    assert.equal(term.screen().match(/-10s/g)?.length, 2, term.screen());

    term.stdin.write('q');
    await done;
    assert.ok(restored(term.written()), JSON.stringify(term.written().slice(-120)));
    assert.equal(feed.listeners.size, 0, 'no longer follows the feed');
  });

  test('before the first snapshot it waits and says so; a SIGHUP (terminal closed) gives the terminal back', async () => {
    const feed = new FakeFeed(new MonitorModel('/run/vigil/vigil.sock'));
    const term = terminal();
    const done = runCharts({ feed, stdin: term.stdin, stdout: term.stdout });
    await settle();
    assert.match(term.screen(), /waiting for vigild/);
    assert.match(term.screen(), /connecting/);
    process.emit('SIGHUP');
    await done;
    assert.ok(term.written().endsWith(NORMAL_SCREEN));
    assert.equal(process.listenerCount('SIGHUP'), 0);
  });

  test('where the kernel has no IPVS the rate chart says so, and latency is still drawn', async () => {
    const model = new MonitorModel('/run/vigil/vigil.sock');
    const noIpvs = { available: false, error: 'no ip_vs module', ownedServices: 0 };
    model.apply({ kind: 'status', at: T0, status: status(servers(T0), { ipvs: noIpvs }) });
    const term = terminal();
    const done = runCharts({ feed: new FakeFeed(model), stdin: term.stdin, stdout: term.stdout, now: () => T0 });
    await settle();
    assert.match(term.screen(), /no rates: IPVS unavailable \(no ip_vs module\)/);
    assert.match(term.screen(), /203\.0\.113\.22:80/);
    term.stdin.write('q');
    await done;
  });

  test('an error while drawing gives the terminal back and rejects with it', async () => {
    const model = new MonitorModel('/run/vigil/vigil.sock');
    model.apply({ kind: 'status', at: T0, status: status(servers(T0)) });
    model.latency = () => {
      throw new Error('no latency here');
    };
    const term = terminal();
    await assert.rejects(
      runCharts({ feed: new FakeFeed(model), stdin: term.stdin, stdout: term.stdout }),
      /no latency here/,
    );
    assert.ok(term.written().endsWith(NORMAL_SCREEN));
  });
});
