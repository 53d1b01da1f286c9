// vrrp_track_process against real processes: a copy of sleep under a name of its own starting
// and stopping moves the quorum, followed by kernel process events and by the /proc poll.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { processClock } from '../../src/clock.js';
import type { TrackProcess } from '../../src/config/index.js';
import { newTrackProcess } from '../../src/config/keywords/track-process.js';
import { ProcessWatcher } from '../../src/track-process/watcher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vp-trackproc-'));
const binary = path.join(dir, 'vpsleep');
copyFileSync('/bin/sleep', binary);
after(() => rmSync(dir, { recursive: true, force: true }));

const pos = { file: 'k', line: 1, col: 1 };
const byName: TrackProcess = { ...newTrackProcess('by_name', pos), process: 'vpsleep' };
const byArgs: TrackProcess = {
  ...newTrackProcess('by_args', pos),
  process: 'vp-sleeper',
  params: ['30'],
  paramMatch: 'exact',
  fullCommand: true,
};

function watch(pollOnly: boolean) {
  const changes: string[] = [];
  let mode = '';
  const watcher = new ProcessWatcher(
    [byName, byArgs],
    processClock,
    {
      quorumChanged: (name, up) => changes.push(`${name} ${up ? 'up' : 'down'}`),
      mode: (m) => {
        mode = m;
      },
    },
    { pollOnly, pollMs: 50 },
  );
  watcher.start();
  return { watcher, changes, mode: () => mode };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stop = (child: ChildProcess) => new Promise((r) => child.once('exit', r).kill());

for (const pollOnly of [false, true]) {
  describe(`track_process with ${pollOnly ? 'the /proc poll' : 'process events where the kernel gives them'}`, () => {
    it('counts a process by name and by command line as it starts and stops', async () => {
      const { watcher, changes, mode } = watch(pollOnly);
      try {
        assert.deepEqual([watcher.counter.isUp('by_name'), watcher.counter.isUp('by_args')], [false, false]);
        if (pollOnly) assert.equal(mode(), '');
        const named = spawn(binary, ['30']);
        const renamed = spawn('bash', ['-c', 'exec -a vp-sleeper sleep 30']);
        await until('both up', () => changes.includes('by_name up') && changes.includes('by_args up'));
        await Promise.all([stop(named), stop(renamed)]);
        await until('both down', () => changes.includes('by_name down') && changes.includes('by_args down'));
      } finally {
        watcher.stop();
      }
    });
  });
}
