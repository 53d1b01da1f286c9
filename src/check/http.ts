// HTTP_GET and SSL_GET: each url is fetched over a connection of its own, as keepalived does
// (no connection is kept or reused: a check must see what a new client would), and the check
// passes when every url passes its rules, checked in order and stopped at the first failure.
//
// The client is keepalived's own request over the addon's batched exchanges (stream-exchange.ts;
// node:tls for SSL_GET), not an HTTP library: undici
// and node:http only speak HTTP/1.1, while keepalived sends HTTP/1.0 unless told otherwise, and
// keepalived's digest is over the body as received (a chunked body is not decoded), which is
// what its genhash prints and what operators' configs hold.
//
// SSL_GET verifies no certificate, exactly as keepalived 2.2.7: it never asks OpenSSL to verify
// the peer, so self-signed, expired and misnamed certificates all pass; only the handshake must
// succeed. With enable_sni the url's virtual host is sent as the server name.
import tls from 'node:tls';
import type { HttpProtocol } from '../config/index.js';
import { parseIp } from '../inet/address.js';
import { cachedBy } from '../weak-cache.js';
import { judgeReply, ReplyReader, requestText, type UrlRule, wantsOf } from './http-exchange.js';
import { type ExchangeHandlers, openExchange, type StreamExchange } from './stream-exchange.js';
import { connectOptions, connectTcp, describeSocketError, needsNativeSocket, type TcpTarget } from './tcp.js';
import type { CheckOutcome } from './verdict.js';

export interface HttpTarget extends TcpTarget {
  /** SSL_GET: TLS over the connection. */
  tls: boolean;
  /** enable_sni: send each url's virtual host (when it has one) as the TLS server name. */
  sni: boolean;
  protocol: HttpProtocol;
  /** Checked in order; `timeoutMs` bounds each url's whole exchange. */
  urls: readonly UrlRule[];
}

type Phase = 'connecting' | 'in the TLS handshake' | 'waiting for the reply' | 'reading the reply';

/** OpenSSL's error codes as node reports them, in words. */
const TLS_REASONS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port (plain HTTP?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the server does not speak TLS on this port (plain HTTP?)',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'no TLS version in common with the server',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no TLS version in common with the server',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the server refused the handshake (no cipher or version in common?)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server requires a client certificate',
  ECONNRESET: 'the server closed the connection during the handshake',
};

function describeError(err: NodeJS.ErrnoException, phase: Phase, target: HttpTarget): string {
  if (phase === 'connecting') return describeSocketError(err, target);
  if (phase === 'in the TLS handshake') return `TLS handshake failed: ${TLS_REASONS[err.code ?? ''] ?? err.message}`;
  return `${describeSocketError(err, target)} while ${phase}`;
}

/** What one url's exchange hears, over either transport. */
interface ReplyHandlers extends ExchangeHandlers {
  /** SSL_GET: the handshake is done and the request sent. */
  secured(): void;
}

/** SSL_GET's transport: node:tls over its own or the native socket, sending once secured. */
function tlsExchange(target: HttpTarget, rule: UrlRule, request: Buffer, handlers: ReplyHandlers): StreamExchange {
  // node refuses an IP address as a server name (RFC 6066 allows only host names).
  const serverName = target.sni && rule.virtualhost !== undefined && !parseIp(rule.virtualhost) && rule.virtualhost;
  // TLS over the native socket waits for it to connect, as over its own.
  const transport = needsNativeSocket(target) ? { socket: connectTcp(target) } : connectOptions(target);
  const socket = tls.connect({
    ...transport,
    rejectUnauthorized: false,
    ...(serverName && { servername: serverName }),
  });
  socket.once('connect', () => handlers.connected());
  socket.once('secureConnect', () => {
    handlers.secured();
    socket.write(request);
  });
  socket.on('data', (chunk: Buffer) => handlers.data(chunk));
  socket.once('end', () => handlers.end());
  socket.once('error', (err) => handlers.failed(err));
  return { cancel: () => socket.destroy() };
}

/** HTTP_GET's transport: the batched native exchange, which sends the request once connected. */
const plainExchange = (target: HttpTarget, _rule: UrlRule, request: Buffer, handlers: ReplyHandlers): StreamExchange =>
  openExchange(target, request, handlers);

/** Each url's request, built once: a server's checkers never change. */
const requestsOf = cachedBy((target: HttpTarget) =>
  target.urls.map((rule) => Buffer.from(requestText(rule, target.protocol))),
);

/** One url over one connection: why it failed, or undefined when it passed. Never rejects. */
function fetchUrl(target: HttpTarget, rule: UrlRule, request: Buffer, where: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let phase: Phase = 'connecting';
    let exchange: StreamExchange | undefined;
    let timer: NodeJS.Timeout | undefined;
    const reader = new ReplyReader(wantsOf(rule));
    let done = false;
    const finish = (failure: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      exchange?.cancel();
      resolve(failure);
    };
    const judge = () => {
      if (done) return;
      const reply = reader.finish();
      if (reply) finish(judgeReply(rule, reply, where));
      else finish(`${phase === 'waiting for the reply' ? 'no reply' : 'the reply ended inside its headers'}${where}`);
    };
    const handlers: ReplyHandlers = {
      connected: () => {
        phase = target.tls ? 'in the TLS handshake' : 'waiting for the reply';
      },
      secured: () => {
        phase = 'waiting for the reply';
      },
      data: (chunk) => {
        phase = 'reading the reply';
        reader.push(chunk);
        if (reader.error !== undefined) finish(`${reader.error}${where}`);
        else if (reader.complete) judge();
      },
      end: judge,
      failed: (err) => finish(`${describeError(err, phase, target)}${where}`),
    };
    try {
      exchange = (target.tls ? tlsExchange : plainExchange)(target, rule, request, handlers);
    } catch (err) {
      // What fails at once (bad arguments, bind, bind_if, fwmark) is thrown, not emitted.
      finish(describeError(err as NodeJS.ErrnoException, phase, target));
      return;
    }
    // The whole exchange is bounded, so that a server trickling an endless body cannot hold a check.
    timer = setTimeout(() => finish(`timeout after ${target.timeoutMs / 1000} s ${phase}${where}`), target.timeoutMs);
  });
}

/** Fetches every url in turn; the first failure fails the check with its reason. Never rejects. */
export async function probeHttp(target: HttpTarget): Promise<CheckOutcome> {
  const started = performance.now();
  const requests = requestsOf(target);
  for (const [i, rule] of target.urls.entries()) {
    const failure = await fetchUrl(target, rule, requests[i]!, target.urls.length > 1 ? ` on ${rule.path}` : '');
    if (failure !== undefined) return { ok: false, latencyMs: performance.now() - started, reason: failure };
  }
  return { ok: true, latencyMs: performance.now() - started };
}
