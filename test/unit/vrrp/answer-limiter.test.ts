import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerLimiter } from '../../../src/vrrp/answer-limiter.js';

test('one answer per source per window, the first at once, and no more than the cap in all', () => {
  const limiter = new AnswerLimiter(1000, 3);
  assert.equal(limiter.admit('a', 0), true);
  assert.equal(limiter.admit('a', 1), false, 'the same source within the window');
  assert.equal(limiter.admit('b', 2), true);
  assert.equal(limiter.admit('c', 3), true);
  assert.equal(limiter.admit('d', 4), false, 'a fourth source within the window');
  assert.equal(limiter.admit('a', 1000), true, 'the next window');
  assert.equal(limiter.admit('d', 1001), false, 'b and c are still in their windows');
  assert.equal(limiter.admit('d', 1002), true);
});

test('10,000 forged sources leave the table at its cap, and it empties once their windows end', () => {
  const limiter = new AnswerLimiter(1000, 3);
  let answered = 0;
  for (let i = 0; i < 10_000; i++) {
    if (limiter.admit(`2001:db8::${i.toString(16)}`, i / 10)) answered++;
    assert.ok(limiter.size <= 3);
  }
  assert.equal(answered, 3, 'one window, three answers');
  assert.equal(limiter.admit('198.51.100.1', 5000), true);
  assert.equal(limiter.size, 1);
});
