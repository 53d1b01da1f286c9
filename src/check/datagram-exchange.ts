// One datagram to a real server and what comes back within connect_timeout, shared by UDP_CHECK
// and DNS_CHECK. The socket is keepalived's: bind_if and fwmark set, then bound (bindto,
// bind_port) and connected, so that only the server's datagrams and the ICMP errors its path
// sends back reach it (IP_RECVERR: host and network unreachable too, not only port unreachable).
//
// The native socket rather than node:dgram, which can set neither IP_RECVERR (without it Linux
// reports only port unreachable on a connected socket, so a powered-off server whose neighbour
// lookup fails would look silent) nor bind_if and fwmark.
import { type InetSocketAddress, nativeConstants, RawSocket, type ReceivedMessage } from '../net/native.js';
import { applyRouting, ICMP_REASONS } from './datagram-socket.js';
import { BIND_REASONS } from './tcp.js';
import type { CheckOutcome } from './verdict.js';

/** Where the datagram goes, and keepalived's connection options for it. */
export interface DatagramTarget {
  host: string;
  port: number;
  family: 4 | 6;
  /** Source address (bindto) and port (bind_port). */
  bindTo?: string;
  bindPort?: number;
  /** bind_if: the interface the datagram must leave by (SO_BINDTODEVICE). */
  bindIf?: string;
  /** fwmark: the mark the datagram carries for policy routing (SO_MARK). */
  fwmark?: number;
  timeoutMs: number;
}

export type Judgement = { ok: true } | { ok: false; reason: string };

export interface Exchange {
  payload: Buffer;
  /** What a datagram from the server means; undefined: not the reply, keep listening. */
  judge(message: ReceivedMessage<InetSocketAddress>): Judgement | undefined;
  /** The verdict when connect_timeout passes without one. */
  silence(): Judgement;
}

function describe(error: NodeJS.ErrnoException, step: string): string {
  const code = error.code ?? '';
  const reason = ICMP_REASONS[code] ?? BIND_REASONS[code] ?? error.message;
  return error.syscall === 'recvmsg' ? reason : `cannot ${step}: ${reason}`;
}

/** Sends the payload once and listens until judged or timed out; never rejects: every problem is a failed outcome. */
export function exchangeDatagram(target: DatagramTarget, exchange: Exchange): Promise<CheckOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let socket: RawSocket<InetSocketAddress> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (judgement: Judgement) => {
      clearTimeout(timer);
      socket?.close();
      resolve({ ...judgement, latencyMs: performance.now() - started });
    };
    let step = 'open a socket';
    try {
      socket = openConnected(target, (next) => (step = next));
      socket.on('message', (message) => {
        const judgement = exchange.judge(message);
        if (judgement) finish(judgement);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, reason: describe(error, 'receive') }));
      step = 'send';
      socket.send(exchange.payload);
    } catch (error) {
      finish({ ok: false, reason: describe(error as NodeJS.ErrnoException, step) });
      return;
    }
    timer = setTimeout(() => finish(exchange.silence()), target.timeoutMs);
  });
}

/** A UDP socket with the target's options, bound and connected; `stepping` names each step for errors. */
function openConnected(target: DatagramTarget, stepping: (step: string) => void): RawSocket<InetSocketAddress> {
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
