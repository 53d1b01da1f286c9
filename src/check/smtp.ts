// SMTP_CHECK: a real server passes when, within connect_timeout, it greets with 220, answers
// HELO with 250 and answers QUIT with anything at all, as keepalived judges it. No mail is sent.
//
// keepalived bounds each read and write by connect_timeout; here it bounds the whole exchange,
// so a server that trickles its replies cannot hold a check for several timeouts.
import net from 'node:net';
import type { ConnectionOptions, SmtpCheck } from '../config/index.js';
import { readReply } from './smtp-reply.js';
import { connectTcp, describeSocketError, type TcpTarget } from './tcp.js';
import type { CheckOutcome } from './verdict.js';

/** keepalived's HELO name when helo_name is not set. */
export const DEFAULT_HELO_NAME = 'smtpchecker.keepalived.org';

export interface SmtpTarget extends TcpTarget {
  heloName: string;
  /** Set when the server checked is not the real server itself (connect_ip, connect_port, host blocks): named in reasons. */
  label?: string;
}

interface Step {
  /** What the checker waits for, in a reason's words. */
  awaiting: string;
  /** The reply code that passes; unset: any line. */
  expect?: number;
  /** What to send once this step's reply passed; unset: the check passed. */
  send?: (target: SmtpTarget) => string;
}

const STEPS: readonly Step[] = [
  { awaiting: 'the greeting', expect: 220, send: (target) => `HELO ${target.heloName}\r\n` },
  { awaiting: 'the reply to HELO', expect: 250, send: () => 'QUIT\r\n' },
  { awaiting: 'the reply to QUIT' },
];

/** A server's words, quoted briefly: enough to recognise, never a flood in a status line. */
const quote = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

type Move = { kind: 'wait' } | { kind: 'next'; send?: string; rest: string } | { kind: 'fail'; reason: string };

/** What the server's output so far means at `step`. Pure. */
export function smtpMove(step: Step, buffered: string, target: SmtpTarget): Move {
  const read = readReply(buffered);
  if (read.kind === 'incomplete') return { kind: 'wait' };
  // Once QUIT is sent the server has proven itself: any line ends the check.
  if (step.expect === undefined) return { kind: 'next', rest: '' };
  if (read.kind === 'malformed')
    return { kind: 'fail', reason: `not an SMTP reply as ${step.awaiting}: ${quote(read.line)}` };
  if (read.code !== step.expect)
    return {
      kind: 'fail',
      reason: `${step.awaiting} was ${quote(`${read.code} ${read.text}`)} (expected ${step.expect})`,
    };
  return { kind: 'next', ...(step.send && { send: step.send(target) }), rest: read.rest };
}

/** Talks to the server once; never rejects: every problem is a failed outcome. */
export function probeSmtp(target: SmtpTarget): Promise<CheckOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const prefix = target.label ? `${target.label}: ` : '';
  return new Promise((resolve) => {
    let socket: net.Socket;
    let step = -1; // connecting
    let buffered = '';
    try {
      socket = connectTcp(target);
    } catch (err) {
      resolve({
        ok: false,
        latencyMs: elapsed(),
        reason: prefix + describeSocketError(err as NodeJS.ErrnoException, target),
      });
      return;
    }
    const finish = (reason?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(
        reason === undefined
          ? { ok: true, latencyMs: elapsed() }
          : { ok: false, latencyMs: elapsed(), reason: prefix + reason },
      );
    };
    const waitingFor = () => (step < 0 ? 'connecting' : `waiting for ${STEPS[step]!.awaiting}`);
    const timer = setTimeout(
      () => finish(`timed out after ${target.timeoutMs / 1000} s ${waitingFor()}`),
      target.timeoutMs,
    );
    socket.setEncoding('latin1');
    socket.once('connect', () => (step = 0));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      // A reply and the next can arrive together only if the server does not wait for us; handle it anyway.
      for (let move = smtpMove(STEPS[step]!, buffered, target); move.kind !== 'wait'; ) {
        if (move.kind === 'fail') return finish(move.reason);
        if (move.send === undefined) return finish();
        socket.write(move.send);
        buffered = move.rest;
        step++;
        move = smtpMove(STEPS[step]!, buffered, target);
      }
    });
    socket.once('end', () => finish(`connection closed by the server ${waitingFor()}`));
    socket.once('error', (err) => finish(describeSocketError(err, target)));
  });
}

const CONNECTION_KEYS = ['connectIp', 'connectPort', 'bindTo', 'bindPort', 'bindIf', 'fwmark'] as const;

/**
 * keepalived makes every legacy `host { }` block a checker of its own (so each must pass for the
 * real server to be alive), and drops the SMTP_CHECK's own endpoint when the block sets no
 * connection option of its own and has hosts. (keepalived also keeps it for a block-level
 * connect_timeout, which the resolved config cannot tell from an inherited one.)
 */
export function splitSmtpHosts(checker: SmtpCheck): SmtpCheck[] {
  if (checker.hosts.length === 0) return [checker];
  const bare: SmtpCheck = { ...checker, hosts: [] };
  for (const key of CONNECTION_KEYS) delete bare[key];
  const ownEndpoint = CONNECTION_KEYS.some((key) => checker[key] !== undefined);
  const hosts = checker.hosts.map(({ pos: _pos, ...host }: ConnectionOptions & { pos: unknown }) => ({
    ...bare,
    ...host,
  }));
  return ownEndpoint ? [{ ...checker, hosts: [] }, ...hosts] : hosts;
}

/** Where and how one SMTP_CHECK talks to its real server. */
export function smtpTarget(checker: SmtpCheck, server: { address: string; port: number }): SmtpTarget {
  const host = checker.connectIp ?? server.address;
  const port = checker.connectPort ?? server.port;
  const elsewhere = host !== server.address || port !== server.port;
  return {
    host,
    port,
    ...(checker.bindTo !== undefined && { bindTo: checker.bindTo }),
    ...(checker.bindPort !== undefined && { bindPort: checker.bindPort }),
    ...(checker.bindIf !== undefined && { bindIf: checker.bindIf }),
    ...(checker.fwmark !== undefined && { fwmark: checker.fwmark }),
    timeoutMs: checker.connectTimeout * 1000,
    heloName: checker.heloName ?? DEFAULT_HELO_NAME,
    ...(elsewhere && { label: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}` }),
  };
}
