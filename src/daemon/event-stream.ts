// One client's GET /v1/events: server-sent events written no faster than the client reads.
// Whatever a client does (pipelines requests behind the stream, stops reading, vanishes), the
// daemon holds at most MAX_BUFFERED_BYTES (plus one event) for it, and forgets it when it goes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonEvent } from '../api/schema.js';
import type { Logger } from './logger.js';

type LaggedEvent = Extract<DaemonEvent, { type: 'lagged' }>;

/** How much unsent data a client may leave in the daemon before its events are dropped. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A client that has not caught up after this long is disconnected. */
export const MAX_LAG_MS = 60_000;
/** SSE comment lines keep idle event streams from being cut by proxies or client timeouts. */
const KEEPALIVE_MS = 15_000;

/**
 * Which events a stream sends, given how much it has not yet delivered. Once its client is
 * `limit` bytes behind, every event is dropped (counted) until the client has read everything;
 * then it learns what it missed before anything newer, so it never sees a gap unannounced.
 */
export class LagTracker {
  private dropped = 0;
  private since = '';

  constructor(private readonly limit: number) {}

  /** True: send the event; false: it is dropped. `at` is now, as an ISO time. */
  admit(unsentBytes: number, at: string): boolean {
    if (this.dropped === 0 && unsentBytes < this.limit) return true;
    if (this.dropped === 0) this.since = at;
    this.dropped++;
    return false;
  }

  get lagging(): boolean {
    return this.dropped > 0;
  }

  /** The client has read everything sent: the `lagged` event to send first, if it missed any. */
  caughtUp(at: string): LaggedEvent | undefined {
    if (this.dropped === 0) return undefined;
    const event: LaggedEvent = { type: 'lagged', at, dropped: this.dropped, since: this.since };
    this.dropped = 0;
    return event;
  }
}

/** Subscribes `send` to the daemon's events; returns the function that unsubscribes it. */
export type Subscribe = (send: (event: DaemonEvent) => void) => () => void;

// Every stream sends the same bytes for an event: serialise each once, not once per client.
const frames = new WeakMap<DaemonEvent, string>();
function frameOf(event: DaemonEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/**
 * Serves one event stream until its connection closes. Unsubscribes on the socket's close as
 * well as the response's: node emits no `close` for a response still queued behind another.
 */
export function serveEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  subscribe: Subscribe,
  log: Logger,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const lag = new LagTracker(MAX_BUFFERED_BYTES);
  let stuckTimer: NodeJS.Timeout | undefined;
  const disconnectIfStuck = () => {
    log.warn({ lagMs: MAX_LAG_MS }, 'control: an event client has not read its events for too long; disconnecting it');
    req.socket.destroy();
  };
  const send = (event: DaemonEvent) => {
    if (lag.admit(res.writableLength, event.at)) {
      res.write(frameOf(event));
    } else if (stuckTimer === undefined) {
      stuckTimer = setTimeout(disconnectIfStuck, MAX_LAG_MS);
    }
  };
  res.on('drain', () => {
    const lagged = lag.caughtUp(new Date().toISOString());
    if (!lagged) return;
    clearTimeout(stuckTimer);
    stuckTimer = undefined;
    res.write(frameOf(lagged));
  });
  const keepalive = setInterval(() => {
    if (res.writableLength === 0) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();
  const unsubscribe = subscribe(send);
  return new Promise<void>((resolve) => {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      res.off('close', end);
      req.socket.off('close', end);
      clearInterval(keepalive);
      clearTimeout(stuckTimer);
      unsubscribe();
      resolve();
    };
    res.once('close', end);
    req.socket.once('close', end);
    if (req.socket.destroyed) end();
  });
}
