// The Prometheus listener: GET (or HEAD) /metrics and nothing else, on a TCP address the operator
// chose. Bounded, since anyone who can reach the port is a client: a few connections at once (the
// next is closed by node unanswered), short header, request and keep-alive timeouts, small
// headers, request bodies never read, and one render shared by the scrapes that come meanwhile
// (metrics-service.ts), so clients cost neither memory nor more than one render at a time.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ListenAddress } from '../inet/listen-address.js';
import type { Logger } from './logger.js';
import type { Rendered } from './metrics-registry.js';

/** A Prometheus server or two scrape a target; a few more leave room for curl. */
export const MAX_METRICS_CONNECTIONS = 8;
const MAX_HEADER_BYTES = 8 * 1024;
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const TIMEOUT_CHECK_MS = 1_000;

export class MetricsServer {
  private constructor(private readonly server: http.Server) {}

  /** Listens on `address`; rejects (EADDRINUSE, EADDRNOTAVAIL, ...) when it cannot. */
  static async listen(address: ListenAddress, scrape: () => Promise<Rendered>, log: Logger): Promise<MetricsServer> {
    const server = http.createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      },
      (req, res) => void answer(req, res, scrape, log),
    );
    server.maxConnections = MAX_METRICS_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.address, port: address.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new MetricsServer(server);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  scrape: () => Promise<Rendered>,
  log: Logger,
): Promise<void> {
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname !== '/metrics') return sendText(res, 404, 'not found: vigild serves only GET /metrics here\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendText(res, 405, `${req.method} is not allowed on /metrics; use GET\n`);
  }
  try {
    const { contentType, body } = await scrape();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    log.error({ err }, 'metrics: the scrape failed');
    sendText(res, 500, `internal error: ${(err as Error).message}\n`);
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
