import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogThrottle, ProblemLog } from '../../../src/daemon/log-throttle.js';

test('the first of a kind is logged, then one line per window with what was held back', () => {
  const throttle = new LogThrottle(60_000);
  const at = (s: number, kind = 'VI_1|auth_mismatch') => throttle.admit(kind, s * 1000);
  assert.deepEqual(at(0), { log: true, suppressed: 0 });
  for (let s = 1; s < 60; s++) assert.equal(at(s).log, false);
  assert.deepEqual(at(0.5, 'VI_1|bad_checksum'), { log: true, suppressed: 0 }, 'another kind is not held back');
  assert.deepEqual(at(60), { log: true, suppressed: 59 });
  assert.deepEqual(at(130), { log: true, suppressed: 0 });
});

/** A ProblemLog on a fake clock, and the warnings it wrote. */
function problemLog(throttle?: LogThrottle) {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  let now = 0;
  const log = {
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
  };
  const problems = new ProblemLog(log as never, () => now, throttle);
  return { lines, problems, setTime: (ms: number) => (now = ms) };
}

test('20,000 owner adverts with 20,000 different address lists: one line per minute, one remembered kind', () => {
  const { lines, problems, setTime } = problemLog();
  // As a flood does it: 200 a second for 100 s, each listing addresses no other one lists.
  for (let i = 0; i < 20_000; i++) {
    setTime(i * 5);
    problems.report(
      'VI_1',
      'address_mismatch_from_owner',
      `advert lists [203.0.113.${i % 256}, 198.51.${i >> 8}.1], the instance has [198.51.100.200]; accepted from the address owner`,
      { source: '198.51.100.100' },
    );
  }
  assert.deepEqual(
    lines.map((l) => [l.fields.kind, l.fields.suppressed]),
    [
      ['address_mismatch_from_owner', undefined],
      ['address_mismatch_from_owner', 11_999],
    ],
  );
  assert.match(lines[1]!.message, /^VI_1: advert lists .* \(and 11999 more like it since the last line about it\)$/);
  assert.equal(problems.throttle.size, 1);
});

test('the table forgets ended windows, and holds its cap with many kinds', () => {
  const throttle = new LogThrottle(1000, 100);
  const { lines, problems, setTime } = problemLog(throttle);
  for (let i = 0; i < 5000; i++) problems.report(`VI_${i}`, 'bad_checksum', 'packet dropped: bad checksum');
  assert.equal(throttle.size, 100, 'the oldest kinds make way for new ones');
  assert.equal(lines.length, 5000, 'each new kind is still logged');
  setTime(1000);
  problems.report('VI_1', 'bad_ttl', 'TTL 64');
  assert.equal(throttle.size, 1, 'windows that ended with nothing held back are forgotten');
});

test('a window that held lines back is remembered one more window, so its tally is told', () => {
  const throttle = new LogThrottle(1000);
  assert.equal(throttle.admit('a', 0).log, true);
  assert.equal(throttle.admit('a', 10).log, false);
  assert.equal(throttle.admit('b', 1500).log, true);
  assert.equal(throttle.admit('b', 1600).log, false);
  assert.equal(throttle.size, 2);
  assert.deepEqual(throttle.admit('a', 1900), { log: true, suppressed: 1 });
  assert.equal(throttle.admit('c', 3600).log, true);
  assert.equal(throttle.size, 1, 'a tally older than two windows goes too');
});
