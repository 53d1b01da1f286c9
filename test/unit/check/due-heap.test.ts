import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DueHeap } from '../../../src/check/due-heap.js';

test('a DueHeap gives back the soonest first, and those due together in the order they came', () => {
  const heap = new DueHeap<{ due: number; seq: number; name: string }>();
  const dues = [5, 1, 9, 1, 3, 7, 3, 0, 9, 2];
  for (const [seq, due] of dues.entries()) heap.push({ due, seq, name: `${due}#${seq}` });
  const order: string[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) order.push(item.name);
  assert.deepEqual(order, ['0#7', '1#1', '1#3', '2#9', '3#4', '3#6', '5#0', '7#5', '9#2', '9#8']);
  assert.equal(heap.size, 0);
});

test('a DueHeap gives the soonest of what it holds through 2,000 random pushes and pops', () => {
  const heap = new DueHeap<{ due: number; seq: number }>();
  const held: { due: number; seq: number }[] = [];
  const soonest = () => held.reduce((a, b) => (b.due < a.due || (b.due === a.due && b.seq < a.seq) ? b : a));
  for (let seq = 0; seq < 2000; seq++) {
    const item = { due: Math.floor(Math.random() * 100), seq };
    heap.push(item);
    held.push(item);
    if (seq % 3 === 0) {
      const expected = soonest();
      assert.equal(heap.pop(), expected);
      held.splice(held.indexOf(expected), 1);
    }
  }
  while (held.length > 0) {
    const expected = soonest();
    assert.equal(heap.pop(), expected);
    held.splice(held.indexOf(expected), 1);
  }
  assert.equal(heap.pop(), undefined);
});
