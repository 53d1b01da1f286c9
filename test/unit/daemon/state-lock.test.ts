import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { unlock } from '../../../src/daemon/lock-file.js';
import { acquirePidFile, releasePidFile } from '../../../src/daemon/pidfile.js';
import { holdDaemonLocks, lockStateDir, makeStateDir } from '../../../src/daemon/state-lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (p: string) => statSync(p).mode & 0o777;

test('the state dir is made 0750 and the parents it needs 0755, so a socket beside it stays reachable', () => {
  const umask = process.umask(0o022);
  try {
    makeStateDir(path.join(dir, 'run', 'vigil', 'state'));
  } finally {
    process.umask(umask);
  }
  assert.equal(modeOf(path.join(dir, 'run')), 0o755);
  assert.equal(modeOf(path.join(dir, 'run', 'vigil')), 0o755);
  assert.equal(modeOf(path.join(dir, 'run', 'vigil', 'state')), 0o750);
});

test('a second daemon on a locked state dir is refused with the dir and the holder', () => {
  const state = path.join(dir, 'state');
  const held = lockStateDir(state);
  try {
    assert.throws(
      () => lockStateDir(state, 4242),
      new Error(
        `vigild is already running as pid ${process.pid} on the state dir ${state}; stop it, or give this one its own --state-dir`,
      ),
    );
  } finally {
    unlock(held);
  }
  unlock(lockStateDir(state));
});

test('when the pid file is held elsewhere, the state dir is left unlocked', () => {
  const state = path.join(dir, 'state');
  const pidFile = path.join(dir, 'vigil.pid');
  const other = acquirePidFile(pidFile);
  try {
    assert.throws(() => holdDaemonLocks(state, pidFile), /already running as pid \d+ \(pid file/);
    holdDaemonLocks(state, path.join(dir, 'other.pid')).release();
  } finally {
    releasePidFile(other);
  }
});
