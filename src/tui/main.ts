// `vigil monitor`: follows vigild (src/tui/feed.ts) and shows it, as the Ink screen or, with
// --charts, the blessed-contrib charts. commands/monitor.ts loads this file by a dynamic import
// of the tsc output, so the CLI bundle never holds Ink or React.
import { VigilClient } from '../api/client.js';
import type { ExtraKey } from './extra-key.js';
import { startFeed } from './feed.js';
import { loadScreen } from './load-screen.js';
import { MonitorModel } from './model.js';

export type { ExtraKey } from './extra-key.js';

export interface MonitorOptions {
  socket: string;
  /** --charts: connection rates and check latency over time (src/tui/charts). */
  charts?: boolean;
  /** Shown in the footer and the help; used by the demo. */
  extraKeys?: ExtraKey[];
  /** One line shown at the top (the demo's hints). */
  banner?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** Resolves when the user quit. */
export async function runMonitor(options: MonitorOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const client = new VigilClient({ socket: options.socket });
  const feed = startFeed(client, new MonitorModel(options.socket));
  try {
    if (options.charts) {
      // blessed is loaded only for --charts.
      const { runCharts } = await import('./charts/charts.js');
      await runCharts({ feed, stdin, stdout });
    } else {
      const { runScreen } = await loadScreen();
      await runScreen({ feed, client, stdin, stdout, extraKeys: options.extraKeys, banner: options.banner });
    }
  } finally {
    feed.close();
    await client.close();
  }
}
