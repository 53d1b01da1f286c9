// What processes cost as the kernel accounts it (/proc), for benches that compare daemons: read
// from outside, so every thread of a process and every child it forks is counted alike.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ, the unit of the times in /proc/PID/stat: 100 on every Linux ABI node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The fields of /proc/PID/stat (or of one thread's, /proc/PID/task/TID/stat) after the command
 * name (which may hold spaces): [0] state, [1] ppid, [11] utime, [12] stime.
 */
function statFields(pid: number, tid?: number): string[] | undefined {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** utime + stime of `pid`, all its threads (or of its thread `tid` alone), in clock ticks; 0 once it is gone. */
function cpuTicks(pid: number, tid?: number): number {
  const fields = statFields(pid, tid);
  return fields ? Number(fields[11]) + Number(fields[12]) : 0;
}

/** CPU seconds (user + system) of `pid`, or of its thread `tid` alone. */
export const cpuSeconds = (pid: number, tid?: number): number => cpuTicks(pid, tid) / CLOCK_TICKS_PER_SECOND;

/** VmRSS of `pid` in MiB; 0 once it is gone. */
export const rssMiB = (pid: number): number => rssKiB(pid) / 1024;

/** VmHWM of `pid` in MiB: the most RSS it has had; 0 once it is gone. */
export const peakRssMiB = (pid: number): number => statusKiB(pid, 'VmHWM') / 1024;

const rssKiB = (pid: number): number => statusKiB(pid, 'VmRSS');

/** A field of /proc/PID/status counted in KiB; 0 once it is gone. */
function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** `pid` and every process below it (its children, theirs, ...). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    const ppid = Number.isInteger(child) ? Number(statFields(child)?.[1]) : NaN;
    if (Number.isInteger(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), child]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export interface Usage {
  /** Percent of one core over the window. */
  cpu: number;
  /** The processes' RSS summed, at the window's end. */
  rssMiB: number;
  /** How long the window really was. */
  seconds: number;
}

/**
 * The CPU the processes `pids()` names used over `seconds`, and their RSS at the end. A process
 * there at the end but not at the start counts from zero: it started inside the window.
 */
export async function usageOver(pids: () => Promise<number[]> | number[], seconds: number): Promise<Usage> {
  const before = new Map((await pids()).map((pid) => [pid, cpuTicks(pid)]));
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await pids();
  const elapsed = (performance.now() - start) / 1000;
  const used = after.reduce((sum, pid) => sum + cpuTicks(pid) - (before.get(pid) ?? 0), 0);
  const rss = after.reduce((sum, pid) => sum + rssKiB(pid), 0);
  return { cpu: (100 * used) / CLOCK_TICKS_PER_SECOND / elapsed, rssMiB: rss / 1024, seconds: elapsed };
}
