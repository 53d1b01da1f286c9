// `vigil monitor --charts`: the trends view, connection rates per virtual server and check
// latency per real server over time, on a blessed screen. It redraws when the feed says the
// model moved (coalesced there), and gives the terminal back however it ends: a quit key, a
// signal, the terminal going away, or an error while drawing.
import blessed from 'blessed';
import type { MonitorFeed } from '../feed.js';
import { createLayout, type Layout } from './layout.js';
import { paint } from './paint.js';

export interface ChartsOptions {
  feed: MonitorFeed;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Where the time axes end; tests pin it. */
  now?: () => number;
}

const QUIT_KEYS = ['q', 'escape', 'C-c'];
/** SIGHUP: the terminal closed. SIGINT: sent from outside (Ctrl-C itself is a key in raw mode). */
const QUIT_SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

/** Resolves when the user quit (or a signal ended it), with the terminal as it was before. */
export async function runCharts(options: ChartsOptions): Promise<void> {
  const output = options.stdout ?? process.stdout;
  const screen = blessed.screen({
    input: options.stdin ?? process.stdin,
    output,
    smartCSR: true,
    warnings: false,
    title: 'vigil monitor --charts',
  });
  const now = options.now ?? Date.now;
  const layout = createLayout(screen);
  let latencyPage = 0;

  return new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      for (const signal of QUIT_SIGNALS) process.off(signal, onSignal);
      output.off('error', finish);
      screen.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onSignal = () => finish();
    const redraw = () => {
      if (finished) return;
      try {
        latencyPage = paint(layout, options.feed.model, now(), latencyPage);
        screen.render();
      } catch (error) {
        finish(error);
      }
    };
    const page = (step: number) => () => {
      latencyPage = Math.max(0, latencyPage + step);
      redraw();
    };

    screen.key(QUIT_KEYS, () => finish());
    screen.key(['right', 'tab'], page(1));
    screen.key(['left', 'S-tab'], page(-1));
    screen.on('resize', () => {
      resizeCanvases(layout);
      redraw();
    });
    for (const signal of QUIT_SIGNALS) process.on(signal, onSignal);
    // EIO/EPIPE once the terminal is gone: nothing left to draw on.
    output.on('error', finish);
    const unsubscribe = options.feed.onChange(redraw);
    redraw();
  });
}

/** A line chart sizes its canvas when attached, so a new terminal size needs that again (as blessed-contrib's README does it). */
function resizeCanvases(layout: Layout): void {
  layout.rate.chart.emit('attach');
  layout.latency.chart.emit('attach');
}
