// UDP_CHECK: one datagram to the real server (see datagram-exchange for the socket). Without
// require_reply the server is up unless an ICMP error comes back within connect_timeout (any
// reply counts as up too); with it, a reply passing udp-reply's rules must come back in time.
import type { InetSocketAddress, ReceivedMessage } from '../net/native.js';
import { type DatagramTarget, exchangeDatagram, type Judgement } from './datagram-exchange.js';
import { type ReplyRule, replyMismatch } from './udp-reply.js';
import type { CheckOutcome } from './verdict.js';

export interface UdpTarget extends DatagramTarget {
  payload: Buffer;
  /** Set by require_reply. */
  reply?: ReplyRule;
}

/** Sends once and listens until connect_timeout; never rejects: every problem is a failed outcome. */
export function probeUdp(target: UdpTarget): Promise<CheckOutcome> {
  const { reply } = target;
  return exchangeDatagram(target, {
    payload: target.payload,
    judge(message: ReceivedMessage<InetSocketAddress>): Judgement {
      if (!reply) return { ok: true };
      const mismatch = message.truncated ? 'reply longer than 64 KiB' : replyMismatch(message.data, reply);
      return mismatch === undefined ? { ok: true } : { ok: false, reason: mismatch };
    },
    silence: () => (reply ? { ok: false, reason: `no reply within ${target.timeoutMs / 1000} s` } : { ok: true }),
  });
}
