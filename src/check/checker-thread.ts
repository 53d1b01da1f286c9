// The health checker in a worker thread of its own, so that thousands of checks in flight never
// delay a VRRP advert on the daemon's event loop: sockets, timers and scripts of the checks all
// live in the worker (checker-worker.ts), and this side keeps a mirror of every real server's
// health for synchronous reads.
//
// Verdict changes come over as messages (they are rare and must be heard at once). The time
// and latency of each server's last check, which change thousands of times a second, are written
// by the worker into shared memory instead, one slot per server, and read from there.
//
// The worker starts with the first real server to check, so that a daemon running VRRP alone
// has no thread for checks. One that dies (a bug in a checker) is started again with the same
// servers and track file values; servers whose verdict the fresh start changes are reported as
// changes.
import { Worker } from 'node:worker_threads';
import type { TrackFile } from '../config/index.js';
import type { ScriptPolicy } from '../scripts/launcher.js';
import { Fifo } from './fifo.js';
import type { CheckNowResult, HealthListener, RealServerHealth, RealServerTarget } from './health-checker.js';

/** What the daemon asks of a health checker, in this thread or in a worker. */
export interface RealServerChecks {
  update(targets: readonly RealServerTarget[]): void | Promise<void>;
  health(id: string): RealServerHealth | undefined;
  trackFileChanged(file: TrackFile, value: number): void;
  checkNow(id: string): Promise<CheckNowResult | undefined> | undefined;
  stop(): void | Promise<void>;
}

/** From this thread to the worker. */
export type ToChecker =
  | { type: 'update'; targets: readonly RealServerTarget[] }
  | { type: 'trackFile'; file: TrackFile; value: number }
  | { type: 'checkNow'; request: number; id: string }
  | { type: 'stop' };

/** From the worker. `lastChecks` holds two float64s a server, in the order of `health`: latency ms and wall-clock ms of its last check (NaN before one). */
export type FromChecker =
  | { type: 'updated'; health: [string, RealServerHealth][]; lastChecks: SharedArrayBuffer }
  | { type: 'changed'; id: string; health: RealServerHealth; previous: RealServerHealth }
  | { type: 'checkedNow'; request: number; result?: CheckNowResult; error?: string }
  | { type: 'stopped' };

/** What the worker is started with. */
export interface CheckerWorkerData {
  policy: ScriptPolicy;
  /** The nice value the checks run at; unset: the creating thread's. */
  nice?: number;
}

export interface CheckerThreadOptions {
  /** Who may run MISC_CHECK scripts, and how (global_defs). */
  policy: ScriptPolicy;
  /** checker_priority: the nice value of the checks (and of the MISC_CHECK scripts they start). */
  nice?: number;
  onChange: HealthListener;
  /** The worker died; it is started again a second later. */
  onFailure: (err: Error) => void;
  /** The worker's module; tests wrap the real one. */
  workerUrl?: URL;
}

const RESTART_DELAY_MS = 1000;
/** Verdict changes told to the daemon in one turn of its event loop. */
const CHANGES_PER_TURN = 100;

/** A worker that does not answer stop in this long is terminated anyway. */
const STOP_GRACE_MS = 2000;
const WORKER_URL = new URL('./checker-worker.js', import.meta.url);

export class CheckerThread implements RealServerChecks {
  #worker: Worker | undefined;
  #index = new Map<string, number>();
  #health: RealServerHealth[] = [];
  #lastChecks: Float64Array<ArrayBufferLike> = new Float64Array(0);
  /** Callers of update() waiting for the worker's `updated`, in order. */
  #updates: (() => void)[] = [];
  /** Verdict changes heard from the worker, not yet told to the daemon (see #deliverPaced). */
  #pendingChanges = new Fifo<Extract<FromChecker, { type: 'changed' }>>();
  #pendingDelivery: NodeJS.Immediate | undefined;
  #checks = new Map<number, { resolve: (r: CheckNowResult | undefined) => void; reject: (e: Error) => void }>();
  #requests = 0;
  #targets: readonly RealServerTarget[] = [];
  readonly #trackFiles = new Map<string, { file: TrackFile; value: number }>();
  #stopping: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CheckerThreadOptions) {}

  update(targets: readonly RealServerTarget[]): Promise<void> {
    this.#targets = targets;
    // A dead worker's restart applies the latest targets; posting to it would be lost.
    if (this.#restartTimer !== undefined) return Promise.resolve();
    if (!this.#worker && !targets.some((t) => t.checkers.length > 0)) {
      // Nothing to probe (no server, or none with a checker): no thread, every server alive and unchecked.
      this.#mirrorUnchecked(targets);
      return Promise.resolve();
    }
    if (!this.#worker) this.#start();
    return new Promise((resolve) => {
      this.#updates.push(resolve);
      this.#post({ type: 'update', targets });
    });
  }

  health(id: string): RealServerHealth | undefined {
    const i = this.#index.get(id);
    if (i === undefined) return undefined;
    const health = this.#health[i]!;
    const lastCheckAt = this.#lastChecks[2 * i + 1]!;
    if (Number.isNaN(lastCheckAt)) return health;
    return { ...health, lastLatencyMs: this.#lastChecks[2 * i]!, lastCheckAt };
  }

  trackFileChanged(file: TrackFile, value: number): void {
    this.#trackFiles.set(file.name, { file, value });
    this.#post({ type: 'trackFile', file, value });
  }

  checkNow(id: string): Promise<CheckNowResult | undefined> | undefined {
    if (!this.#index.has(id)) return undefined;
    const request = ++this.#requests;
    return new Promise((resolve, reject) => {
      this.#checks.set(request, { resolve, reject });
      this.#post({ type: 'checkNow', request, id });
    });
  }

  /** Stops every check and ends the worker; checks in flight report nothing. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    clearImmediate(this.#pendingDelivery);
    this.#pendingDelivery = undefined;
    this.#pendingChanges = new Fifo();
    const worker = this.#worker;
    if (!worker) return;
    // A dead worker waiting for its restart has nothing left to stop.
    if (this.#restartTimer === undefined) await this.#answered(worker, { type: 'stop' });
    clearTimeout(this.#restartTimer);
    await worker.terminate();
    this.#settleAll();
  }

  /** Posts `message` and waits for `stopped` or the worker's end, at most STOP_GRACE_MS. */
  #answered(worker: Worker, message: ToChecker): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_GRACE_MS);
      worker.on('message', (m: FromChecker) => m.type === 'stopped' && resolve());
      worker.once('exit', () => resolve());
      worker.postMessage(message);
    }).finally(() => clearTimeout(timer));
  }

  #spawn(): void {
    const { policy, nice } = this.options;
    const workerData: CheckerWorkerData = { policy, ...(nice !== undefined && { nice }) };
    const worker = new Worker(this.options.workerUrl ?? WORKER_URL, { workerData });
    this.#worker = worker;
    worker.on('message', (message: FromChecker) => this.#receive(message));
    worker.on('error', (err) => this.#failed(worker, err));
    worker.on('exit', (code) => this.#failed(worker, new Error(`the checker thread exited with code ${code}`)));
  }

  /** Posts to the worker, when there is one: track files are handed to a new one when it starts. */
  #post(message: ToChecker): void {
    this.#worker?.postMessage(message);
  }

  /** A new worker, told the track files' last values before anything else. */
  #start(): void {
    this.#spawn();
    for (const { file, value } of this.#trackFiles.values()) this.#post({ type: 'trackFile', file, value });
  }

  #receive(message: FromChecker): void {
    switch (message.type) {
      case 'updated':
        // Changes sent before the update are about the servers as they were: heard first.
        this.#deliverChanges(Number.POSITIVE_INFINITY);
        this.#mirror(message.health, message.lastChecks);
        this.#updates.shift()?.();
        return;
      case 'changed':
        this.#pendingChanges.push(message);
        this.#pendingDelivery ??= setImmediate(() => this.#deliverPaced());
        return;
      case 'checkedNow': {
        const waiting = this.#checks.get(message.request);
        this.#checks.delete(message.request);
        if (message.error !== undefined) waiting?.reject(new Error(message.error));
        else waiting?.resolve(message.result);
        return;
      }
      case 'stopped':
        return;
    }
  }

  #mirror(entries: [string, RealServerHealth][], lastChecks: SharedArrayBuffer): void {
    this.#index = new Map(entries.map(([id], i) => [id, i]));
    this.#health = entries.map(([, health]) => health);
    this.#lastChecks = new Float64Array(lastChecks);
  }

  /** Servers without checkers, as the worker would start them; the first of duplicate ids counts. */
  #mirrorUnchecked(targets: readonly RealServerTarget[]): void {
    const since = Date.now();
    const ids = [...new Set(targets.map((t) => t.id))];
    const memory = new SharedArrayBuffer(ids.length * 2 * Float64Array.BYTES_PER_ELEMENT);
    new Float64Array(memory).fill(Number.NaN);
    this.#mirror(
      ids.map((id) => [id, { alive: true, since, checked: false }]),
      memory,
    );
  }

  /**
   * A burst of changes (thousands of servers down at once when a switch fails) is heard
   * CHANGES_PER_TURN at a time, with the event loop turning between, so that VRRP's timers on
   * this thread run on time while the daemon logs, scripts and re-weighs each one.
   */
  #deliverPaced(): void {
    this.#pendingDelivery = undefined;
    this.#deliverChanges(CHANGES_PER_TURN);
    if (this.#pendingChanges.size > 0) this.#pendingDelivery = setImmediate(() => this.#deliverPaced());
  }

  #deliverChanges(count: number): void {
    for (let i = 0; i < count; i++) {
      const change = this.#pendingChanges.shift();
      if (!change) return;
      this.#changed(change.id, change.health, change.previous);
    }
  }

  #changed(id: string, health: RealServerHealth, previous: RealServerHealth): void {
    const i = this.#index.get(id);
    if (i === undefined) return;
    this.#health[i] = health;
    this.options.onChange(id, health, previous);
  }

  /** Once per worker: the first of `error` and `exit` counts, and a stop's exit is no failure. */
  #failed(worker: Worker, err: Error): void {
    if (worker !== this.#worker || this.#stopping || this.#restartTimer !== undefined) return;
    this.#deliverChanges(Number.POSITIVE_INFINITY);
    this.options.onFailure(err);
    this.#settleAll();
    const before = new Map([...this.#index].map(([id, i]) => [id, this.#health[i]!]));
    this.#restartTimer = setTimeout(() => this.#restart(before), RESTART_DELAY_MS);
  }

  /** A fresh worker with the same servers and files; what its start changed is reported. */
  #restart(before: Map<string, RealServerHealth>): void {
    this.#restartTimer = undefined;
    this.#start();
    void this.update(this.#targets).then(() => {
      for (const [id, previous] of before) {
        const health = this.health(id);
        if (health && (health.alive !== previous.alive || health.weight !== previous.weight))
          this.options.onChange(id, health, previous);
      }
    });
  }

  /** Callers still waiting on a worker that is gone: updates are done (a restart applies the latest), checks failed. */
  #settleAll(): void {
    for (const resolve of this.#updates.splice(0)) resolve();
    for (const { reject } of this.#checks.values()) reject(new Error('the checker thread stopped during the check'));
    this.#checks.clear();
  }
}
