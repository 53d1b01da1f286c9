// TCP_CHECK: a real server passes when a TCP connection to it is established in time. The
// connection is dropped at once; nothing is sent. It goes through the addon's batched exchanges
// (stream-exchange.ts), which also set bind_if (SO_BINDTODEVICE) and fwmark (SO_MARK) before
// connecting.
//
// The checkers that talk TLS or hold a conversation (SSL_GET, SMTP_CHECK) use node:net. node:net
// cannot set bind_if or fwmark: when either is set, the native addon opens the TCP socket and
// sets them, and node:net takes the descriptor over and connects it itself (net.Socket reuses a
// handle it was given), so the connection behaves like any other.
import net from 'node:net';
import { nativeConstants, RawSocket } from '../net/native.js';
import { applyRouting, ICMP_REASONS, type RoutingOption, routingStep } from './datagram-socket.js';
import { openExchange, type StreamExchange } from './stream-exchange.js';
import type { CheckOutcome } from './verdict.js';

export interface TcpTarget {
  host: string;
  port: number;
  /** Source address (bindto). */
  bindTo?: string;
  /** Source port (bind_port). */
  bindPort?: number;
  /** bind_if: the interface the connection must leave by (SO_BINDTODEVICE). */
  bindIf?: string;
  /** fwmark: the mark its packets carry for policy routing (SO_MARK). */
  fwmark?: number;
  /** connect_timeout: the whole attempt, not only an idle period. */
  timeoutMs: number;
}

/** Connection errors in the words an operator reads in a log or status line. */
const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Errors of bindto/bind_port, which are configuration mistakes rather than a server's fault. */
export const BIND_REASONS: Record<string, string> = {
  EADDRNOTAVAIL: 'not an address of this host',
  EADDRINUSE: 'address and port in use',
};

/** node:net's options for a connection to the target from bindto / bind_port. */
export function connectOptions(
  target: Pick<TcpTarget, 'host' | 'port' | 'bindTo' | 'bindPort'>,
): net.TcpNetConnectOpts {
  return {
    host: target.host,
    port: target.port,
    ...(target.bindTo !== undefined && { localAddress: target.bindTo }),
    ...(target.bindPort !== undefined && { localPort: target.bindPort }),
  };
}

/** Whether the connection needs the native socket: bind_if or fwmark is set. */
export const needsNativeSocket = (target: Pick<TcpTarget, 'bindIf' | 'fwmark'>): boolean =>
  target.bindIf !== undefined || target.fwmark !== undefined;

/**
 * An unconnected TCP socket with bind_if and fwmark applied, for node:net to connect. Throws
 * (an operator's sentence, code and syscall kept) when the kernel refuses an option: ENODEV for
 * an interface that does not exist, EPERM for a mark without CAP_NET_ADMIN.
 */
function nativeTcpSocket(target: Pick<TcpTarget, 'host' | 'bindIf' | 'fwmark'>): net.Socket {
  const c = nativeConstants();
  const raw = new RawSocket(net.isIPv6(target.host) ? c.AF_INET6 : c.AF_INET, c.SOCK_STREAM, c.IPPROTO_TCP);
  let step = 'open a socket';
  try {
    applyRouting(raw, target, (next) => (step = next));
  } catch (err) {
    raw.close();
    const { code, syscall, message } = err as NodeJS.ErrnoException;
    throw Object.assign(new Error(`cannot ${step}: ${ICMP_REASONS[code ?? ''] ?? message}`), { code, syscall });
  }
  return new net.Socket({ fd: raw.release(), readable: true, writable: true });
}

/**
 * A connecting socket to the target ('connect' or 'error' follows). Throws on bad arguments and
 * when the kernel refuses bind_if or fwmark.
 */
export function connectTcp(
  target: Pick<TcpTarget, 'host' | 'port' | 'bindTo' | 'bindPort' | 'bindIf' | 'fwmark'>,
): net.Socket {
  const options = connectOptions(target);
  return needsNativeSocket(target) ? nativeTcpSocket(target).connect(options) : net.connect(options);
}

/**
 * A socket error in an operator's words; `source` is where the check binds from (bindto,
 * bind_port) and how it routes (bind_if, fwmark), for errors of those.
 */
export function describeSocketError(
  err: NodeJS.ErrnoException & { option?: RoutingOption },
  source: Pick<TcpTarget, 'bindTo' | 'bindPort' | 'bindIf' | 'fwmark'>,
): string {
  const code = err.code ?? '';
  if (err.option) return `cannot ${routingStep(err.option, source)}: ${ICMP_REASONS[code] ?? err.message}`;
  if (err.syscall === 'bind') {
    const from = `${source.bindTo ?? 'any address'}${source.bindPort !== undefined ? ` port ${source.bindPort}` : ''}`;
    return `cannot connect from ${from}: ${BIND_REASONS[code] ?? err.message}`;
  }
  return CONNECT_REASONS[code] ?? err.message;
}

/** Connects once; never rejects: every problem is a failed outcome. */
export function probeTcp(target: TcpTarget): Promise<CheckOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise((resolve) => {
    let exchange: StreamExchange | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: CheckOutcome) => {
      clearTimeout(timer);
      exchange?.cancel();
      resolve(outcome);
    };
    try {
      exchange = openExchange(target, undefined, {
        connected: () => finish({ ok: true, latencyMs: elapsed() }),
        failed: (err) => finish({ ok: false, latencyMs: elapsed(), reason: describeSocketError(err, target) }),
        data: () => {},
        end: () => {},
      });
    } catch (err) {
      // What fails at once (bind, bind_if, fwmark, an unroutable address) is thrown.
      finish({ ok: false, latencyMs: elapsed(), reason: describeSocketError(err as NodeJS.ErrnoException, target) });
      return;
    }
    timer = setTimeout(
      () => finish({ ok: false, latencyMs: elapsed(), reason: `timed out after ${target.timeoutMs / 1000} s` }),
      target.timeoutMs,
    );
  });
}
