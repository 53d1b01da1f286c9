// vigild's lifecycle: load the config, own the pid file and the sockets, serve the control API,
// reload on request, and release exactly what it took on stop.

import { isDeepStrictEqual } from 'node:util';
import { toApiDiagnostic } from '../api/diagnostics.js';
import type { Diagnostic, ReloadChange, ReloadRequest, ReloadResponse, StatusResponse } from '../api/schema.js';
import { formatReloadChange } from '../cli/render-reload.js';
import { type Config, loadConfig, summarize } from '../config/index.js';
import type { ListenAddress } from '../inet/listen-address.js';
import { IpvsClient } from '../ipvs/client.js';
import type { TableInputs } from '../ipvs/desired.js';
import { IpvsKernel } from '../ipvs/kernel.js';
import { hostInterfaces } from '../net/interfaces.js';
import { planFifos } from '../scripts/fifo-plan.js';
import { ChildProcessLauncher } from '../scripts/launcher.js';
import { type FifoSink, NotifyFifos } from '../scripts/notify-fifo.js';
import { setThreadNice, threadNice } from '../thread-priority.js';
import { VERSION } from '../version.js';
import { CheckService } from './check-service.js';
import { ControlServer, HttpError } from './control-server.js';
import { DrainService } from './drain-service.js';
import { KeepalivedDumps } from './dumps/keepalived-dumps.js';
import { IpvsService } from './ipvs-service.js';
import { runLifecycleScript, warnLifecycleScriptSecurity } from './lifecycle-scripts.js';
import type { Logger } from './logger.js';
import { MetricsService } from './metrics-service.js';
import { OperatorService } from './operator.js';
import { reloadDiff } from './reload-diff.js';
import type { DumpKind } from './signals.js';
import { type DaemonLocks, holdDaemonLocks } from './state-lock.js';
import { buildStatus, type DaemonIdentity, ipvsStatsEvent, vrrpStatsEvent } from './status.js';
import { StateStore } from './store.js';
import { SyncDaemonService } from './sync-daemon-service.js';
import { VrrpService } from './vrrp-service.js';

/** The kernel re-estimates IPVS rates every 2 s: more often would repeat the same figures. */
const STATS_INTERVAL_MS = 2000;

export interface DaemonOptions {
  configPath: string;
  /** keepalived's `--config-id`: which `@ID` lines of the config are read. */
  configId: string;
  /** keepalived's `--all-config`: any include problem refuses the config. */
  allConfig?: boolean;
  socket: string;
  readOnlySocket: string;
  stateDir: string;
  pidFile: string;
  /** Leave vigild's IPVS services in the kernel on stop, for the next start to adopt. */
  keepIpvs: boolean;
  /** Where keepalived's dumps go (keepalived.data, .stats, .json). */
  dumpDir: string;
  /** --metrics-listen: Prometheus /metrics there, whatever the config says. */
  metricsListen?: ListenAddress;
  log: Logger;
}

type ConfigLoad =
  | { ok: true; config: Config; files: string[]; warnings: Diagnostic[] }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

/** A reload's outcome: the load, and when it was valid, what it changes (or would, in a dry run). */
type Reloaded = Exclude<ConfigLoad, { ok: true }> | (Extract<ConfigLoad, { ok: true }> & { changes: ReloadChange[] });

/** The config could not be used; each diagnostic has already been logged. */
export class ConfigRejectedError extends Error {
  constructor(readonly errors: Diagnostic[]) {
    super(`the config has ${errors.length} error${errors.length === 1 ? '' : 's'}`);
  }
}

export class Daemon {
  private readonly server: ControlServer;
  private readonly identity: DaemonIdentity;
  /** Reloads run one at a time, in the order they were asked for. */
  private reloadQueue: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private locks!: DaemonLocks;
  private vrrp: VrrpService | undefined;
  private ipvs: IpvsService | undefined;
  private checks: CheckService | undefined;
  private drains: DrainService | undefined;
  /** lvs_sync_daemon: IPVS's connection sync daemons, following VRRP. */
  private readonly syncDaemon: SyncDaemonService;
  /** The operator's holds: failover and maintenance. */
  private readonly operator: OperatorService;
  private fifos: NotifyFifos | undefined;
  /** What the services write to: the FIFOs of the running config, also across a reload. */
  private readonly fifoSink: FifoSink = { write: (lines, line) => this.fifos?.write(lines, line) };
  /**
   * The config the services run: during a reload it is the new one before the store accepts it,
   * so a health change in that window cannot re-apply the old table.
   */
  private applied: Config;
  /** Clients following the event stream, and the timer of their `vrrp.stats` and `ipvs.stats` events. */
  private watchers = 0;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly dumps: KeepalivedDumps;
  private readonly metrics: MetricsService;

  private constructor(
    private readonly options: DaemonOptions,
    private readonly store: StateStore,
  ) {
    this.syncDaemon = new SyncDaemonService(() => IpvsClient.open(), options.log);
    this.applied = store.loaded.config;
    this.identity = {
      version: VERSION,
      pid: process.pid,
      startedAt: new Date(),
      socket: options.socket,
      readOnlySocket: options.readOnlySocket,
      stateDir: options.stateDir,
    };
    this.operator = new OperatorService({
      stateDir: options.stateDir,
      log: options.log,
      store,
      config: () => this.applied,
      runtime: (name) => this.vrrp?.instance(name),
    });
    this.dumps = new KeepalivedDumps({
      store,
      clearCounters: () => this.vrrp?.clearCounters(),
      directory: options.dumpDir,
      log: options.log,
    });
    this.metrics = new MetricsService({
      store,
      status: () => this.status(),
      flag: options.metricsListen,
      log: options.log,
    });
    this.server = new ControlServer(
      {
        status: () => this.status(),
        reload: (request) => this.reloadForApi(request),
        checkRun: (request) => {
          if (!this.checks) throw new HttpError(503, 'internal', 'health checks are not running yet');
          return this.checks.checkNow(request);
        },
        drain: (request) => this.drainService().drain(request),
        undrain: (request) => this.drainService().undrain(request),
        failover: (request) => this.operator.failover(request),
        maintenance: (request) => this.operator.maintenance(request),
        subscribe: (send) => {
          send({ type: 'hello', at: new Date().toISOString(), generation: this.store.loaded.generation });
          const unsubscribe = this.store.subscribe(send);
          this.watchStats(+1);
          return () => {
            unsubscribe();
            this.watchStats(-1);
          };
        },
      },
      options.log,
    );
  }

  /** Loads the config and starts serving; throws (after logging why) when it cannot. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const { log } = options;
    const loaded = loadAndLog(options, log);
    if (!loaded.ok) throw new ConfigRejectedError(loaded.errors);

    // Before anything is touched: another vigild on this state dir, and its VIPs, stay alone.
    const locks = holdDaemonLocks(options.stateDir, options.pidFile);
    // keepalived's order: the startup script ends (or times out) before VRRP and the checks begin.
    warnLifecycleScriptSecurity(loaded.config.global, log);
    await runLifecycleScript('startup', loaded.config.global, new ChildProcessLauncher(loaded.config.global), log);
    const store = new StateStore(options.configPath, loaded.config, loaded.files, loaded.warnings, new Date());
    const daemon = new Daemon(options, store);
    daemon.locks = locks;
    try {
      await daemon.server.listen(options.socket, options.readOnlySocket);
      const startedNice = threadNice();
      applyVrrpNice(loaded.config.global.vrrpNice, log);
      // Before VRRP starts, so that its first transitions are written.
      daemon.fifos = await daemon.openFifos(loaded.config);
      daemon.vrrp = await VrrpService.start(loaded.config, options.stateDir, log, store, daemon.fifoSink, (name) =>
        daemon.operator.heldMode(name),
      );
      store.subscribe((event) => {
        if (event.type === 'vrrp.transition') void daemon.syncDaemon.transition(event.instance, event.to);
      });
      await daemon.syncDaemon.apply(loaded.config, (name) => daemon.isMaster(name));
      // Checks start before IPVS so that the first table already leaves out alpha servers.
      daemon.checks = await CheckService.start(loaded.config, {
        log,
        store,
        onTableChange: () => daemon.refreshIpvs(),
        checkerNice: loaded.config.global.checkerNice ?? startedNice,
        fifo: daemon.fifoSink,
      });
      // Before the first table, so that a drained server is at weight 0 from it on.
      daemon.drains = new DrainService(loaded.config, {
        stateDir: options.stateDir,
        log,
        store,
        applyTable: () => daemon.refreshIpvs() ?? Promise.resolve(),
        observe: () => daemon.ipvs?.observe() ?? Promise.resolve(),
      });
      daemon.ipvs = await IpvsService.start(
        loaded.config,
        {
          stateDir: options.stateDir,
          log,
          openKernel: () => IpvsKernel.open(),
          store,
        },
        daemon.tableInputs(),
      );
      // Verdicts that changed while IPVS was starting (the checks already run in their thread)
      // asked for a refresh before there was a service to take it: one pass catches them up.
      daemon.refreshIpvs();
      await daemon.metrics.follow(loaded.config);
      // ha_suspend: services follow the VIPs this node holds as master.
      store.subscribe((event) => {
        if (event.type === 'vrrp.transition' && daemon.applied.virtualServers.some((vs) => vs.haSuspend))
          daemon.refreshIpvs();
      });
    } catch (err) {
      await daemon.fifos?.close();
      await daemon.metrics.close();
      await daemon.server.close();
      locks.release();
      throw err;
    }
    log.info(
      {
        version: VERSION,
        config: options.configPath,
        socket: options.socket,
        readOnlySocket: options.readOnlySocket,
        stateDir: options.stateDir,
        ...summarize(loaded.config),
      },
      'vigild started',
    );
    return daemon;
  }

  /**
   * Re-reads the config file; an invalid one is logged and rejected, and the running one stays.
   * `dryRun`: only validates it and works out the changes.
   */
  reload(dryRun = false): Promise<Reloaded> {
    const next = this.reloadQueue.then(() => this.reloadNow(dryRun));
    this.reloadQueue = next.catch(() => undefined);
    return next;
  }

  /** keepalived's dump signals: writes the file, soon; a storm of them makes one more write, not one each. */
  dump(kind: DumpKind): void {
    this.dumps.request(kind);
  }

  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.options.log.info({ reason }, 'vigild stopping');
    this.store.announce({ type: 'daemon.stopping', at: new Date().toISOString(), signal: reason });
    clearInterval(this.statsTimer);
    this.operator.stop();
    // keepalived's order: the FIFO scripts get SIGTERM, then the STOP lines, then end of file.
    this.fifos?.stopScripts();
    // Masters resign first (priority 0, VIPs removed), so backups take over within their skew time.
    await this.vrrp?.stop();
    await this.syncDaemon.stop();
    await this.checks?.stop();
    await this.fifos?.close();
    await this.ipvs?.stop(this.options.keepIpvs);
    await this.metrics.close();
    await this.server.close();
    // After everything vigild set up is gone, and while it still holds the state dir.
    const { global } = this.applied;
    await runLifecycleScript('shutdown', global, new ChildProcessLauncher(global), this.options.log);
    this.locks.release();
    this.options.log.info('vigild stopped');
  }

  private async reloadNow(dryRun: boolean): Promise<Reloaded> {
    const { log, configPath } = this.options;
    log.info({ config: configPath, dryRun }, dryRun ? 'checking what a reload would change' : 'reloading config');
    const loaded = loadAndLog(this.options, log);
    if (!loaded.ok && dryRun) return loaded;
    if (!loaded.ok) {
      this.store.rejectConfig(loaded.errors, new Date());
      log.error(
        { errors: loaded.errors.length, generation: this.store.loaded.generation },
        'reload rejected: the running config stays in place',
      );
      return loaded;
    }
    const changes = reloadDiff(this.applied, loaded.config);
    if (dryRun) return { ...loaded, changes };
    for (const change of changes) log.info({ change }, `reload: ${formatReloadChange(change)}`);
    await this.reopenFifos(loaded.config);
    const vrrp = await this.vrrp?.reload(loaded.config);
    if (vrrp?.opened.length || vrrp?.closed.length)
      log.info({ opened: vrrp.opened, closed: vrrp.closed }, 'reload: VRRP sockets opened and closed');
    await this.syncDaemon.apply(loaded.config, (name) => this.isMaster(name));
    // From here on IPVS follows the new config, even before the store accepts it (see `applied`).
    this.applied = loaded.config;
    this.drains?.keepConfigured(loaded.config);
    this.operator.reapply();
    await this.checks?.update(loaded.config);
    await this.ipvs?.apply(loaded.config, this.tableInputs());
    const current = this.store.acceptConfig(loaded.config, loaded.files, loaded.warnings, new Date());
    await this.metrics.follow(loaded.config);
    log.info({ generation: current.generation, ...summarize(loaded.config) }, 'config reloaded');
    return { ...loaded, changes };
  }

  private openFifos(config: Config): Promise<NotifyFifos> {
    const { log } = this.options;
    return NotifyFifos.open(config.global, new ChildProcessLauncher(config.global), {
      info: (message) => log.info(message),
      warn: (message) => log.warn(message),
    });
  }

  /** Changed FIFO settings close the old FIFOs (and stop their scripts) and open the new; unchanged ones stay open. */
  private async reopenFifos(config: Config): Promise<void> {
    if (isDeepStrictEqual(planFifos(this.applied.global), planFifos(config.global))) return;
    await this.fifos?.close();
    this.fifos = await this.openFifos(config);
  }

  /** The store, with the kernel's IPVS counters read into it first: they live in the kernel. */
  private async status(): Promise<StatusResponse> {
    await this.ipvs?.observe();
    return this.operator.decorate(await buildStatus(this.store, this.identity, new Date()));
  }

  /**
   * While anyone follows the event stream, every STATS_INTERVAL_MS a `vrrp.stats` event carries
   * every instance with its advert counters and an `ipvs.stats` event every virtual and real
   * server with weights, health and live counters; nobody watching, no kernel reads.
   */
  private watchStats(delta: 1 | -1): void {
    this.watchers += delta;
    if (this.watchers > 0 && !this.statsTimer) {
      this.statsTimer = setInterval(() => void this.announceStats(), STATS_INTERVAL_MS);
      this.statsTimer.unref();
    } else if (this.watchers === 0 && this.statsTimer) {
      clearInterval(this.statsTimer);
      this.statsTimer = undefined;
    }
  }

  private async announceStats(): Promise<void> {
    const vrrp = vrrpStatsEvent(this.store, new Date());
    if (vrrp.instances.length > 0) {
      this.store.announce({ ...vrrp, instances: this.operator.decorateInstances(vrrp.instances) });
    }
    if (this.applied.virtualServers.length === 0) return;
    try {
      await this.ipvs?.observe();
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'IPVS counters could not be read for the event stream');
      return;
    }
    this.store.announce(await ipvsStatsEvent(this.store, new Date()));
  }

  /** What the IPVS table depends on besides the config: mastership, health and quorum. */
  private tableInputs(): TableInputs {
    return {
      masterAddresses: this.masterAddresses(),
      health: this.store.verdicts(),
      quorumLost: this.store.quorumLost(),
      drained: this.store.drained(),
    };
  }

  private isMaster(instance: string): boolean {
    return this.vrrp?.instance(instance)?.state === 'MASTER';
  }

  private refreshIpvs(): Promise<void> | undefined {
    return this.ipvs?.refresh(() => ({ config: this.applied, inputs: this.tableInputs() }));
  }

  private drainService(): DrainService {
    if (!this.drains) throw new HttpError(503, 'internal', 'vigild is still starting; try again in a second');
    return this.drains;
  }

  /** The VIPs (and excluded VIPs) of the instances that are MASTER now. */
  private masterAddresses(): Set<string> {
    const config = this.applied;
    const masters = new Set(
      this.store
        .vrrpInstances()
        .filter((s) => s.state === 'MASTER')
        .map((s) => s.name),
    );
    return new Set(
      config.instances
        .filter((i) => masters.has(i.name))
        .flatMap((i) => [...i.vips, ...i.excludedVips].map((v) => v.address)),
    );
  }

  private async reloadForApi(request: ReloadRequest): Promise<ReloadResponse> {
    const dryRun = request.dryRun ?? false;
    const result = await this.reload(dryRun);
    if (!result.ok) {
      throw new HttpError(
        422,
        'config_invalid',
        `${this.options.configPath} has ${result.errors.length} error(s); the running config stays in place`,
        {
          diagnostics: result.errors,
        },
      );
    }
    return {
      generation: this.store.loaded.generation,
      files: result.files,
      warnings: result.warnings,
      dryRun,
      changes: result.changes,
    };
  }
}

function loadAndLog({ configPath, configId, allConfig }: DaemonOptions, log: Logger): ConfigLoad {
  const result = loadConfig(configPath, { interfaces: hostInterfaces(), configId, allConfig });
  const diagnostics = result.diagnostics.map(toApiDiagnostic);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  // One log line per diagnostic, each carrying file:line:col, so journald shows them all.
  for (const d of warnings) log.warn({ file: d.file, line: d.line, col: d.col }, d.text);
  for (const d of errors) log.error({ file: d.file, line: d.line, col: d.col }, d.text);
  if (!result.config || errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, config: result.config, files: result.files, warnings };
}

/** vrrp_priority: the nice value of vigild's main thread, where VRRP runs (set once, at start). */
function applyVrrpNice(nice: number | undefined, log: Logger): void {
  if (nice === undefined) return;
  try {
    setThreadNice(nice);
    log.info({ nice }, `vrrp_priority: VRRP runs at nice ${nice}`);
  } catch (err) {
    log.warn({ err }, `vrrp_priority ${nice} not applied: ${(err as Error).message}`);
  }
}
