// The counts behind vrrp_track_process, kept as keepalived keeps them (track_process.c): each
// definition counts the processes that match it, and is up while the count is within
// quorum..quorum_max. Pure: observers report processes appearing, forking, renaming and exiting;
// timers come from an injected clock.
//
// The delays debounce crossings of the bounds, as in keepalived:
//  - a fork that brings the count into range is believed after fork_delay (an exit meanwhile
//    cancels it); a process that appears by exec is believed at once;
//  - an exit that takes the count out of range is believed after terminate_delay (a process
//    appearing meanwhile cancels it); a process renamed away counts at once.
// The initial scan counts without delays.
import type { Clock } from '../clock.js';
import type { TrackProcess } from '../config/index.js';
import { matchesProcess, type ProcessInfo } from './match.js';

export interface ProcessCountObserver {
  /** A definition's quorum was gained (`up`) or lost. */
  quorumChanged(name: string, up: boolean, count: number): void;
}

class Tracked {
  count = 0;
  up = false;
  cancelForkTimer: (() => void) | undefined;
  cancelTerminateTimer: (() => void) | undefined;

  constructor(readonly def: TrackProcess) {}

  inRange(): boolean {
    return this.count >= this.def.quorum && this.count <= (this.def.quorumMax ?? Number.POSITIVE_INFINITY);
  }
}

type Cause = 'exec' | 'fork' | 'exit' | 'rename';

export class ProcessCounter {
  readonly #tracked: Tracked[];
  /** pid → the definitions counting it. */
  readonly #counted = new Map<number, Set<Tracked>>();

  constructor(
    definitions: readonly TrackProcess[],
    private readonly clock: Clock,
    private readonly observer: ProcessCountObserver,
  ) {
    this.#tracked = definitions.map((def) => new Tracked(def));
  }

  /** The first look at every process: counts and quorums are set without delays or reports. */
  scan(processes: Iterable<ProcessInfo>): void {
    for (const info of processes)
      for (const t of this.#tracked) if (matchesProcess(t.def, info)) this.#countedBy(info.pid).add(t);
    for (const [, set] of this.#counted) for (const t of set) t.count++;
    for (const t of this.#tracked) t.up = t.inRange();
  }

  /**
   * A process seen now (new, or after exec): counted where it matches and uncounted where it no
   * longer does. With `ppid`, a process whose parent is counted is taken as a fork of it.
   */
  seen(info: ProcessInfo): void {
    const parent = info.ppid === undefined ? undefined : this.#counted.get(info.ppid);
    for (const t of this.#tracked) {
      const counted = this.#counted.get(info.pid)?.has(t) ?? false;
      const matches = matchesProcess(t.def, info);
      if (matches && !counted) this.#add(t, info.pid, parent?.has(t) ? 'fork' : 'exec');
      else if (!matches && counted) this.#remove(t, info.pid, 'rename');
    }
  }

  /** A renamed process (prctl PR_SET_NAME): only name-matched definitions look again. */
  renamed(pid: number, comm: string): void {
    for (const t of this.#tracked) {
      if (t.def.fullCommand) continue;
      const counted = this.#counted.get(pid)?.has(t) ?? false;
      const matches = comm === t.def.process;
      if (matches && !counted) this.#add(t, pid, 'exec');
      else if (!matches && counted) this.#remove(t, pid, 'rename');
    }
  }

  /** A fork: the child counts wherever its parent does, until it execs. */
  forked(parent: number, child: number): void {
    for (const t of this.#counted.get(parent) ?? []) this.#add(t, child, 'fork');
  }

  exited(pid: number): void {
    for (const t of this.#counted.get(pid) ?? []) this.#remove(t, pid, 'exit');
  }

  /** The pids counted now, for observers that check whether they still run. */
  countedPids(): number[] {
    return [...this.#counted.keys()];
  }

  isUp(name: string): boolean {
    return this.#find(name)?.up ?? false;
  }

  count(name: string): number {
    return this.#find(name)?.count ?? 0;
  }

  /** Every definition's state, by name. */
  states(): Map<string, { up: boolean; count: number }> {
    return new Map(this.#tracked.map((t) => [t.def.name, { up: t.up, count: t.count }]));
  }

  stop(): void {
    for (const t of this.#tracked) {
      t.cancelForkTimer?.();
      t.cancelTerminateTimer?.();
    }
  }

  #find(name: string): Tracked | undefined {
    return this.#tracked.find((t) => t.def.name === name);
  }

  #countedBy(pid: number): Set<Tracked> {
    const set = this.#counted.get(pid) ?? new Set<Tracked>();
    this.#counted.set(pid, set);
    return set;
  }

  #add(t: Tracked, pid: number, cause: Cause): void {
    this.#countedBy(pid).add(t);
    t.count++;
    const max = t.def.quorumMax ?? Number.POSITIVE_INFINITY;
    // Only a crossing of a bound can change the verdict.
    if (t.count !== t.def.quorum && t.count !== max + 1) return;
    if (t.cancelTerminateTimer) this.#cancelTerminate(t);
    else if (cause === 'fork' && t.def.forkDelay > 0) {
      this.#startForkTimer(t);
      return;
    }
    this.#set(t, t.count === t.def.quorum);
  }

  #remove(t: Tracked, pid: number, cause: Cause): void {
    const set = this.#counted.get(pid)!;
    set.delete(t);
    if (set.size === 0) this.#counted.delete(pid);
    t.count--;
    const max = t.def.quorumMax ?? Number.POSITIVE_INFINITY;
    if (t.count + 1 !== t.def.quorum && t.count !== max) return;
    if (t.cancelForkTimer) this.#cancelFork(t);
    else if (cause === 'exit' && t.def.terminateDelay > 0) {
      this.#startTerminateTimer(t);
      return;
    }
    this.#set(t, t.count === max);
  }

  #startForkTimer(t: Tracked): void {
    t.cancelForkTimer?.();
    t.cancelForkTimer = this.clock.after(t.def.forkDelay * 1000, () => {
      t.cancelForkTimer = undefined;
      this.#set(t, t.inRange());
    });
  }

  #startTerminateTimer(t: Tracked): void {
    t.cancelTerminateTimer?.();
    t.cancelTerminateTimer = this.clock.after(t.def.terminateDelay * 1000, () => {
      t.cancelTerminateTimer = undefined;
      this.#set(t, t.inRange());
    });
  }

  #cancelFork(t: Tracked): void {
    t.cancelForkTimer?.();
    t.cancelForkTimer = undefined;
  }

  #cancelTerminate(t: Tracked): void {
    t.cancelTerminateTimer?.();
    t.cancelTerminateTimer = undefined;
  }

  #set(t: Tracked, up: boolean): void {
    if (up === t.up) return;
    t.up = up;
    this.observer.quorumChanged(t.def.name, up, t.count);
  }
}
