// The pid file: for service managers and operators, the pid of the vigild serving this socket.
// It is locked for the daemon's life (lock-file.ts), so a file left by a crash, whatever pid it
// names, never blocks a start, and a second vigild on the same file is refused.
import { mkdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { type HeldLock, isFileAt, lockFile, unlock } from './lock-file.js';

export function acquirePidFile(file: string, pid = process.pid): HeldLock {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const attempt = lockFile(file, pid);
  if ('held' in attempt) return attempt.held;
  throw new Error(
    `vigild is already running as pid ${attempt.heldBy ?? '(unknown)'} (pid file ${file}); stop it, or give this one its own --socket and --pid-file`,
  );
}

export function releasePidFile(lock: HeldLock): void {
  // Only our own: never delete a file someone put in its place.
  if (isFileAt(lock.fd, lock.file)) unlinkSync(lock.file);
  unlock(lock);
}
