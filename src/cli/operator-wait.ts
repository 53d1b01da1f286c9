// `--wait` of `vigil failover` and `vigil maintenance`: polls status until the instances are
// where the operator sent them, and says who is master and how long it took.
import type { VigilClient } from '../api/client.js';
import type { InstanceStatus } from '../api/schema.js';

const POLL_MS = 20;

/** A hand-off answers within 3 advert intervals; this only bounds a stuck daemon. */
export const OPERATOR_REQUEST_TIMEOUT_MS = 15 * 60 * 1000;
/** How long `--wait` waits unless `--timeout` says otherwise. */
export const DEFAULT_WAIT_MS = 10_000;

/** What the instances must look like: true when done. */
export type Settled = (instance: InstanceStatus) => boolean;

/** Backup (or fault) while another router is heard as master. */
export const otherMasterHeard: Settled = (i) => i.state === 'FAULT' || (i.state === 'BACKUP' && !!i.masterAddress);

export const isMaster: Settled = (i) => i.state === 'MASTER';

/** Either side of an election that has settled: master, or backup hearing one. */
export const electionSettled: Settled = (i) => isMaster(i) || otherMasterHeard(i);

export interface WaitOutcome {
  timedOut: boolean;
  /** From the command's start. */
  afterMs: number;
  /** Each instance's state and master as last seen. */
  instances: { name: string; state: string; master?: string }[];
}

/** Polls until every named instance (all, when none are named) is settled, or `timeoutMs` from `startedAt`. */
export async function waitUntilSettled(
  client: VigilClient,
  names: readonly string[] | undefined,
  settled: Settled,
  startedAt: number,
  timeoutMs: number,
): Promise<WaitOutcome> {
  for (;;) {
    const { instances } = await client.status();
    const watched = instances.filter((i) => names === undefined || names.includes(i.name));
    const done = watched.every(settled);
    const afterMs = Date.now() - startedAt;
    if (done || afterMs >= timeoutMs) {
      return {
        timedOut: !done,
        afterMs,
        instances: watched.map((i) => ({ name: i.name, state: i.state, master: i.masterAddress })),
      };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export function renderWait(outcome: WaitOutcome, timeoutMs: number): string {
  const seen = outcome.instances.map((i) => `${i.name} ${i.state}${i.master ? ` (master ${i.master})` : ''}`);
  return outcome.timedOut
    ? `timed out after ${timeoutMs / 1000} s: ${seen.join(', ')}`
    : `after ${outcome.afterMs} ms: ${seen.join(', ')}`;
}
