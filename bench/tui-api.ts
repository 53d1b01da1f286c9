// The control API as bench:tui serves it on a unix socket: GET /v1/status from the daemon's own
// projection of a store, and GET /v1/events through the daemon's own stream writer (framing,
// `hello` first, and its flow control: a client more than 1 MiB behind misses events and gets
// `lagged`). Around that writer it counts what each stream was offered, what it wrote to the
// socket and what it dropped, so the bench can say how many events the TUI really took.
import { rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { pino } from 'pino';
import type { DaemonEvent } from '../src/api/schema.js';
import { serveEventStream } from '../src/daemon/event-stream.js';
import { buildStatus, type DaemonIdentity } from '../src/daemon/status.js';
import type { StateStore } from '../src/daemon/store.js';

export interface ApiCounts {
  statusRequests: number;
  /** Events handed to a stream, `hello` included. */
  offered: number;
  /** Events written to a stream's socket (what its client reads, unless it leaves). */
  written: number;
  bytesWritten: number;
  /** Events the stream skipped because its client was behind, as its `lagged` events said. */
  dropped: number;
}

const LAGGED_PREFIX = 'event: lagged\ndata: ';

export class BenchApi {
  readonly counts: ApiCounts = { statusRequests: 0, offered: 0, written: 0, bytesWritten: 0, dropped: 0 };
  private readonly server: http.Server;
  private readonly log = pino({ level: 'warn' }, pino.destination(2));
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly store: StateStore,
    private readonly socket: string,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  listen(): Promise<void> {
    rmSync(this.socket, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socket, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const res of this.streams) res.end();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    rmSync(this.socket, { force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/v1/status') {
      this.counts.statusRequests++;
      const body = JSON.stringify(await buildStatus(this.store, this.identity(), new Date()));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else if (req.method === 'GET' && req.url === '/v1/events') {
      this.streams.add(res);
      this.countWrites(res);
      await serveEventStream(req, res, (send) => this.subscribe(send), this.log);
      this.streams.delete(res);
    } else {
      const body = JSON.stringify({ error: { code: 'not_found', message: 'bench:tui serves status and events only' } });
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(body);
    }
  }

  /** As vigild subscribes a stream: `hello` first, then every event of the store. */
  private subscribe(send: (event: DaemonEvent) => void): () => void {
    const offer = (event: DaemonEvent) => {
      this.counts.offered++;
      send(event);
    };
    offer({ type: 'hello', at: new Date().toISOString(), generation: this.store.loaded.generation });
    return this.store.subscribe(offer);
  }

  /** The stream writer writes one event per write() (and keepalive comments): count them there. */
  private countWrites(res: ServerResponse): void {
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('event: ')) {
        this.counts.bytesWritten += Buffer.byteLength(chunk);
        if (chunk.startsWith(LAGGED_PREFIX))
          this.counts.dropped += JSON.parse(chunk.slice(LAGGED_PREFIX.length)).dropped;
        else this.counts.written++;
      }
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
  }

  private identity(): DaemonIdentity {
    return {
      version: 'bench',
      pid: process.pid,
      startedAt: this.store.loaded.loadedAt,
      socket: this.socket,
      readOnlySocket: this.socket,
      stateDir: '/nonexistent',
    };
  }
}
