// The one client for the control API, used by every CLI command and the TUI: HTTP/1.1 over the
// daemon's unix socket. It uses node:http rather than undici: a CLI run pays for every module it
// loads, and undici (its import plus compiling its WebAssembly HTTP parser) cost ~100 ms per
// `vigil status` here, against nothing for node:http, whose parser is built into node.
import http, { type IncomingMessage } from 'node:http';
import { type RouteName, readOnlySocketFor, routes } from './endpoints.js';
import type {
  CheckRunRequest,
  CheckRunResponse,
  DaemonEvent,
  Diagnostic,
  DrainRequest,
  DrainResponse,
  ErrorResponse,
  FailoverRequest,
  FailoverResponse,
  MaintenanceRequest,
  MaintenanceResponse,
  ReloadRequest,
  ReloadResponse,
  StatusResponse,
  UndrainRequest,
} from './schema.js';

// Socket errors that mean "no daemon here" rather than a fault worth a stack trace.
const UNREACHABLE: Record<string, string> = {
  ENOENT: 'no such socket',
  ECONNREFUSED: 'connection refused (stale socket: the daemon is not running)',
  EACCES: 'permission denied',
  ENOTSOCK: 'not a socket',
  ETIMEDOUT: 'no answer in time',
  ECONNRESET: 'the connection was reset',
};

/** Nothing answered on the socket: the daemon is not running, or the path is wrong. */
export class DaemonUnreachableError extends Error {
  constructor(
    readonly socket: string,
    readonly reason: string,
  ) {
    super(`vigild is not answering on ${socket}: ${reason}`);
    this.name = 'DaemonUnreachableError';
  }

  get permissionDenied(): boolean {
    return this.reason === UNREACHABLE.EACCES;
  }
}

/** The daemon answered with an error (4xx/5xx); `code` is the API's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorResponse['error']['code'],
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  socket: string;
  /** How long to wait for the daemon's answer headers before giving up. */
  timeoutMs?: number;
}

export class VigilClient {
  // One keep-alive agent per client: the TUI's repeated requests reuse a connection.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(private readonly options: ClientOptions) {}

  status(): Promise<StatusResponse> {
    return this.call<StatusResponse>('status');
  }

  reload(request: ReloadRequest = {}): Promise<ReloadResponse> {
    return this.call<ReloadResponse>('reload', request);
  }

  /** Runs one real server's checks now; the answer may take as long as its slowest check. */
  checkNow(request: CheckRunRequest): Promise<CheckRunResponse> {
    return this.call<CheckRunResponse>('checkRun', request);
  }

  /** Drains a real server; answered once the kernel has weight 0 for it. */
  drain(request: DrainRequest): Promise<DrainResponse> {
    return this.call<DrainResponse>('drain', request);
  }

  /** Ends a real server's drain; refused while its checks say down, unless `force`. */
  undrain(request: UndrainRequest): Promise<DrainResponse> {
    return this.call<DrainResponse>('undrain', request);
  }

  /** Hands off, takes or releases instances; a hand-off answers once another router took over (or refused). */
  failover(request: FailoverRequest): Promise<FailoverResponse> {
    return this.call<FailoverResponse>('failover', request);
  }

  maintenance(request: MaintenanceRequest): Promise<MaintenanceResponse> {
    return this.call<MaintenanceResponse>('maintenance', request);
  }

  /**
   * The daemon's event stream until `signal` aborts or the daemon goes away. A consumer that
   * falls more than a megabyte behind misses events: the daemon skips them and, once this
   * reader has caught up, yields a `lagged` event saying how many and since when; whatever the
   * consumer derives from events may then be stale, and `status()` gives the current state.
   */
  async *events(signal?: AbortSignal): AsyncGenerator<DaemonEvent> {
    const response = await this.send('events', undefined, signal);
    // Decoded as a stream, so a character split across two chunks stays whole.
    response.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of response) {
        buffer += chunk as string;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data) yield JSON.parse(data) as DaemonEvent;
        }
      }
    } catch (err) {
      // An abort by the caller ends the stream quietly; anything else is the caller's to see.
      if (!signal?.aborted) throw err;
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private async call<T>(route: RouteName, body?: unknown): Promise<T> {
    const response = await this.send(route, body);
    return JSON.parse(await readText(response)) as T;
  }

  /**
   * Sends one request. A read (GET) refused on the control socket for lack of permission is
   * retried on the read-only socket, so an unprivileged operator can still read status.
   */
  private async send(route: RouteName, body: unknown, signal?: AbortSignal): Promise<IncomingMessage> {
    const { method, path } = routes[route];
    const attempt = (socket: string) => this.sendOn(socket, method, path, body, signal);
    try {
      return await attempt(this.options.socket);
    } catch (err) {
      if (method === 'GET' && err instanceof DaemonUnreachableError && err.permissionDenied) {
        return attempt(readOnlySocketFor(this.options.socket));
      }
      throw err;
    }
  }

  private async sendOn(socket: string, method: string, path: string, body: unknown, signal?: AbortSignal) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: socket,
          agent: this.agent,
          method,
          path,
          headers:
            payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          timeout: this.options.timeoutMs ?? 5000,
          signal,
        },
        resolve,
      );
      // The timeout covers waiting for the answer; an open event stream is not "waiting".
      req.on('response', () => req.setTimeout(0));
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const reason = UNREACHABLE[err.code ?? ''];
        reject(reason ? new DaemonUnreachableError(socket, reason) : err);
      });
      req.end(payload);
    });
    const status = response.statusCode ?? 0;
    if (status >= 400) {
      const text = await readText(response);
      let parsed: ErrorResponse | undefined;
      try {
        parsed = JSON.parse(text) as ErrorResponse;
      } catch {
        // not JSON: report the raw text below
      }
      const error = parsed?.error;
      throw new ApiError(
        status,
        error?.code ?? 'internal',
        error?.message ?? `HTTP ${status}: ${text.slice(0, 200)}`,
        error?.diagnostics,
      );
    }
    return response;
  }
}

async function readText(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
