// The one client for the control API, used by every CLI command and the TUI: HTTP/1.1 over the
// daemon's unix socket.
import { Client } from 'undici';
import { readOnlySocketFor, routes, type RouteName } from './endpoints.js';
import type { DaemonEvent, Diagnostic, ErrorResponse, ReloadResponse, StatusResponse } from './schema.js';

/** Nothing answered on the socket: the daemon is not running, or the path is wrong. */
export class DaemonUnreachableError extends Error {
  constructor(
    readonly socket: string,
    readonly reason: string,
  ) {
    super(`vigild is not answering on ${socket}: ${reason}`);
    this.name = 'DaemonUnreachableError';
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

// Socket errors that mean "no daemon here" rather than a fault worth a stack trace.
const UNREACHABLE: Record<string, string> = {
  ENOENT: 'no such socket',
  ECONNREFUSED: 'connection refused (stale socket: the daemon is not running)',
  EACCES: 'permission denied',
  ENOTSOCK: 'not a socket',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_SOCKET: 'the connection was closed',
  ECONNRESET: 'the connection was reset',
};

export class VigilClient {
  private readonly clients = new Map<string, Client>();

  constructor(private readonly options: ClientOptions) {}

  status(): Promise<StatusResponse> {
    return this.call<StatusResponse>('status');
  }

  reload(): Promise<ReloadResponse> {
    return this.call<ReloadResponse>('reload', {});
  }

  /** The daemon's event stream until `signal` aborts or the daemon goes away. */
  async *events(signal?: AbortSignal): AsyncGenerator<DaemonEvent> {
    const { body } = await this.send('events', undefined, signal);
    let buffer = '';
    for await (const chunk of body) {
      buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
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
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }

  private async call<T>(route: RouteName, body?: unknown): Promise<T> {
    const { body: responseBody } = await this.send(route, body);
    return (await responseBody.json()) as T;
  }

  /**
   * Sends one request. A read (GET) refused on the control socket for lack of permission is
   * retried on the read-only socket, so an unprivileged operator can still read status.
   */
  private async send(route: RouteName, body: unknown, signal?: AbortSignal) {
    const { method, path } = routes[route];
    const attempt = (socket: string) => this.sendOn(socket, method, path, body, signal);
    try {
      return await attempt(this.options.socket);
    } catch (err) {
      if (method === 'GET' && err instanceof DaemonUnreachableError && err.reason === UNREACHABLE.EACCES) {
        return attempt(readOnlySocketFor(this.options.socket));
      }
      throw err;
    }
  }

  private async sendOn(socket: string, method: string, path: string, body: unknown, signal?: AbortSignal) {
    let response;
    try {
      response = await this.clientFor(socket).request({
        method: method as 'GET' | 'POST',
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const reason = UNREACHABLE[code];
      if (reason) throw new DaemonUnreachableError(socket, reason);
      throw err;
    }
    if (response.statusCode >= 400) {
      const text = await response.body.text();
      let parsed: ErrorResponse | undefined;
      try {
        parsed = JSON.parse(text) as ErrorResponse;
      } catch {
        // not JSON: report the raw text below
      }
      const error = parsed?.error;
      throw new ApiError(
        response.statusCode,
        error?.code ?? 'internal',
        error?.message ?? `HTTP ${response.statusCode}: ${text.slice(0, 200)}`,
        error?.diagnostics,
      );
    }
    return response;
  }

  private clientFor(socket: string): Client {
    let client = this.clients.get(socket);
    if (!client) {
      const timeout = this.options.timeoutMs ?? 5000;
      client = new Client('http://vigild', {
        socketPath: socket,
        connectTimeout: timeout,
        headersTimeout: timeout,
        // The event stream stays open without data between keep-alive comments.
        bodyTimeout: 0,
      });
      this.clients.set(socket, client);
    }
    return client;
  }
}
