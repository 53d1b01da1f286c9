// What VRRP instances track, observed for real — link state over rtnetlink, vrrp_scripts run on
// their intervals, track files watched — and the verdict (fault, effective priority) applied to
// the running instances whenever any of it changes.

import type { Clock } from '../clock.js';
import { type Config, formatPos, trackedNames } from '../config/index.js';
import { type Link, type Watcher, watchLinks } from '../net/rtnetlink.js';
import type { ScriptLauncher } from '../scripts/launcher.js';
import { TrackFileWatcher } from '../track-file.js';
import { ProcessWatcher } from '../track-process/watcher.js';
import type { VrrpEngine } from '../vrrp/engine.js';
import { TrackScriptScheduler } from '../vrrp/track-scripts.js';
import { evaluateTracking, linkIsUp, type ScriptStatus } from '../vrrp/tracking.js';
import type { Logger } from './logger.js';

export class TrackingSupervisor {
  private readonly interfaces = new Map<string, boolean>();
  private readonly scripts: TrackScriptScheduler;
  private readonly files: TrackFileWatcher;
  private readonly processes: ProcessWatcher;
  private links: Watcher | undefined;

  constructor(
    private config: Config,
    private readonly engine: VrrpEngine,
    links: readonly Link[],
    launcher: ScriptLauncher,
    clock: Clock,
    private readonly log: Logger,
  ) {
    for (const link of links) this.interfaces.set(link.name, linkIsUp(link));
    // Only what some instance tracks runs: keepalived ignores unused vrrp_scripts too.
    const scriptNames = trackedNames(config, 'trackScripts');
    const fileNames = trackedNames(config, 'trackFiles');
    this.scripts = new TrackScriptScheduler(
      config.scripts.filter((s) => scriptNames.has(s.name)),
      {
        launcher,
        clock,
        observer: {
          statusChanged: (name, status, detail) => {
            this.logScriptStatus(name, status, detail);
            this.apply();
          },
          runSkipped: (name, detail) => log.warn({ script: name }, `vrrp_script ${name}: run skipped: ${detail}`),
        },
      },
    );
    this.files = new TrackFileWatcher(
      config.trackFiles.filter((f) => fileNames.has(f.name)),
      {
        clock,
        observer: {
          valueChanged: (name, value) => {
            log.info({ trackFile: name, value }, `track_file ${name}: ${value}`);
            this.apply();
          },
          problem: (message) => log.warn(message),
        },
      },
    );
    // Every definition is counted, as keepalived does: a reload that only adds a track_process
    // line to an instance then finds the count ready.
    this.processes = new ProcessWatcher(config.trackProcesses, clock, {
      quorumChanged: (name, up, count) => {
        log.info(
          { trackProcess: name, up, count },
          `track_process ${name}: quorum ${up ? 'gained' : 'lost'} (${count} running)`,
        );
        this.apply();
      },
      mode: (mode, detail) => log.info({ mode }, `track_process: ${detail}`),
    });
  }

  async start(): Promise<void> {
    this.links = watchLinks(
      (event) => {
        const changed = event.kind === 'resync' ? event.links : [event.link];
        for (const link of changed) this.interfaces.set(link.name, event.kind !== 'removed' && linkIsUp(link));
        this.apply();
      },
      (err) => this.log.error({ err: err.message }, 'link watch failed: interface tracking may be stale'),
    );
    await this.files.start();
    if (this.processes.counter.states().size > 0) this.processes.start();
    this.scripts.start();
    this.apply();
  }

  /** A reloaded config with the same scripts and track files: instances and weights may differ. */
  follow(config: Config): void {
    this.config = config;
    this.apply();
  }

  stop(): void {
    this.links?.close();
    this.scripts.stop();
    this.files.stop();
    this.processes.stop();
  }

  /**
   * A disabled script is a problem of the config, which keepalived reports at start ("Disabling
   * track script NAME ..."): vigild warns too, at the line that defines it.
   */
  private logScriptStatus(name: string, status: ScriptStatus, detail: string): void {
    if (status !== 'disabled') {
      this.log.info({ script: name, status }, `vrrp_script ${name}: ${status} (${detail})`);
      return;
    }
    const pos = this.config.scripts.find((s) => s.name === name)?.pos;
    const where = pos ? `${formatPos(pos)}: ` : '';
    this.log.warn(
      { script: name, status, ...pos },
      `${where}vrrp_script ${name}: disabled, no instance tracks it (${detail})`,
    );
  }

  /** Re-evaluates every instance and hands the verdicts to the running instances. */
  private apply(): void {
    const processes = new Map([...this.processes.counter.states()].map(([name, s]) => [name, s.up]));
    const observed = {
      interfaces: this.interfaces,
      scripts: this.scripts.statuses(),
      files: this.files.values(),
      processes,
    };
    for (const instance of this.config.instances) {
      const runtime = this.engine.instance(instance.name);
      if (!runtime) continue;
      const verdict = evaluateTracking(instance, this.config, observed);
      runtime.setEffectivePriority(verdict.effectivePriority);
      runtime.setFault(verdict.fault);
    }
  }
}
