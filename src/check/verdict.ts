// What one check means for its checker, keepalived's way: pure arithmetic over the checker's
// state, so the rules are tested without sockets, processes or time.

export type CheckOutcome =
  | { ok: true; latencyMs: number /** MISC_CHECK misc_dynamic: exit code − 2 */; weight?: number }
  | { ok: false; latencyMs: number; reason: string };

export interface CheckerState {
  up: boolean;
  /** Consecutive failed attempts; 0 after a success. */
  failures: number;
}

export interface VerdictTiming {
  /** Retries after a first failure before an up checker goes down. */
  retry: number;
  /** Seconds between those retries. */
  delayBeforeRetry: number;
  /** Seconds between regular checks. */
  delayLoop: number;
}

/**
 * A checker starts up, as keepalived assumes a real server works; with `alpha` it must prove it
 * first. Either way it starts with its retries used up, as keepalived does: a server that is dead
 * when checking begins leaves at its first failed check; only one that has passed a check since
 * gets `retry` more chances.
 */
export function initialCheckerState(alpha: boolean, retry: number): CheckerState {
  return { up: !alpha, failures: retry };
}

/** The next state, whether the checker changed up/down, and when to check next (seconds). */
export function afterCheck(
  state: CheckerState,
  outcome: CheckOutcome,
  timing: VerdictTiming,
): { state: CheckerState; changed: boolean; nextInSeconds: number } {
  if (outcome.ok) return { state: { up: true, failures: 0 }, changed: !state.up, nextInSeconds: timing.delayLoop };
  const failures = state.failures + 1;
  // Already down: nothing to retry, it is simply checked again on the regular loop.
  if (!state.up) return { state: { up: false, failures }, changed: false, nextInSeconds: timing.delayLoop };
  // The first attempt plus `retry` retries must all fail before the checker is given up on.
  if (failures > timing.retry)
    return { state: { up: false, failures }, changed: true, nextInSeconds: timing.delayLoop };
  return { state: { up: true, failures }, changed: false, nextInSeconds: timing.delayBeforeRetry };
}
