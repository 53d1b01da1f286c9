// DNS_CHECK: a real server passes when it answers a UDP query for `type` `name` within
// connect_timeout with NOERROR, as keepalived judges it (see judgeReply). Datagrams that are
// not the reply are ignored until the time is up; keepalived's retries are the scheduler's.
// The query goes out on UDP_CHECK's socket (datagram-exchange), with keepalived's connection
// options: connect_ip, connect_port, bindto, bind_port, bind_if and fwmark.
import { randomInt } from 'node:crypto';
import net from 'node:net';
import type { DnsCheck } from '../config/index.js';
import { type DatagramTarget, exchangeDatagram } from './datagram-exchange.js';
import { encodeQuery, judgeReply } from './dns-message.js';
import type { CheckOutcome } from './verdict.js';

/** The family follows the host. */
export interface DnsTarget extends Omit<DatagramTarget, 'family'> {
  name: string;
  queryType: DnsCheck['queryType'];
}

/** Sends one query and waits for its reply; never rejects: every problem is a failed outcome. */
export function probeDns(target: DnsTarget): Promise<CheckOutcome> {
  const id = randomInt(0x10000);
  let payload: Buffer;
  try {
    payload = encodeQuery(id, target.name, target.queryType);
  } catch (err) {
    return Promise.resolve({ ok: false, latencyMs: 0, reason: `cannot query: ${(err as Error).message}` });
  }
  /** The last datagram that was not the reply, said in a timeout's reason. */
  let ignored: string | undefined;
  return exchangeDatagram(
    { ...target, family: net.isIPv6(target.host) ? 6 : 4 },
    {
      payload,
      judge(message) {
        const judgement = judgeReply(id, message.data);
        if (judgement.kind === 'ignore') {
          ignored = judgement.why;
          return undefined;
        }
        return judgement.kind === 'pass' ? { ok: true } : { ok: false, reason: judgement.reason };
      },
      silence: () => ({
        ok: false,
        reason: `no reply within ${target.timeoutMs / 1000} s${ignored ? ` (ignored ${ignored})` : ''}`,
      }),
    },
  );
}

export function dnsTarget(checker: DnsCheck, server: { address: string; port: number }): DnsTarget {
  return {
    host: checker.connectIp ?? server.address,
    port: checker.connectPort ?? server.port,
    ...(checker.bindTo !== undefined && { bindTo: checker.bindTo }),
    ...(checker.bindPort !== undefined && { bindPort: checker.bindPort }),
    ...(checker.bindIf !== undefined && { bindIf: checker.bindIf }),
    ...(checker.fwmark !== undefined && { fwmark: checker.fwmark }),
    timeoutMs: checker.connectTimeout * 1000,
    name: checker.name,
    queryType: checker.queryType,
  };
}
