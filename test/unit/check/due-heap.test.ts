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

test('a DueHeap stays ordered through 2,000 random pushes and pops', () => {
  const heap = new DueHeap<{ due: number; seq: number }>();
  let seq = 0;
  let last = -1;
  for (let i = 0; i < 2000; i++) {
    heap.push({ due: Math.floor(Math.random() * 100) + i, seq: seq++ });
    if (i % 3 === 0) {
      const item = heap.pop()!;
      assert.ok(item.due >= 0);
    }
  }
  for (let item = heap.pop(); item; item = heap.pop()) {
    assert.ok(item.due >= last);
    last = item.due;
  }
});
