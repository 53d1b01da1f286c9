// `vigil status --watch`: the status again whenever vigild announces something (its event
// stream: transitions, health changes, reloads, IPVS counters), not on a timer. When vigild
// goes away the watch says so once, retries with backoff, and picks up again when it is back.
import { DaemonUnreachableError, type VigilClient } from '../api/client.js';
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

/**
 * Runs `task` when asked, never twice at once: asks that come while it runs make one more run
 * after it, however many they were. A burst of events costs two status requests, not one each.
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

/** Follows one connection to vigild until it fails (why) or the watch is aborted (undefined). */
async function followOnce(options: WatchOptions, onConnected: () => void): Promise<string | undefined> {
  const connection = new AbortController();
  const abort = () => connection.abort();
  options.signal.addEventListener('abort', abort, { once: true });
  let failure: unknown;
  const refresh = coalesce(
    async () => {
      const status = await options.client.status();
      if (!connection.signal.aborted) options.show(status);
    },
    (err) => {
      failure ??= err;
      connection.abort();
    },
  );
  try {
    // The first event, `hello`, comes once the stream is subscribed: the status fetched for it
    // already includes whatever the next events announce, so nothing falls between the two.
    for await (const _event of options.client.events(connection.signal)) {
      onConnected();
      refresh();
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

/** Watches until `options.signal` aborts. */
export async function watchStatus(options: WatchOptions): Promise<void> {
  const initial = options.initialBackoffMs ?? 250;
  const max = options.maxBackoffMs ?? 5000;
  let delay = initial;
  let lost = false;
  while (!options.signal.aborted) {
    const why = await followOnce(options, () => {
      if (lost) options.note('vigil: connected to vigild again');
      lost = false;
      delay = initial;
    });
    if (why === undefined) return;
    if (!lost) options.note(`vigil: ${why}; retrying until it answers (Ctrl-C to stop)`);
    lost = true;
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, max);
  }
}
