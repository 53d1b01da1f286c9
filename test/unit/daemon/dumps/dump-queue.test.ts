import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DumpFile } from '../../../../src/daemon/dumps/dump-files.js';
import { DumpQueue } from '../../../../src/daemon/dumps/dump-queue.js';

function recorder() {
  const writes: string[] = [];
  const waiting: (() => void)[] = [];
  let blocked = false;
  let generation = 0;
  const queue = new DumpQueue({
    render: (file: DumpFile, clear: boolean) => `${file}#${++generation}${clear ? ' clear' : ''}`,
    write: async (_file, text) => {
      writes.push(text);
      if (blocked) await new Promise<void>((resolve) => waiting.push(resolve));
    },
    failed: (file, err) => writes.push(`${file} failed: ${err.message}`),
  });
  const release = () => {
    blocked = false;
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { queue, writes, block: () => (blocked = true), release };
}

test('a storm of signals during a slow write makes one more write, of the state after the storm', async () => {
  const r = recorder();
  r.block();
  r.queue.request('data');
  for (let i = 0; i < 100_000; i++) r.queue.request('data');
  r.release();
  await r.queue.idle();
  assert.deepEqual(r.writes, ['data#1', 'data#2']);
});

test('each file has its own queue; stats-clear writes the stats file and asks for the counters to be zeroed once', async () => {
  const r = recorder();
  r.block();
  r.queue.request('stats');
  r.queue.request('json');
  r.queue.request('stats-clear');
  r.queue.request('stats');
  r.release();
  await r.queue.idle();
  assert.deepEqual(r.writes, ['stats#1', 'json#2', 'stats#3 clear']);
});

test('a failed write is reported and the next request writes again', async () => {
  let fail = true;
  const reported: string[] = [];
  const queue = new DumpQueue({
    render: () => 'text',
    write: async () => {
      if (fail) throw new Error('disk full');
    },
    failed: (file, err) => reported.push(`${file}: ${err.message}`),
  });
  queue.request('json');
  await queue.idle();
  fail = false;
  queue.request('json');
  await queue.idle();
  assert.deepEqual(reported, ['json: disk full']);
});
