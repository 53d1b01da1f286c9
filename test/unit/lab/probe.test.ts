// The lab's client probe: its outage figure is what a client asking the VIP waited, not the time
// the busy host left the probe itself unscheduled.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { longestWait } from '../../../lab/probe.js';

/** Asks every 10 ms from `from` to `to`, answered 1 ms later unless `lost` says otherwise. */
const asks = (from: number, to: number, lost: (at: number) => boolean = () => false) =>
  Array.from({ length: (to - from) / 10 }, (_, i) => from + i * 10).map((at) =>
    lost(at) ? { at } : { at, answeredAt: at + 1 },
  );

describe('lab probe: longest wait', () => {
  test('a real outage: every ask from 100 to 900 ms is lost, and the wait is the whole stretch', () => {
    const seen = asks(0, 2000, (at) => at >= 100 && at < 900);
    assert.equal(longestWait(seen, -1, Number.POSITIVE_INFINITY, 3000), 801);
  });

  test('a probe stalled 845 ms between two asks: the ask before the stall was lost, and no outage is counted', () => {
    const seen = [...asks(0, 100), { at: 100 }, ...asks(945, 1500)];
    assert.ok(longestWait(seen, -1, Number.POSITIVE_INFINITY, 3000) <= 12);
  });

  test('an answer read late because the probe stalled after its ask is not late', () => {
    const seen = [...asks(0, 100), { at: 100, answeredAt: 945 }, ...asks(945, 1500)];
    assert.ok(longestWait(seen, -1, Number.POSITIVE_INFINITY, 3000) <= 12);
  });

  test('an outage that is still on counts up to now; asks before `since` and after `until` do not count', () => {
    const seen = asks(0, 1000, (at) => at >= 500);
    assert.equal(longestWait(seen, -1, Number.POSITIVE_INFINITY, 1200), 700);
    assert.equal(
      longestWait(
        asks(0, 1000, (at) => at < 200),
        300,
        900,
        1200,
      ),
      1,
    );
  });
});
