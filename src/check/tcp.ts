// TCP_CHECK: a real server passes when a TCP connection to it is established in time. The
// connection is dropped at once; nothing is sent.
//
// keepalived's bind_if and fwmark cannot be had from node:net (they need SO_BINDTODEVICE and
// SO_MARK on the socket before connect), so they are not applied: the connection leaves by
// the routing table's choice, unmarked.
import net from 'node:net';
import type { CheckOutcome } from './verdict.js';

export interface TcpTarget {
  host: string;
  port: number;
  /** Source address (bindto). */
  bindTo?: string;
  /** Source port (bind_port). */
  bindPort?: number;
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
const BIND_REASONS: Record<string, string> = {
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

/** A socket error in an operator's words; `source` is where the check binds from (bindto, bind_port). */
export function describeSocketError(
  err: NodeJS.ErrnoException,
  source: Pick<TcpTarget, 'bindTo' | 'bindPort'>,
): string {
  const code = err.code ?? '';
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
    let socket: net.Socket;
    try {
      socket = net.connect(connectOptions(target));
    } catch (err) {
      // Bad arguments (a port out of range, an unusable address) are thrown, not emitted.
      resolve({ ok: false, latencyMs: elapsed(), reason: describeSocketError(err as NodeJS.ErrnoException, target) });
      return;
    }
    const finish = (outcome: CheckOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // A timer of our own, as the socket's `timeout` only measures inactivity and closes nothing.
    const timer = setTimeout(
      () => finish({ ok: false, latencyMs: elapsed(), reason: `timed out after ${target.timeoutMs / 1000} s` }),
      target.timeoutMs,
    );
    socket.once('connect', () => finish({ ok: true, latencyMs: elapsed() }));
    socket.once('error', (err) =>
      finish({ ok: false, latencyMs: elapsed(), reason: describeSocketError(err, target) }),
    );
  });
}
