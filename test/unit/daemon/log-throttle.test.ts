import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogThrottle } from '../../../src/daemon/log-throttle.js';

test('the first of a kind is logged, then one line per window with what was held back', () => {
  const throttle = new LogThrottle(60_000);
  const at = (s: number, kind = 'VI_1|auth_mismatch') => throttle.admit(kind, s * 1000);
  assert.deepEqual(at(0), { log: true, suppressed: 0 });
  for (let s = 1; s < 60; s++) assert.equal(at(s).log, false);
  assert.deepEqual(at(0.5, 'VI_1|bad_checksum'), { log: true, suppressed: 0 }, 'another kind is not held back');
  assert.deepEqual(at(60), { log: true, suppressed: 59 });
  assert.deepEqual(at(130), { log: true, suppressed: 0 });
});
