// Keeps a MonitorModel current from vigild: its event stream folded in as it comes, a fresh
// status on connecting and whenever an event says what the model holds may be stale (a reload,
// a lag), and the connection's loss and return. Listeners hear of changes at most once per
// notifyIntervalMs, so a burst of events (a thousand health changes at once) is one redraw.
import type { VigilClient } from '../api/client.js';
import { followDaemon } from '../api/follow.js';
import type { DaemonEvent } from '../api/schema.js';
import type { MonitorModel } from './model.js';

export interface FeedOptions {
  /** Listeners are told at most once per this many ms, default 100. */
  notifyIntervalMs?: number;
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface MonitorFeed {
  readonly model: MonitorModel;
  /** Called after the model changed (coalesced); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  close(): void;
}

/** Events after which the model's view may be stale: a new config, or skipped events. */
const STALE_AFTER: ReadonlySet<DaemonEvent['type']> = new Set(['hello', 'config.reloaded', 'lagged']);

export function startFeed(
  client: Pick<VigilClient, 'status' | 'events'>,
  model: MonitorModel,
  options: FeedOptions = {},
): MonitorFeed {
  const now = options.now ?? Date.now;
  const interval = options.notifyIntervalMs ?? 100;
  const listeners = new Set<() => void>();
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let lastNotified = 0;

  const notify = () => {
    timer = undefined;
    lastNotified = now();
    for (const listener of listeners) listener();
  };
  const changed = () => {
    if (timer || stop.signal.aborted) return;
    timer = setTimeout(notify, Math.max(0, lastNotified + interval - now()));
  };

  void followDaemon({
    client,
    signal: stop.signal,
    initialBackoffMs: options.initialBackoffMs,
    maxBackoffMs: options.maxBackoffMs,
    onEvent: (event) => {
      model.apply({ kind: 'event', at: now(), event });
      changed();
      return STALE_AFTER.has(event.type);
    },
    onStatus: (status) => {
      model.apply({ kind: 'status', at: now(), status });
      changed();
    },
    onLost: (reason) => {
      model.apply({ kind: 'lost', at: now(), reason });
      changed();
    },
  });

  return {
    model,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      stop.abort();
      clearTimeout(timer);
      listeners.clear();
    },
  };
}
