// A file held with flock(2) for the daemon's life and naming the pid that holds it. The kernel
// drops the lock when the process dies, however it dies, so a file whose lock is free is stale
// whatever pid it names (a pid reused after a reboot, even pid 1).
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { tryLockExclusive } from '../net/native.js';

export interface HeldLock {
  readonly file: string;
  /** Open for as long as the lock is held (Node opens it close-on-exec: no script inherits it). */
  readonly fd: number;
}

export type LockAttempt = { held: HeldLock } | { heldBy: number | undefined };

/**
 * Takes the lock on `file` (created 0644 if missing) and writes `pid` into it; when another
 * process holds it, returns the pid that process wrote.
 */
export function lockFile(file: string, pid = process.pid): LockAttempt {
  for (;;) {
    const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
    if (!tryLockExclusive(fd)) {
      const heldBy = pidIn(fd);
      closeSync(fd);
      return { heldBy };
    }
    // The previous holder may have removed the file between our open and our lock: a lock on
    // an unlinked file protects nothing, so open the path again.
    if (isFileAt(fd, file)) {
      ftruncateSync(fd);
      writeSync(fd, `${pid}\n`, 0);
      return { held: { file, fd } };
    }
    closeSync(fd);
  }
}

/** Whether the open file `fd` is still the one at `file` (nobody removed or replaced it). */
export function isFileAt(fd: number, file: string): boolean {
  try {
    const open = fstatSync(fd);
    const named = statSync(file);
    return open.ino === named.ino && open.dev === named.dev;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export function unlock(lock: HeldLock): void {
  closeSync(lock.fd);
}

function pidIn(fd: number): number | undefined {
  const bytes = Buffer.alloc(24);
  const text = bytes
    .subarray(0, readSync(fd, bytes, 0, bytes.length, 0))
    .toString()
    .trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
