// Nice values of single threads. Linux schedules every thread as a task of its own, so
// setpriority(2) on a thread's task id changes that thread alone (and what it starts after).
// vigild uses it for keepalived's vrrp_priority (its main thread, where VRRP runs) and
// checker_priority (the checks' thread), which keepalived applies to its processes.
import { readlinkSync } from 'node:fs';
import os from 'node:os';

/** The calling thread's task id; undefined where there is no /proc/thread-self (not Linux). */
function taskId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** The calling thread's nice value. */
export function threadNice(): number {
  const tid = taskId();
  return tid === undefined ? os.getPriority() : os.getPriority(tid);
}

/** Sets the calling thread's nice value; throws when the system refuses (EACCES without root). */
export function setThreadNice(nice: number): void {
  const tid = taskId();
  if (tid === undefined) throw new Error('per-thread priorities need Linux');
  os.setPriority(tid, nice);
}
