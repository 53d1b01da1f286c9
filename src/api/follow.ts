// Follows vigild's event stream and re-reads its status when asked, riding out a daemon that
// goes away: the outage is reported once, retried with backoff, and the stream picked up again
// when vigild is back. `vigil status --watch` and `vigil monitor` both follow vigild this way.
import { DaemonUnreachableError, type VigilClient } from './client.js';
import type { DaemonEvent, StatusResponse } from './schema.js';

export interface FollowOptions {
  client: Pick<VigilClient, 'status' | 'events'>;
  /** Each event as it comes; true asks for a fresh status (coalesced: a burst costs two reads). */
  onEvent(event: DaemonEvent): boolean;
  /** A status read because an event asked for one. */
  onStatus(status: StatusResponse): void;
  /** The connection failed, and why; once per outage, however many retries follow. */
  onLost(why: string): void;
  /** The stream is back after an outage. */
  onBack?(): void;
  /** Aborted: the follow ends. */
  signal: AbortSignal;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Runs `task` when asked, never twice at once: asks that come while it runs make one more run
 * after it, however many they were.
 */
export function coalesce(task: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await task();
      } while (again);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** Follows one connection to vigild until it fails (why) or the follow is aborted (undefined). */
async function followOnce(options: FollowOptions, onConnected: () => void): Promise<string | undefined> {
  const connection = new AbortController();
  const abort = () => connection.abort();
  options.signal.addEventListener('abort', abort, { once: true });
  let failure: unknown;
  const refresh = coalesce(
    async () => {
      const status = await options.client.status();
      if (!connection.signal.aborted) options.onStatus(status);
    },
    (err) => {
      failure ??= err;
      connection.abort();
    },
  );
  try {
    // The first event, `hello`, comes once the stream is subscribed: a status read for it
    // already includes whatever the next events announce, so nothing falls between the two.
    for await (const event of options.client.events(connection.signal)) {
      onConnected();
      if (options.onEvent(event)) refresh();
    }
  } catch (err) {
    failure ??= err;
  } finally {
    options.signal.removeEventListener('abort', abort);
    connection.abort();
  }
  if (options.signal.aborted) return undefined;
  if (failure === undefined) return 'vigild closed the event stream';
  if (failure instanceof DaemonUnreachableError) return failure.message;
  return `lost the connection to vigild (${(failure as Error).message})`;
}

/** Follows until `options.signal` aborts. */
export async function followDaemon(options: FollowOptions): Promise<void> {
  const initial = options.initialBackoffMs ?? 250;
  const max = options.maxBackoffMs ?? 5000;
  let delay = initial;
  let lost = false;
  while (!options.signal.aborted) {
    const why = await followOnce(options, () => {
      if (lost) options.onBack?.();
      lost = false;
      delay = initial;
    });
    if (why === undefined) return;
    if (!lost) options.onLost(why);
    lost = true;
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, max);
  }
}
