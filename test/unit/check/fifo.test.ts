import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fifo } from '../../../src/check/fifo.js';

test('a Fifo gives items back in order, also across the compaction of its taken front', () => {
  const queue = new Fifo<number>();
  for (let i = 0; i < 5000; i++) queue.push(i);
  const out: number[] = [];
  for (let i = 0; i < 3000; i++) out.push(queue.shift()!);
  for (let i = 5000; i < 6000; i++) queue.push(i);
  assert.equal(queue.size, 3000);
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  assert.deepEqual(
    out,
    Array.from({ length: 6000 }, (_, i) => i),
  );
  assert.equal(queue.size, 0);
});
