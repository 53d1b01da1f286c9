// HTTP_GET and SSL_GET: each url is fetched over a connection of its own, as keepalived does
// (no connection is kept or reused: a check must see what a new client would), and the check
// passes when every url passes its rules, checked in order and stopped at the first failure.
//
// The client is node:net / node:tls with keepalived's own request, not an HTTP library: undici
// and node:http only speak HTTP/1.1, while keepalived sends HTTP/1.0 unless told otherwise, and
// keepalived's digest is over the body as received (a chunked body is not decoded), which is
// what its genhash prints and what operators' configs hold.
//
// SSL_GET verifies no certificate, exactly as keepalived 2.2.7: it never asks OpenSSL to verify
// the peer, so self-signed, expired and misnamed certificates all pass; only the handshake must
// succeed. With enable_sni the url's virtual host is sent as the server name.
import type net from 'node:net';
import tls from 'node:tls';
import type { HttpProtocol } from '../config/index.js';
import { parseIp } from '../inet/address.js';
import { judgeReply, ReplyReader, requestText, type UrlRule } from './http-exchange.js';
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

function connect(target: HttpTarget, rule: UrlRule): net.Socket {
  if (!target.tls) return connectTcp(target);
  // node refuses an IP address as a server name (RFC 6066 allows only host names).
  const serverName = target.sni && rule.virtualhost !== undefined && !parseIp(rule.virtualhost) && rule.virtualhost;
  // TLS over the native socket waits for it to connect, as over its own.
  const transport = needsNativeSocket(target) ? { socket: connectTcp(target) } : connectOptions(target);
  return tls.connect({ ...transport, rejectUnauthorized: false, ...(serverName && { servername: serverName }) });
}

/** One url over one connection: why it failed, or undefined when it passed. Never rejects. */
function fetchUrl(target: HttpTarget, rule: UrlRule, where: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let phase: Phase = 'connecting';
    let socket: net.Socket;
    try {
      socket = connect(target, rule);
    } catch (err) {
      // Bad arguments (a port out of range, an unusable address) are thrown, not emitted.
      resolve(describeError(err as NodeJS.ErrnoException, phase, target));
      return;
    }
    const reader = new ReplyReader();
    let done = false;
    const finish = (failure: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(failure);
    };
    const judge = () => {
      if (done) return;
      const reply = reader.finish();
      if (reply) finish(judgeReply(rule, reply, where));
      else finish(`${phase === 'waiting for the reply' ? 'no reply' : 'the reply ended inside its headers'}${where}`);
    };
    // The whole exchange is bounded, so that a server trickling an endless body cannot hold a check.
    const timer = setTimeout(
      () => finish(`timeout after ${target.timeoutMs / 1000} s ${phase}${where}`),
      target.timeoutMs,
    );
    socket.once('connect', () => {
      phase = target.tls ? 'in the TLS handshake' : 'waiting for the reply';
      if (!target.tls) socket.write(requestText(rule, target.protocol));
    });
    socket.once('secureConnect', () => {
      phase = 'waiting for the reply';
      socket.write(requestText(rule, target.protocol));
    });
    socket.on('data', (chunk: Buffer) => {
      phase = 'reading the reply';
      reader.push(chunk);
      if (reader.error !== undefined) finish(`${reader.error}${where}`);
      else if (reader.complete) judge();
    });
    socket.once('end', judge);
    socket.once('error', (err) => finish(`${describeError(err, phase, target)}${where}`));
  });
}

/** Fetches every url in turn; the first failure fails the check with its reason. Never rejects. */
export async function probeHttp(target: HttpTarget): Promise<CheckOutcome> {
  const started = performance.now();
  for (const rule of target.urls) {
    const failure = await fetchUrl(target, rule, target.urls.length > 1 ? ` on ${rule.path}` : '');
    if (failure !== undefined) return { ok: false, latencyMs: performance.now() - started, reason: failure };
  }
  return { ok: true, latencyMs: performance.now() - started };
}
