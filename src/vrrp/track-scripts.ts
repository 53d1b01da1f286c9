// vrrp_script: each tracked script run on its interval through the ScriptLauncher port, its
// results fed to the pure ScriptHealth (rise/fall), its status changes reported.
import type { Clock } from '../clock.js';
import type { VrrpScript } from '../config/index.js';
import { describeResult, type PreparedScript, type ScriptLauncher, secondsText } from '../scripts/launcher.js';
import { ScriptHealth, type ScriptStatus } from './tracking.js';

// ---- vrrp_script scheduling ------------------------------------------------------------------

export interface TrackScriptObserver {
  /** A script's status changed (never back to `init`); `detail` says why, for the log. */
  statusChanged(name: string, status: Exclude<ScriptStatus, 'init'>, detail: string): void;
  /** A run was due while the previous one was still going, so it was skipped. */
  runSkipped(name: string, detail: string): void;
}

export interface TrackScriptPorts {
  launcher: ScriptLauncher;
  clock: Clock;
  observer: TrackScriptObserver;
}

interface ScheduledScript {
  config: VrrpScript;
  health: ScriptHealth;
  /** Set once preparation refused the script: it never runs. */
  refused: boolean;
  running: boolean;
  cancelTimer?: () => void;
}

/**
 * Runs each vrrp_script at start and then every `interval` seconds, feeding its ScriptHealth,
 * and tells the observer when a status changes. Give it only the scripts some instance tracks:
 * keepalived runs no others. A scheduler runs once: after stop(), make a new one.
 */
export class TrackScriptScheduler {
  readonly #scripts = new Map<string, ScheduledScript>();
  readonly #stopping = new AbortController();

  constructor(
    scripts: readonly VrrpScript[],
    private readonly ports: TrackScriptPorts,
  ) {
    for (const config of scripts)
      this.#scripts.set(config.name, { config, health: new ScriptHealth(config), refused: false, running: false });
  }

  start(): void {
    for (const scheduled of this.#scripts.values()) void this.#prepareAndSchedule(scheduled);
  }

  /** Cancels what is scheduled and kills what is running; results still to come are ignored. */
  stop(): void {
    this.#stopping.abort();
    for (const scheduled of this.#scripts.values()) scheduled.cancelTimer?.();
  }

  /** Every script's status now, for evaluateTracking. */
  statuses(): ReadonlyMap<string, ScriptStatus> {
    return new Map([...this.#scripts].map(([name, s]) => [name, s.refused ? 'disabled' : s.health.status]));
  }

  async #prepareAndSchedule(scheduled: ScheduledScript): Promise<void> {
    const { config } = scheduled;
    const preparation = await this.ports.launcher.prepare(config.script, config.user);
    if (this.#stopping.signal.aborted) return;
    if (!preparation.ok) {
      scheduled.refused = true;
      this.ports.observer.statusChanged(config.name, 'disabled', preparation.reason);
      return;
    }
    const tick = () => {
      scheduled.cancelTimer = this.ports.clock.after(config.interval * 1000, tick);
      if (scheduled.running) {
        this.ports.observer.runSkipped(
          config.name,
          `the previous run is still going after ${secondsText(config.interval * 1000)}`,
        );
        return;
      }
      void this.#runOnce(scheduled, preparation.script);
    };
    tick();
  }

  async #runOnce(scheduled: ScheduledScript, script: PreparedScript): Promise<void> {
    const { config } = scheduled;
    scheduled.running = true;
    // keepalived's default timeout is the interval.
    const result = await this.ports.launcher.run(script, {
      timeoutMs: (config.timeout ?? config.interval) * 1000,
      signal: this.#stopping.signal,
    });
    scheduled.running = false;
    if (this.#stopping.signal.aborted) return;
    const changed = scheduled.health.record(result.success);
    if (changed) this.ports.observer.statusChanged(config.name, changed, describeResult(result));
  }
}
