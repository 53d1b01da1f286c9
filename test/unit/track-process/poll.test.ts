// The /proc poll, on a /proc of files and a fake clock: a process starting or stopping is seen at
// the next poll; one turning into a match long after it started, at the next full read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { newTrackProcess } from '../../../src/config/keywords/track-process.js';
import { ProcessWatcher } from '../../../src/track-process/watcher.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const root = mkdtempSync(path.join(tmpdir(), 'vp-proc-'));
after(() => rmSync(root, { recursive: true, force: true }));

function proc(pid: number, comm: string, state = 'S'): void {
  const dir = path.join(root, String(pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'stat'), `${pid} (${comm}) ${state} 1 ${pid} 0\n`);
}

describe('the /proc poll', () => {
  it('sees starts and stops at the next poll, a late exec at the next full read', () => {
    const clock = new FakeClock();
    const changes: string[] = [];
    const def = { ...newTrackProcess('web', { file: 'k', line: 1, col: 1 }), process: 'nginx' };
    const watcher = new ProcessWatcher(
      [def],
      clock,
      { quorumChanged: (name, up) => changes.push(`${name} ${up ? 'up' : 'down'}`), mode() {} },
      { pollOnly: true, pollMs: 1000, procRoot: root },
    );
    proc(100, 'bash');
    watcher.start();
    proc(200, 'nginx');
    clock.advance(1000);
    assert.deepEqual(changes, ['web up']);
    proc(200, 'nginx', 'Z');
    clock.advance(1000);
    assert.deepEqual(changes, ['web up', 'web down']);
    // pid 100, long known as bash, execs nginx: not read again until every process is.
    clock.advance(10_000);
    proc(100, 'nginx');
    clock.advance(10_000);
    assert.deepEqual(changes, ['web up', 'web down']);
    clock.advance(10_000);
    assert.deepEqual(changes, ['web up', 'web down', 'web up']);
    watcher.stop();
  });
});
