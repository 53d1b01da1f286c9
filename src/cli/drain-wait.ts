// `vigil drain --wait`: follows the drained real servers' active connections on the daemon's
// event stream (its `ipvs.stats`, every 2 s while someone watches) until none is left. Inactive
// connections (TIME_WAIT, FIN_WAIT, ...) carry no traffic that matters and do not hold a drain.
// A daemon restart mid-wait is ridden out: the drain persists, so the wait reconnects.
import type { DaemonEvent, DrainResponse, VirtualServerStatus } from '../api/schema.js';
import { endpoint } from './render-status.js';

/** A real server in one virtual server, as status names them. */
export interface DrainTarget {
  virtualServer: string;
  address: string;
  port: number;
}

export interface DrainCounts {
  activeConns: number;
  inactiveConns: number;
}

export type WaitOutcome =
  /** No active connection left. */
  | 'drained'
  | 'timedOut'
  /** Someone undrained one of them meanwhile. */
  | 'undrained'
  /** One of them left the config (a reload) meanwhile. */
  | 'removed';

export interface WaitResult extends DrainCounts {
  outcome: WaitOutcome;
  waitedSeconds: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** The event stream, from now on, until `signal` aborts; it may end or throw when the daemon goes away. */
  events: (signal: AbortSignal) => AsyncIterable<DaemonEvent>;
  /** Called on every news and every second: the counts so far and how long the wait has run. */
  progress: (counts: DrainCounts, elapsedMs: number, connected: boolean) => void;
  /** How long to wait before reconnecting to a daemon that went away. */
  reconnectMs?: number;
}

const targetsOf = (response: DrainResponse): DrainTarget[] =>
  response.realServers.map(({ virtualServer, address, port }) => ({ virtualServer, address, port }));

/** The drain's targets' counts in an `ipvs.stats` event, or why the wait is over without them. */
export function countsIn(
  virtualServers: readonly VirtualServerStatus[],
  targets: readonly DrainTarget[],
): DrainCounts | 'undrained' | 'removed' {
  const counts: DrainCounts = { activeConns: 0, inactiveConns: 0 };
  for (const target of targets) {
    const rs = virtualServers
      .find((vs) => vs.name === target.virtualServer)
      ?.realServers.find((r) => r.address === target.address && r.port === target.port);
    if (!rs) return 'removed';
    if (!rs.drained) return 'undrained';
    counts.activeConns += rs.kernel?.activeConns ?? 0;
    counts.inactiveConns += rs.kernel?.inactiveConns ?? 0;
  }
  return counts;
}

/** The drain's counts as its answer gave them (the kernel's, just after the weight went to 0). */
export function initialCounts(response: DrainResponse): DrainCounts {
  return {
    activeConns: response.realServers.reduce((n, rs) => n + (rs.kernel?.activeConns ?? 0), 0),
    inactiveConns: response.realServers.reduce((n, rs) => n + (rs.kernel?.inactiveConns ?? 0), 0),
  };
}

/** Waits until the drained real servers of `response` have no active connection, or the timeout. */
export async function waitForDrain(response: DrainResponse, options: WaitOptions): Promise<WaitResult> {
  const targets = targetsOf(response);
  const started = Date.now();
  let counts = initialCounts(response);
  let connected = true;
  const result = (outcome: WaitOutcome): WaitResult => ({
    outcome,
    ...counts,
    waitedSeconds: Math.round((Date.now() - started) / 100) / 10,
  });
  if (counts.activeConns === 0) return result('drained');
  const abort = new AbortController();
  const show = () => options.progress(counts, Date.now() - started, connected);
  const ticker = setInterval(show, 1000);
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  show();
  try {
    while (!abort.signal.aborted) {
      try {
        for await (const event of options.events(abort.signal)) {
          connected = true;
          const news = newsOf(event, targets);
          if (news === undefined) continue;
          if (typeof news === 'string') return result(news);
          counts = news;
          if (counts.activeConns === 0) return result('drained');
          show();
        }
      } catch {
        // The daemon went away (a restart): the drain persists, so wait for it to come back.
      }
      if (abort.signal.aborted) break;
      connected = false;
      show();
      await new Promise((resolve) => setTimeout(resolve, options.reconnectMs ?? 1000));
    }
    return result('timedOut');
  } finally {
    clearInterval(ticker);
    clearTimeout(timer);
    abort.abort();
  }
}

/** What an event says of the wait: new counts, its end, or nothing. */
function newsOf(event: DaemonEvent, targets: readonly DrainTarget[]): DrainCounts | WaitOutcome | undefined {
  if (event.type === 'ipvs.stats') return countsIn(event.virtualServers, targets);
  if (event.type !== 'realserver.drain' || event.drained) return undefined;
  const ours = targets.some((t) => t.virtualServer === event.virtualServer && endpoint(t) === event.realServer);
  if (!ours) return undefined;
  return event.reason === undefined ? 'undrained' : 'removed';
}
