// Reading processes from /proc, as little as the definitions need: /proc/PID/stat always (the
// name, state and parent in one small read), /proc/PID/cmdline only when some definition
// matches command lines (reading it touches the process's memory, which may be swapped out).
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import type { ProcessInfo } from './match.js';

const buffer = Buffer.alloc(4096);

function readSmall(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    return Buffer.from(buffer.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The pids of /proc: thread group leaders only, as threads are not listed there. */
export function listPids(root = '/proc'): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(root)) {
    const c = name.charCodeAt(0);
    if (c >= 0x31 && c <= 0x39) pids.push(Number(name));
  }
  return pids;
}

/**
 * One process, or undefined when it is gone or a zombie (keepalived does not count those: they
 * no longer run). `/proc/PID/stat` is `PID (COMM) STATE PPID ...`; COMM may hold `)` itself.
 */
export function readProcess(pid: number, withArgv: boolean, root = '/proc'): ProcessInfo | undefined {
  const stat = readSmall(`${root}/${pid}/stat`)?.toString('utf8');
  if (!stat) return undefined;
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const [state, ppid] = stat.slice(close + 2).split(' ', 2);
  if (state === 'Z') return undefined;
  const info: ProcessInfo = { pid, comm: stat.slice(open + 1, close), ppid: Number(ppid) };
  if (withArgv) {
    const cmdline = readSmall(`${root}/${pid}/cmdline`);
    if (!cmdline) return undefined;
    info.argv = splitArgv(cmdline);
  }
  return info;
}

function splitArgv(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  if (text === '') return [];
  const words = text.split('\0');
  if (words.at(-1) === '') words.pop();
  return words;
}
