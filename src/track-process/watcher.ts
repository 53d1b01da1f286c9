// Observes processes for the vrrp_track_process definitions: one /proc scan at start, then the
// kernel's process events where it gives them (the host's network namespace, as keepalived
// does), else a poll of /proc. The poll lists /proc every interval but reads only new
// processes, young ones (a fork is often read before its exec) and those counted; every
// process is read again every FULL_EVERY polls, to see a long-lived one exec into a match.
import type { Clock } from '../clock.js';
import type { TrackProcess } from '../config/index.js';
import { ProcessCounter, type ProcessCountObserver } from './counter.js';
import { connectProcEvents, type ProcConnection, type ProcEvent } from './proc-connector.js';
import { listPids, readProcess } from './proc-read.js';

/** How often /proc is polled where process events are not available. */
export const PROC_POLL_MS = 1000;
/** Polls during which a new process is read again (its exec may come just after its fork). */
const YOUNG_POLLS = 3;
const FULL_EVERY = 30;

export interface ProcessWatcherObserver extends ProcessCountObserver {
  /** How processes are followed: 'events' (proc connector) or 'poll' (and why). */
  mode(mode: 'events' | 'poll', detail: string): void;
}

export interface ProcessWatcherOptions {
  /** Skip the proc connector (tests of the poll). */
  pollOnly?: boolean;
  pollMs?: number;
  procRoot?: string;
}

export class ProcessWatcher {
  readonly counter: ProcessCounter;
  readonly #withArgv: boolean;
  #connection: ProcConnection | undefined;
  #cancelPoll: (() => void) | undefined;
  /** Poll mode: pid → the poll that first saw it. */
  readonly #known = new Map<number, number>();
  #polls = 0;

  constructor(
    definitions: readonly TrackProcess[],
    private readonly clock: Clock,
    private readonly observer: ProcessWatcherObserver,
    private readonly options: ProcessWatcherOptions = {},
  ) {
    this.counter = new ProcessCounter(definitions, clock, observer);
    this.#withArgv = definitions.some((d) => d.fullCommand);
  }

  start(): void {
    // Subscribed before the scan, so that nothing happens unseen between the two.
    if (!this.options.pollOnly) this.#connect();
    const pids = this.#listPids();
    this.counter.scan(pids.flatMap((pid) => this.#read(pid) ?? []));
    if (this.#connection) return;
    for (const pid of pids) this.#known.set(pid, 0);
    this.#schedulePoll();
  }

  stop(): void {
    this.#connection?.close();
    this.#connection = undefined;
    this.#cancelPoll?.();
    this.#cancelPoll = undefined;
    this.counter.stop();
  }

  #connect(): void {
    try {
      this.#connection = connectProcEvents(
        (event) => this.#onEvent(event),
        (err) => this.#resync(err),
      );
      this.observer.mode('events', 'kernel process events (proc connector)');
    } catch (err) {
      this.observer.mode(
        'poll',
        `kernel process events unavailable (${(err as Error).message}); /proc is read every ${this.#pollMs()} ms`,
      );
    }
  }

  #pollMs(): number {
    return this.options.pollMs ?? PROC_POLL_MS;
  }

  #listPids(): number[] {
    return listPids(this.options.procRoot);
  }

  #read(pid: number) {
    return readProcess(pid, this.#withArgv, this.options.procRoot);
  }

  #onEvent(event: ProcEvent): void {
    switch (event.kind) {
      case 'fork':
        this.counter.forked(event.parent, event.child);
        break;
      case 'exec':
        this.#see(event.pid);
        break;
      case 'comm':
        this.counter.renamed(event.pid, event.comm);
        break;
      case 'exit':
        this.counter.exited(event.pid);
        break;
    }
  }

  /** Events were lost: whatever is counted is checked against /proc as it is now. */
  #resync(err: Error): void {
    this.observer.mode('events', `process events were lost (${err.message}); /proc read again`);
    const pids = new Set(this.#listPids());
    for (const pid of this.counter.countedPids()) if (!pids.has(pid)) this.counter.exited(pid);
    for (const pid of pids) this.#see(pid);
  }

  #see(pid: number): void {
    const info = this.#read(pid);
    if (info) this.counter.seen(info);
    else this.counter.exited(pid);
  }

  #schedulePoll(): void {
    this.#cancelPoll = this.clock.after(this.#pollMs(), () => {
      this.#poll();
      this.#schedulePoll();
    });
  }

  #poll(): void {
    const poll = ++this.#polls;
    const full = poll % FULL_EVERY === 0;
    const now = new Set(this.#listPids());
    for (const pid of this.#known.keys()) if (!now.has(pid)) this.#known.delete(pid);
    for (const pid of this.counter.countedPids()) if (!now.has(pid)) this.counter.exited(pid);
    const counted = new Set(this.counter.countedPids());
    for (const pid of now) {
      const first = this.#known.get(pid);
      if (first === undefined) this.#known.set(pid, poll);
      if (first === undefined || full || counted.has(pid) || poll - first <= YOUNG_POLLS) this.#see(pid);
    }
  }
}
