// A client's view of a VIP: asks it for an answer every 10 ms (./answer-probe.ts) and records
// when answers came, so a test can measure the outage a failover causes as a client would see it.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, NodeName } from './lab.js';

export const PROBE_INTERVAL_MS = 10;

const answerProbe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'answer-probe.js');

export class VipProbe {
  /** Reply times, in ms since the epoch. */
  readonly replies: number[] = [];
  /** Every ask, when it was made and when (if) it was answered, in ms since the epoch. */
  readonly asks: { at: number; answeredAt?: number }[] = [];
  /** The asks not yet answered, by the time answer-probe printed for them. */
  private readonly pendingAsks = new Map<string, { at: number; answeredAt?: number }>();
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

  /** The longest stretch without a reply since `since` (ms epoch), minus the probe interval. */
  longestOutageSince(since: number): number {
    const times = [since, ...this.replies.filter((t) => t > since)];
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return Math.max(0, longest - PROBE_INTERVAL_MS);
  }

  /**
   * The longest a client asking after `since` (and up to `until`) waited for an answer: for a
   * lost ask, until the first later ask was answered. Unlike longestOutageSince, a probe that was
   * not scheduled (a busy host) asked nothing and so saw no outage; only what a client asked
   * for counts.
   */
  longestWaitSince(since: number, until = Number.POSITIVE_INFINITY): number {
    const asks = this.asks.filter((a) => a.at > since).sort((a, b) => a.at - b.at);
    let longest = 0;
    for (const [i, ask] of asks.entries()) {
      if (ask.at > until) break;
      const answeredAt = ask.answeredAt ?? asks.slice(i + 1).find((a) => a.answeredAt !== undefined)?.answeredAt;
      longest = Math.max(longest, (answeredAt ?? Date.now()) - ask.at);
    }
    return longest;
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
