import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DaemonEvent } from '../../../src/api/schema.js';
import { LagTracker } from '../../../src/daemon/event-stream.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

test('events flow while the client keeps up; behind the limit they are dropped until it has read everything', () => {
  const lag = new LagTracker(1000);
  assert.equal(lag.admit(0, at(0)), true);
  assert.equal(lag.admit(999, at(1)), true);
  assert.equal(lag.caughtUp(at(2)), undefined, 'nothing missed, nothing to say');

  assert.equal(lag.admit(1000, at(3)), false);
  assert.equal(lag.lagging, true);
  // Partly read is not caught up: sending now would put newer events before the notice of the gap.
  assert.equal(lag.admit(10, at(4)), false);
  assert.equal(lag.admit(5000, at(5)), false);

  const lagged = lag.caughtUp(at(6));
  assert.deepEqual(lagged, { type: 'lagged', at: at(6), dropped: 3, since: at(3) });
  assert.deepEqual(DaemonEvent.parse(lagged), lagged, 'it is an event of the API schema');
  assert.equal(lag.lagging, false);
  assert.equal(lag.admit(0, at(7)), true);
  assert.equal(lag.caughtUp(at(8)), undefined, 'each gap is reported once');
});

test('a second gap is counted from its own start', () => {
  const lag = new LagTracker(1);
  lag.admit(1, at(0));
  lag.caughtUp(at(1));
  lag.admit(1, at(10));
  lag.admit(1, at(11));
  assert.deepEqual(lag.caughtUp(at(12)), { type: 'lagged', at: at(12), dropped: 2, since: at(10) });
});
