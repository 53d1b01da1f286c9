// Steady client traffic to a VIP (./http-client.ts in a lab node), counted as a user would: how
// many requests were answered, by which real server, and how many failed, over a recent window.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Lab, NodeName } from './lab.js';

const httpClient = path.join(path.dirname(fileURLToPath(import.meta.url)), 'http-client.js');
/** Results older than this are dropped: summaries look at the last few seconds only. */
const KEEP_MS = 60_000;

export interface LoadSummary {
  answered: number;
  failed: number;
  /** Answers per real server name, as the web servers name themselves. */
  byServer: Record<string, number>;
  /** Why the latest failure failed (ECONNREFUSED, timed out, HTTP 503). */
  lastFailure?: string;
}

interface Result {
  at: number;
  server?: string;
  failure?: string;
}

export class HttpLoad {
  private readonly results: Result[] = [];
  private readonly child: ChildProcess;

  constructor(lab: Lab, from: NodeName, address: string, intervalMs: number) {
    this.child = lab.spawn(from, [process.execPath, httpClient, address, String(intervalMs)]);
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.record(line));
  }

  /** What the client saw in the last `windowMs`. */
  summary(windowMs: number, now = Date.now()): LoadSummary {
    const summary: LoadSummary = { answered: 0, failed: 0, byServer: {} };
    for (const result of this.results) {
      if (result.at < now - windowMs) continue;
      if (result.server) {
        summary.answered++;
        summary.byServer[result.server] = (summary.byServer[result.server] ?? 0) + 1;
      } else {
        summary.failed++;
        summary.lastFailure = result.failure;
      }
    }
    return summary;
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }

  /** A line of http-client: `ok NAME` or `failed REASON`. */
  private record(line: string): void {
    const [outcome, ...rest] = line.split(' ');
    const at = Date.now();
    if (outcome === 'ok') this.results.push({ at, server: rest[0] });
    else if (outcome === 'failed') this.results.push({ at, failure: rest.join(' ') });
    while (this.results.length > 0 && this.results[0]!.at < at - KEEP_MS) this.results.shift();
  }
}
