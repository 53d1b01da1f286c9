// The state dir belongs to one vigild at a time: a second one on it would take the first one's
// recorded VIPs for leftovers of a crash and remove them. A lock file inside it is held for the
// daemon's life and taken before anything is touched.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type HeldLock, lockFile, unlock } from './lock-file.js';
import { acquirePidFile, releasePidFile } from './pidfile.js';

export const STATE_LOCK = 'vigild.lock';

/**
 * Creates `dir` 0750 (what vigild records there is nobody else's business) and any missing
 * parent 0755: a parent may also hold the sockets, and the read-only one is for every user.
 */
export function makeStateDir(dir: string): void {
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  try {
    mkdirSync(dir, { mode: 0o750 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Creates the state dir if needed and locks it; throws, naming the holder, when another vigild has it. */
export function lockStateDir(dir: string, pid = process.pid): HeldLock {
  makeStateDir(dir);
  const attempt = lockFile(path.join(dir, STATE_LOCK), pid);
  if ('held' in attempt) return attempt.held;
  throw new Error(
    `vigild is already running as pid ${attempt.heldBy ?? '(unknown)'} on the state dir ${dir}; stop it, or give this one its own --state-dir`,
  );
}

/** What a running vigild holds until it stops. */
export interface DaemonLocks {
  release(): void;
}

/** The state dir's lock, then the pid file: both or neither. */
export function holdDaemonLocks(stateDir: string, pidFile: string): DaemonLocks {
  const state = lockStateDir(stateDir);
  try {
    const pid = acquirePidFile(pidFile);
    return {
      release: () => {
        releasePidFile(pid);
        unlock(state);
      },
    };
  } catch (err) {
    unlock(state);
    throw err;
  }
}
