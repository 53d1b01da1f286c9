// The control API over unix sockets: the control socket (0660, every route) and the read-only
// socket beside it (0666, GET routes only). Every bad request gets a 4xx with a message and the
// daemon carries on; nothing a client sends can take it down.
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import { type RouteName, routes } from '../api/endpoints.js';
import type { ErrorCode, ErrorResponse } from '../api/schema.js';
import {
  CheckRunRequest,
  DrainRequest,
  FailoverRequest,
  MaintenanceRequest,
  ReloadRequest,
  UndrainRequest,
} from '../api/schema.js';
import { type Subscribe, serveEventStream } from './event-stream.js';
import { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';

/** The largest request body accepted; every API request is a small JSON object. */
export const MAX_BODY_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
/**
 * Open connections each socket serves; the one over is answered 503 and closed. Each socket
 * counts its own, so the world-writable read-only socket can never use up the control socket's.
 */
export const MAX_CONNECTIONS_PER_SOCKET = 64;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** How often node looks for requests past those timeouts; at its default, 30 s, a 10 s timeout took up to 40. */
const TIMEOUT_CHECK_MS = 1_000;
/** How long a refused connection may linger, reading the request it sent, before it is cut. */
const REFUSED_LINGER_MS = 1_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Partial<ErrorResponse['error']> = {},
  ) {
    super(message);
  }
}

/** What the daemon does for each route; the server only moves bytes and validates shape. */
export interface ControlHandlers {
  status(): Promise<unknown>;
  reload(request: ReloadRequest): Promise<unknown>;
  /** Runs one real server's checks now; throws HttpError for a server it does not know. */
  checkRun(request: CheckRunRequest): Promise<unknown>;
  /** Drains or undrains real servers; throws HttpError for one it does not know, or a refused undrain. */
  drain(request: DrainRequest): Promise<unknown>;
  undrain(request: UndrainRequest): Promise<unknown>;
  /** Operator hand-off, take and release of VRRP instances; throws HttpError when refused. */
  failover(request: FailoverRequest): Promise<unknown>;
  maintenance(request: MaintenanceRequest): Promise<unknown>;
  /** The first event of every stream, then live events until the returned function is called. */
  subscribe: Subscribe;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export class ControlServer {
  private readonly servers: http.Server[] = [];
  private readonly socketPaths: string[] = [];
  private readonly eventStreams = new Set<ServerResponse>();
  /** Connections carrying an event stream: it never ends, so nothing may be pipelined behind it. */
  private readonly streamingSockets = new WeakSet<Duplex>();
  /** Connections over the cap, answered 503 before they said anything; their requests are ignored. */
  private readonly refusedSockets = new WeakSet<Duplex>();
  private readonly throttle = new LogThrottle();
  private readonly handlers: Record<RouteName, Handler>;

  constructor(
    private readonly daemon: ControlHandlers,
    private readonly log: Logger,
  ) {
    this.handlers = {
      status: async (_req, res) => sendJson(res, 200, await this.daemon.status()),
      reload: async (req, res) => {
        const request = parseBody(ReloadRequest, await readJsonBody(req));
        sendJson(res, 200, await this.daemon.reload(request));
      },
      checkRun: async (req, res) => {
        const request = parseBody(CheckRunRequest, await readJsonBody(req));
        sendJson(res, 200, await this.daemon.checkRun(request));
      },
      drain: async (req, res) => {
        const request = parseBody(DrainRequest, await readJsonBody(req));
        sendJson(res, 200, await this.daemon.drain(request));
      },
      undrain: async (req, res) => {
        const request = parseBody(UndrainRequest, await readJsonBody(req));
        sendJson(res, 200, await this.daemon.undrain(request));
      },
      failover: async (req, res) => {
        const request = parseBody(FailoverRequest, await readJsonBody(req));
        sendJson(res, 200, await this.daemon.failover(request));
      },
      maintenance: async (req, res) => {
        const request = parseBody(MaintenanceRequest, await readJsonBody(req));
        sendJson(res, 200, await this.daemon.maintenance(request));
      },
      events: async (req, res) => this.streamEvents(req, res),
    };
  }

  /** Listens on the control socket (0660) and the read-only socket (0666). */
  async listen(socket: string, readOnlySocket: string): Promise<void> {
    await this.listenOn(socket, 0o660, false);
    await this.listenOn(readOnlySocket, 0o666, true);
  }

  /** Ends event streams, stops accepting, and removes the socket files. */
  async close(): Promise<void> {
    for (const res of this.eventStreams) res.end();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    for (const socketPath of this.socketPaths) removeSocketFile(socketPath);
    this.servers.length = 0;
    this.socketPaths.length = 0;
  }

  private async listenOn(socketPath: string, mode: number, readOnly: boolean): Promise<void> {
    mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o755 });
    await claimSocketPath(socketPath);
    const server = http.createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        requestTimeout: REQUEST_TIMEOUT_MS,
        headersTimeout: HEADERS_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      },
      (req, res) => void this.handle(req, res, readOnly),
    );
    const open = new Set<Duplex>();
    // Before node's HTTP layer sees the connection, so the refusal is the first thing written.
    server.prependListener('connection', (socket: Duplex) => {
      if (open.size < MAX_CONNECTIONS_PER_SOCKET) {
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        return;
      }
      this.refuseConnection(socket, socketPath);
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      this.log.debug({ err: err.message }, 'control: malformed request');
      if (!socket.writable) return socket.destroy();
      endWithError(socket, clientErrorAnswer(err));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(socketPath, mode);
    this.servers.push(server);
    this.socketPaths.push(socketPath);
  }

  private refuseConnection(socket: Duplex, socketPath: string): void {
    this.refusedSockets.add(socket);
    const { log, suppressed } = this.throttle.admit(`connections|${socketPath}`, Date.now());
    if (log) {
      this.log.warn(
        { socket: socketPath, limit: MAX_CONNECTIONS_PER_SOCKET, refusedBefore: suppressed },
        'control: too many connections; refusing new ones',
      );
    }
    endWithError(socket, {
      status: '503 Service Unavailable',
      code: 'too_many_connections',
      message: `${socketPath} already serves ${MAX_CONNECTIONS_PER_SOCKET} connections; close some (event streams, idle clients) and retry`,
    });
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  }

  private async handle(req: IncomingMessage, res: ServerResponse, readOnly: boolean): Promise<void> {
    if (this.refusedSockets.has(req.socket)) return;
    if (this.streamingSockets.has(req.socket)) {
      // Its answer would wait forever behind the stream; holding it is how memory would leak.
      this.log.debug('control: a request pipelined behind an event stream; closing the connection');
      req.socket.destroy();
      return;
    }
    try {
      const pathname = (req.url ?? '/').split('?')[0];
      const routeName = (Object.keys(routes) as RouteName[]).find(
        (name) => routes[name].path === pathname && routes[name].method === req.method,
      );
      if (!routeName) throw routeMismatch(pathname ?? '/', req.method ?? '');
      if (readOnly && routes[routeName].method !== 'GET') {
        throw new HttpError(
          403,
          'read_only',
          `${req.method} ${pathname} is not served on the read-only socket; use the control socket (root or the socket's group)`,
        );
      }
      await this.handlers[routeName](req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        // An unread body is drained by node (bounded by requestTimeout), so the client can
        // finish sending and read this answer.
        sendJson(res, err.status, { error: { code: err.code, message: err.message, ...err.extra } });
        return;
      }
      this.log.error({ err }, 'control: request failed');
      sendJson(res, 500, { error: { code: 'internal', message: `internal error: ${(err as Error).message}` } });
    }
  }

  private async streamEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.streamingSockets.add(req.socket);
    this.eventStreams.add(res);
    this.log.debug({ eventStreams: this.eventStreams.size }, 'control: event stream opened');
    await serveEventStream(req, res, (send) => this.daemon.subscribe(send), this.log);
    this.eventStreams.delete(res);
    this.log.debug({ eventStreams: this.eventStreams.size }, 'control: event stream closed');
  }
}

interface RawAnswer {
  status: string;
  code: ErrorCode;
  message: string;
}

/** What node's HTTP parser could not take, and the answer for it. */
function clientErrorAnswer(err: NodeJS.ErrnoException): RawAnswer {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: '431 Request Header Fields Too Large',
        code: 'headers_too_large',
        message: `the request headers are larger than ${MAX_HEADER_BYTES} bytes`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: '408 Request Timeout',
        code: 'request_timeout',
        message: `the request did not arrive in time (headers within ${HEADERS_TIMEOUT_MS / 1000} s, all of it within ${REQUEST_TIMEOUT_MS / 1000} s)`,
      };
    default:
      return {
        status: '400 Bad Request',
        code: 'bad_request',
        message: `malformed HTTP request (${err.code ?? err.message})`,
      };
  }
}

/** Answers straight on the socket, for when node's HTTP layer has no response object to give. */
function endWithError(socket: Duplex, { status, code, message }: RawAnswer): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

function routeMismatch(pathname: string, method: string): HttpError {
  const allowed = Object.values(routes)
    .filter((r) => r.path === pathname)
    .map((r) => r.method);
  if (allowed.length > 0) {
    return new HttpError(
      405,
      'method_not_allowed',
      `${method} is not allowed on ${pathname}; use ${allowed.join(' or ')}`,
    );
  }
  const known = Object.values(routes)
    .map((r) => `${r.method} ${r.path}`)
    .join(', ');
  return new HttpError(404, 'not_found', `no route ${method} ${pathname}; routes are ${known}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `the body must be JSON (content-type: application/json), got '${type || 'none'}'`,
    );
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.length === 0 ? {} : JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'bad_request', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

const tooLarge = () =>
  new HttpError(413, 'payload_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`);

function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new HttpError(400, 'bad_request', `invalid request: ${problems.join('; ')}`);
}

/**
 * Makes `socketPath` free to bind: a live daemon there is an error (two daemons must never
 * share a socket); a stale file left by a crash is removed.
 */
async function claimSocketPath(socketPath: string): Promise<void> {
  if (!existsSync(socketPath)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) {
    throw new Error(`another process is already serving ${socketPath}; stop it, or give this vigild its own --socket`);
  }
  removeSocketFile(socketPath);
}

function removeSocketFile(socketPath: string): void {
  try {
    unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
