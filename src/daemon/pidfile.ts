// The pid file: written at start, removed at stop. A file naming a live process means another
// vigild owns this socket and state; a file naming a dead one is left from a crash and reused.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means "alive".
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquirePidFile(file: string, pid = process.pid): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  try {
    writeFileSync(file, `${pid}\n`, { flag: 'wx', mode: 0o644 });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const other = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  if (Number.isInteger(other) && other !== pid && isAlive(other)) {
    throw new Error(
      `vigild is already running as pid ${other} (pid file ${file}); stop it, or give this one its own --socket and --pid-file`,
    );
  }
  writeFileSync(file, `${pid}\n`, { mode: 0o644 });
}

export function releasePidFile(file: string, pid = process.pid): void {
  try {
    // Only our own: never delete the pid file of a daemon that replaced us.
    if (Number.parseInt(readFileSync(file, 'utf8').trim(), 10) === pid) unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
