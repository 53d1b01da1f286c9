// UDP_CHECK: one datagram to the real server on a connected socket, so that the ICMP errors its
// host sends back reach us (IP_RECVERR: port unreachable and also host or network unreachable,
// as keepalived asks for). Without require_reply the server is up unless such an error comes
// back within connect_timeout (any reply counts as up too); with it, a reply passing
// udp-reply's rules must come back in time.
//
// The native socket rather than node:dgram, which can set neither IP_RECVERR (without it Linux
// reports only port unreachable on a connected socket, so a powered-off server whose neighbour
// lookup fails would look up) nor bind_if and fwmark.
import { type InetSocketAddress, nativeConstants, RawSocket, type ReceivedMessage } from '../net/native.js';
import { applyRouting, ICMP_REASONS } from './datagram-socket.js';
import { type ReplyRule, replyMismatch } from './udp-reply.js';
import type { CheckOutcome } from './verdict.js';

export interface UdpTarget {
  host: string;
  port: number;
  family: 4 | 6;
  payload: Buffer;
  /** Set by require_reply. */
  reply?: ReplyRule;
  /** Source address (bindto) and port (bind_port). */
  bindTo?: string;
  bindPort?: number;
  /** bind_if: the interface the datagram must leave by (SO_BINDTODEVICE). */
  bindIf?: string;
  /** fwmark: the mark the datagram carries for policy routing (SO_MARK). */
  fwmark?: number;
  timeoutMs: number;
}

function describe(error: NodeJS.ErrnoException, what: string): string {
  const reason = ICMP_REASONS[error.code ?? ''] ?? error.message;
  return error.syscall === 'recvmsg' ? reason : `cannot ${what}: ${reason}`;
}

/** Sends once and listens until connect_timeout; never rejects: every problem is a failed outcome. */
export function probeUdp(target: UdpTarget): Promise<CheckOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise((resolve) => {
    let socket: RawSocket<InetSocketAddress> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (ok: boolean, reason?: string) => {
      clearTimeout(timer);
      socket?.close();
      resolve(ok ? { ok, latencyMs: elapsed() } : { ok, latencyMs: elapsed(), reason: reason ?? 'failed' });
    };
    let step = 'open a socket';
    try {
      socket = openConnected(target, (next) => (step = next));
      socket.on('message', (message: ReceivedMessage<InetSocketAddress>) => {
        if (!target.reply) return finish(true);
        const mismatch = message.truncated ? 'reply longer than 64 KiB' : replyMismatch(message.data, target.reply);
        finish(mismatch === undefined, mismatch);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => finish(false, describe(error, 'receive')));
      step = 'send';
      socket.send(target.payload);
    } catch (error) {
      finish(false, describe(error as NodeJS.ErrnoException, step));
      return;
    }
    timer = setTimeout(() => finish(!target.reply, `no reply within ${target.timeoutMs / 1000} s`), target.timeoutMs);
  });
}

/** A UDP socket with the check's options, bound and connected; `stepping` names each step for errors. */
function openConnected(target: UdpTarget, stepping: (step: string) => void): RawSocket<InetSocketAddress> {
  const c = nativeConstants();
  const family = target.family === 4 ? c.AF_INET : c.AF_INET6;
  const socket = new RawSocket<InetSocketAddress>(family, c.SOCK_DGRAM, c.IPPROTO_UDP);
  try {
    if (target.family === 4) socket.setOption(c.IPPROTO_IP, c.IP_RECVERR, 1);
    else socket.setOption(c.IPPROTO_IPV6, c.IPV6_RECVERR, 1);
    applyRouting(socket, target, stepping);
    if (target.bindTo !== undefined || target.bindPort !== undefined) {
      stepping(
        `bind to ${target.bindTo ?? 'any address'}${target.bindPort !== undefined ? ` port ${target.bindPort}` : ''}`,
      );
      socket.bind({
        family,
        address: target.bindTo ?? (target.family === 4 ? '0.0.0.0' : '::'),
        port: target.bindPort ?? 0,
      });
    }
    stepping(`connect to ${target.host} port ${target.port}`);
    socket.connect({ family, address: target.host, port: target.port });
    return socket;
  } catch (error) {
    socket.close();
    throw error;
  }
}
