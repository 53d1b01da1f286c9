// `vigil status --watch`: the status again whenever vigild announces something (its event
// stream: transitions, health changes, reloads, IPVS counters), not on a timer. A burst of
// events costs two status requests, not one each. When vigild goes away the watch says so once,
// retries with backoff, and picks up again when it is back (src/api/follow.ts).
import type { VigilClient } from '../api/client.js';
import { followDaemon } from '../api/follow.js';
import type { StatusResponse } from '../api/schema.js';

export interface WatchOptions {
  client: Pick<VigilClient, 'status' | 'events'>;
  /** Shows one status. */
  show(status: StatusResponse): void;
  /** A line about the connection (lost, back). */
  note(message: string): void;
  /** Aborted: the watch ends (Ctrl-C). */
  signal: AbortSignal;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Watches until `options.signal` aborts. */
export function watchStatus(options: WatchOptions): Promise<void> {
  return followDaemon({
    client: options.client,
    signal: options.signal,
    initialBackoffMs: options.initialBackoffMs,
    maxBackoffMs: options.maxBackoffMs,
    onEvent: () => true,
    onStatus: options.show,
    onLost: (why) => options.note(`vigil: ${why}; retrying until it answers (Ctrl-C to stop)`),
    onBack: () => options.note('vigil: connected to vigild again'),
  });
}
