// PING_CHECK: one ICMP (IPv4) or ICMPv6 (IPv6) echo request; the real server is up when its
// echo reply comes back within connect_timeout.
//
// keepalived uses an unprivileged ping socket (SOCK_DGRAM) and widens the host's
// net.ipv4.ping_group_range to allow it. vigil leaves that sysctl alone (its default "1 0"
// refuses ping sockets even to root) and uses a raw socket, which root always may open: a raw
// socket hears every echo reply the host receives, so a reply counts only when its source,
// id and sequence are the request's.
import { parseIp } from '../inet/address.js';
import { type InetSocketAddress, nativeConstants, RawSocket, type ReceivedMessage } from '../net/native.js';
import { applyRouting, ICMP_REASONS } from './datagram-socket.js';
import { decodeEchoReply, type Echo, encodeEchoRequest } from './icmp-echo.js';
import { fillerPayload } from './udp-reply.js';
import type { CheckOutcome } from './verdict.js';

export interface PingTarget {
  host: string;
  family: 4 | 6;
  bindIf?: string;
  fwmark?: number;
  timeoutMs: number;
}

/** As ping(8) sends by default. */
const PAYLOAD = fillerPayload(56);

/** Each request's id is random per probe and its sequence counts per process, so concurrent probes never take each other's replies. */
let lastSequence = 0;

function nextSequence(): number {
  lastSequence = (lastSequence + 1) & 0xffff;
  return lastSequence;
}

/** Pings once; never rejects: every problem is a failed outcome. */
export function probePing(target: PingTarget): Promise<CheckOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const echo: Echo = {
    family: target.family,
    id: Math.floor(Math.random() * 0x10000),
    sequence: nextSequence(),
  };
  const host = parseIp(target.host)?.address ?? target.host;
  return new Promise((resolve) => {
    let socket: RawSocket<InetSocketAddress> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (ok: boolean, reason = 'failed') => {
      clearTimeout(timer);
      socket?.close();
      resolve(ok ? { ok, latencyMs: elapsed() } : { ok, latencyMs: elapsed(), reason });
    };
    let step = 'open a raw ICMP socket';
    try {
      const c = nativeConstants();
      const family = target.family === 4 ? c.AF_INET : c.AF_INET6;
      socket = new RawSocket<InetSocketAddress>(
        family,
        c.SOCK_RAW,
        target.family === 4 ? c.IPPROTO_ICMP : c.IPPROTO_ICMPV6,
      );
      applyRouting(socket, target, (next) => (step = next));
      socket.on('message', (message: ReceivedMessage<InetSocketAddress>) => {
        if (isReplyTo(echo, host, message)) finish(true);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => finish(false, `cannot receive: ${error.message}`));
      step = `send an echo request to ${target.host}`;
      socket.send(encodeEchoRequest(echo, PAYLOAD), { family, address: target.host });
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      finish(false, `cannot ${step}: ${ICMP_REASONS[err.code ?? ''] ?? err.message}`);
      return;
    }
    timer = setTimeout(() => finish(false, `no echo reply within ${target.timeoutMs / 1000} s`), target.timeoutMs);
  });
}

function isReplyTo(echo: Echo, host: string, message: ReceivedMessage<InetSocketAddress>): boolean {
  const reply = decodeEchoReply(echo.family, message.data);
  return (
    reply !== undefined &&
    reply.id === echo.id &&
    reply.sequence === echo.sequence &&
    (parseIp(message.address.address)?.address ?? message.address.address) === host
  );
}
