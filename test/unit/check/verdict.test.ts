// keepalived's checker arithmetic: how many failures put a checker down, when the next check
// is due, and how a checker starts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { afterCheck, type CheckerState, type CheckOutcome, initialCheckerState } from '../../../src/check/verdict.js';

const ok: CheckOutcome = { ok: true, latencyMs: 3 };
const fail: CheckOutcome = { ok: false, latencyMs: 3, reason: 'connection refused' };
/** A checker whose last check passed. */
const passed: CheckerState = { up: true, failures: 0 };

/** Feeds `outcomes` to a checker starting in `start`; each step's up/changed/next. */
function run(start: CheckerState, outcomes: CheckOutcome[], timing = { retry: 1, delayBeforeRetry: 2, delayLoop: 10 }) {
  let state = start;
  return outcomes.map((outcome) => {
    const result = afterCheck(state, outcome, timing);
    state = result.state;
    return { up: result.state.up, changed: result.changed, next: result.nextInSeconds };
  });
}

describe('checker verdicts', () => {
  test('a checker starts up, or down with alpha, with its retries used up', () => {
    assert.deepEqual(initialCheckerState(false, 2), { up: true, failures: 2 });
    assert.deepEqual(initialCheckerState(true, 2), { up: false, failures: 2 });
  });

  test('at start one failure is enough; once a check has passed, failures are retried', () => {
    assert.deepEqual(run(initialCheckerState(false, 2), [fail]), [{ up: false, changed: true, next: 10 }]);
    assert.deepEqual(run(initialCheckerState(false, 1), [ok, fail, fail]), [
      { up: true, changed: false, next: 10 },
      { up: true, changed: false, next: 2 },
      { up: false, changed: true, next: 10 },
    ]);
  });

  test('retry 0: the first failure puts it down', () => {
    assert.deepEqual(run(passed, [fail], { retry: 0, delayBeforeRetry: 2, delayLoop: 10 }), [
      { up: false, changed: true, next: 10 },
    ]);
  });

  test('retry 2: down on the third consecutive failure, retried after delay_before_retry until then', () => {
    assert.deepEqual(run(passed, [fail, fail, fail], { retry: 2, delayBeforeRetry: 2, delayLoop: 10 }), [
      { up: true, changed: false, next: 2 },
      { up: true, changed: false, next: 2 },
      { up: false, changed: true, next: 10 },
    ]);
  });

  test('a success between failures starts the count again', () => {
    assert.deepEqual(run(passed, [fail, ok, fail, fail], { retry: 1, delayBeforeRetry: 2, delayLoop: 10 }), [
      { up: true, changed: false, next: 2 },
      { up: true, changed: false, next: 10 },
      { up: true, changed: false, next: 2 },
      { up: false, changed: true, next: 10 },
    ]);
  });

  test('a success while up changes nothing and waits delay_loop', () => {
    const result = afterCheck({ up: true, failures: 0 }, ok, { retry: 1, delayBeforeRetry: 2, delayLoop: 10 });
    assert.deepEqual(result, { state: { up: true, failures: 0 }, changed: false, nextInSeconds: 10 });
  });

  test('down stays down on failures, checked every delay_loop without retries', () => {
    assert.deepEqual(run({ up: false, failures: 2 }, [fail, fail]), [
      { up: false, changed: false, next: 10 },
      { up: false, changed: false, next: 10 },
    ]);
  });

  test('one success brings a down checker up and resets the failure count', () => {
    const result = afterCheck({ up: false, failures: 5 }, ok, { retry: 3, delayBeforeRetry: 2, delayLoop: 10 });
    assert.deepEqual(result, { state: { up: true, failures: 0 }, changed: true, nextInSeconds: 10 });
  });

  test('alpha: down from the start until the first success', () => {
    assert.deepEqual(run(initialCheckerState(true, 0), [fail, ok]), [
      { up: false, changed: false, next: 10 },
      { up: true, changed: true, next: 10 },
    ]);
  });
});
