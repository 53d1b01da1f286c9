// DNS_CHECK: a real server passes when it answers a UDP query for `type` `name` within
// connect_timeout with NOERROR, as keepalived judges it (see judgeReply). Datagrams that are
// not the reply are ignored until the time is up; keepalived's retries are the scheduler's.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { DnsCheck } from '../config/index.js';
import { encodeQuery, judgeReply } from './dns-message.js';
import { describeSocketError, type TcpTarget } from './tcp.js';
import type { CheckOutcome } from './verdict.js';

export interface DnsTarget extends TcpTarget {
  name: string;
  queryType: DnsCheck['queryType'];
}

/** ICMP errors a connected UDP socket reports, in an operator's words. */
const ICMP_REASONS: Record<string, string> = {
  ECONNREFUSED: 'ICMP port unreachable (nothing listens on the port)',
  EHOSTUNREACH: 'ICMP host unreachable',
  ENETUNREACH: 'ICMP network unreachable',
};

/** Sends one query and waits for its reply; never rejects: every problem is a failed outcome. */
export function probeDns(target: DnsTarget): Promise<CheckOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise((resolve) => {
    let query: Buffer;
    const id = randomInt(0x10000);
    try {
      query = encodeQuery(id, target.name, target.queryType);
    } catch (err) {
      resolve({ ok: false, latencyMs: 0, reason: `cannot query: ${(err as Error).message}` });
      return;
    }
    const socket = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
    /** The last datagram that was not the reply, said in a timeout's reason. */
    let ignored: string | undefined;
    let done = false;
    const finish = (reason?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(reason === undefined ? { ok: true, latencyMs: elapsed() } : { ok: false, latencyMs: elapsed(), reason });
    };
    const timer = setTimeout(
      () => finish(`no reply within ${target.timeoutMs / 1000} s${ignored ? ` (ignored ${ignored})` : ''}`),
      target.timeoutMs,
    );
    socket.on('message', (message) => {
      const judgement = judgeReply(id, message);
      if (judgement.kind === 'ignore') ignored = judgement.why;
      else finish(judgement.kind === 'fail' ? judgement.reason : undefined);
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(ICMP_REASONS[err.code ?? ''] ?? describeSocketError(err, target)),
    );
    // Bound and connected as keepalived does, so only the server's own datagrams (and its ICMP errors) come back.
    socket.bind({ port: target.bindPort ?? 0, ...(target.bindTo !== undefined && { address: target.bindTo }) }, () =>
      socket.connect(target.port, target.host, () => socket.send(query)),
    );
  });
}

export function dnsTarget(checker: DnsCheck, server: { address: string; port: number }): DnsTarget {
  return {
    host: checker.connectIp ?? server.address,
    port: checker.connectPort ?? server.port,
    ...(checker.bindTo !== undefined && { bindTo: checker.bindTo }),
    ...(checker.bindPort !== undefined && { bindPort: checker.bindPort }),
    timeoutMs: checker.connectTimeout * 1000,
    name: checker.name,
    queryType: checker.queryType,
  };
}
