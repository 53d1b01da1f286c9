// `vigil monitor`: follows vigild (src/tui/feed.ts) and shows it, as the Ink screen or, with
// --charts, the blessed-contrib charts. commands/monitor.ts loads this file by a dynamic import
// of the tsc output, so the CLI bundle never holds Ink or React.
import { VigilClient } from '../api/client.js';
import type { ExtraKey } from './extra-key.js';
import { type MonitorFeed, startFeed } from './feed.js';
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

interface ChartsModule {
  runCharts(options: { feed: MonitorFeed; stdin?: NodeJS.ReadStream; stdout?: NodeJS.WriteStream }): Promise<void>;
}

// blessed is loaded only for --charts. The specifier is a variable so this compiles before the
// charts module exists in this branch; its signature is the one the charts module exports.
const CHARTS = './charts/charts.js';

/**
 * Ink draws nothing but a last frame on exit when it thinks it runs under CI (is-in-ci reads
 * CI and CONTINUOUS_INTEGRATION once, when Ink is first imported). The monitor only runs on a
 * terminal, which is interactive whatever those say (a CI job driving it through tmux).
 */
async function loadScreen(): Promise<typeof import('./screen.js')> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await import('./screen.js');
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}

/** Resolves when the user quit. */
export async function runMonitor(options: MonitorOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const client = new VigilClient({ socket: options.socket });
  const feed = startFeed(client, new MonitorModel(options.socket));
  try {
    if (options.charts) {
      const { runCharts } = (await import(CHARTS)) as ChartsModule;
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
