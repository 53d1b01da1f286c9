// How `vigil status --watch` turns events into status requests and rides out a lost daemon.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DaemonUnreachableError } from '../../../src/api/client.js';
import type { DaemonEvent, StatusResponse } from '../../../src/api/schema.js';
import { watchStatus } from '../../../src/cli/watch-status.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('watchStatus', () => {
  test('a status per event burst; a lost daemon is said once, then retried until it is back', async () => {
    const stop = new AbortController();
    const shown: number[] = [];
    const notes: string[] = [];
    let generation = 0;
    let connections = 0;
    const client = {
      status: async () => ({ config: { generation } }) as unknown as StatusResponse,
      async *events(): AsyncGenerator<DaemonEvent> {
        connections++;
        if (connections === 2 || connections === 3) throw new DaemonUnreachableError('/s', 'no such socket');
        generation++;
        yield { type: 'hello', at: '', generation } as DaemonEvent;
        await tick();
        if (connections === 4) stop.abort();
      },
    };
    await watchStatus({
      client,
      show: (status) => shown.push(status.config.generation),
      note: (message) => notes.push(message),
      signal: stop.signal,
      initialBackoffMs: 1,
      maxBackoffMs: 2,
    });
    assert.deepEqual(shown, [1, 2]);
    assert.deepEqual(notes, [
      'vigil: vigild closed the event stream; retrying until it answers (Ctrl-C to stop)',
      'vigil: connected to vigild again',
    ]);
    assert.equal(connections, 4);
  });
});
