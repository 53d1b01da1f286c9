// A client's view of a VIP: asks it for an answer every 10 ms (./answer-probe.ts) and records
// when answers came, so a test can measure the outage a failover causes as a client would see it.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, NodeName } from './lab.js';

export const PROBE_INTERVAL_MS = 10;
/** A gap between two asks longer than this is the probe not being scheduled. */
const STALL_MS = 5 * PROBE_INTERVAL_MS;

const answerProbe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'answer-probe.js');

export class VipProbe {
  /** Reply times, in ms since the epoch. */
  readonly replies: number[] = [];
  /** Every ask, when it was made and when (if) it was answered, in ms since the epoch. */
  readonly asks: Ask[] = [];
  /** The asks not yet answered, by the time answer-probe printed for them. */
  private readonly pendingAsks = new Map<string, Ask>();
  private readonly child: ChildProcess;
  private pending = '';

  constructor(
    lab: Lab,
    from: NodeName,
    readonly vip: string,
  ) {
    this.child = lab.spawn(from, [process.execPath, answerProbe, vip, String(PROBE_INTERVAL_MS)]);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.pending += chunk.toString();
      const lines = this.pending.split('\n');
      this.pending = lines.pop() ?? '';
      for (const line of lines) this.record(line);
    });
  }

  /**
   * The longest a client asking after `since` (and up to `until`) waited for an answer: for a
   * lost ask, until the first later ask was answered. Time the probe itself was not scheduled
   * (a busy host) is not counted: it asked nothing then, and an answer that came while it slept
   * is read late but was not late.
   */
  longestWaitSince(since: number, until = Number.POSITIVE_INFINITY): number {
    return longestWait(this.asks, since, until, Date.now());
  }

  /** The probe's own stalls after `since`: each gap between asks much longer than the interval, in ms. */
  stallsSince(since: number): number[] {
    const asks = this.asks.filter((a) => a.at > since).sort((a, b) => a.at - b.at);
    return asks.slice(1).flatMap((a, i) => (a.at - asks[i]!.at > STALL_MS ? [Math.round(a.at - asks[i]!.at)] : []));
  }

  /** Whether a reply arrived after `since`. */
  answeredSince(since: number): boolean {
    return this.replies.some((t) => t > since);
  }

  /** A line of answer-probe: `asked ASKED_AT`, then `ANSWERED_AT ASKED_AT` if it was answered. */
  private record(line: string): void {
    const [first, asked] = line.split(' ');
    if (!first || asked === undefined) return;
    if (first === 'asked') {
      const ask = { at: Number(asked) };
      this.asks.push(ask);
      this.pendingAsks.set(asked, ask);
      return;
    }
    this.replies.push(Number(first));
    const ask = this.pendingAsks.get(asked);
    this.pendingAsks.delete(asked);
    if (ask) ask.answeredAt = Number(first);
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

type Ask = { at: number; answeredAt?: number };

/** VipProbe.longestWaitSince over `asks`, at time `now`. */
export function longestWait(asks: readonly Ask[], since: number, until: number, now: number): number {
  const sorted = asks.filter((a) => a.at > since).sort((a, b) => a.at - b.at);
  let longest = 0;
  for (const [i, ask] of sorted.entries()) {
    if (ask.at > until) break;
    const answeredAt = ask.answeredAt ?? sorted.slice(i + 1).find((a) => a.answeredAt !== undefined)?.answeredAt;
    const end = answeredAt ?? now;
    longest = Math.max(longest, end - ask.at - stalledWithin(sorted, i, end));
  }
  return longest;
}

/**
 * How long of asks[from].at .. end the probe was stalled: the part of each long gap between its
 * asks beyond one interval, as far as it falls before `end`.
 */
function stalledWithin(asks: readonly { at: number }[], from: number, end: number): number {
  let stalled = 0;
  for (let k = from; k + 1 < asks.length && asks[k]!.at < end; k++) {
    const gap = Math.min(asks[k + 1]!.at, end) - asks[k]!.at;
    if (asks[k + 1]!.at - asks[k]!.at > STALL_MS) stalled += Math.max(0, gap - PROBE_INTERVAL_MS);
  }
  return stalled;
}

/**
 * Polls `from`'s neighbour table until the VIP resolves to `mac` (the new master's gratuitous
 * ARP / NA reached the client); resolves with the milliseconds since `since`.
 */
export async function waitForVipAt(
  lab: Lab,
  from: NodeName,
  vip: string,
  mac: string,
  since: number,
  timeoutMs = 5000,
): Promise<number> {
  for (;;) {
    const { stdout } = await lab.exec(from, ['ip', '-j', 'neigh', 'show', vip]);
    const [entry] = JSON.parse(stdout) as { lladdr?: string }[];
    if (entry?.lladdr === mac) return Date.now() - since;
    if (Date.now() - since > timeoutMs)
      throw new Error(`${vip} still resolves to ${entry?.lladdr ?? 'nothing'} on ${from}, not ${mac}`);
  }
}
