// How following vigild coalesces the status reads its events ask for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coalesce } from '../../../src/api/follow.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('coalesce', () => {
  test('asks during a run make one more run, never two at once', async () => {
    let running = 0;
    let runs = 0;
    let release: () => void = () => {};
    const ask = coalesce(
      async () => {
        running++;
        runs++;
        assert.equal(running, 1);
        await new Promise<void>((r) => (release = r));
        running--;
      },
      (err) => assert.fail(String(err)),
    );
    ask();
    for (let i = 0; i < 10; i++) ask();
    release();
    await tick();
    assert.equal(runs, 2);
    release();
    await tick();
    assert.equal(runs, 2);
    ask();
    await tick();
    assert.equal(runs, 3);
    release();
  });
});
