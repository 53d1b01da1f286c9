// VRRP inside vigild: the engine for the running config, its kernel ports, cleanup of VIPs a
// crashed run left behind, and its transitions into the log and the event stream.

import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { processClock } from '../clock.js';
import { type Config, trackedNames } from '../config/index.js';
import { interfaceIndex } from '../net/native.js';
import { runNft } from '../net/nft.js';
import { reclaimLeftoverRoutes, sweepLeftoverRules } from '../net/owned-routes.js';
import { type AddressEvent, Rtnetlink, type Watcher, watchAddresses, watchRoutes } from '../net/rtnetlink.js';
import { type AddressLedger, reclaimLeftovers } from '../net/vip-addresses.js';
import { type VmacLedger, VmacLinks } from '../net/vmac-links.js';
import { mailConfigured, vrrpAlerts, vrrpMail } from '../scripts/alert-mail.js';
import { vrrpFifoLine } from '../scripts/fifo-lines.js';
import { ChildProcessLauncher, type ScriptLauncher } from '../scripts/launcher.js';
import { alertSender, type MailSender } from '../scripts/mail-sender.js';
import { NotifyRunner, type NotifyState } from '../scripts/notify.js';
import type { FifoSink } from '../scripts/notify-fifo.js';
import { startupScriptWarnings, vrrpScripts } from '../scripts/script-audit.js';
import { type ReconfigureOutcome, VrrpEngine } from '../vrrp/engine.js';
import type { InstanceObserver, InstanceStatus, VrrpInstanceRuntime } from '../vrrp/instance.js';
import type { OperatorMode } from '../vrrp/machine.js';
import { sameDefinition } from '../vrrp/reconfiguration.js';
import { fileAddressLedger } from './address-ledger.js';
import { ProblemLog } from './log-throttle.js';
import type { Logger } from './logger.js';
import { PromoteSecondaries } from './promote-secondaries.js';
import { RouteGuard } from './route-guard.js';
import { FileRouteLedger } from './route-ledger.js';
import { StaticEntries } from './static-entries.js';
import type { StateStore } from './store.js';
import { needsDropRules, VipFirewall } from './vip-firewall.js';
import { fileVmacLedger, vmacWantOf, vmacWantsOf } from './vmacs.js';
import { type HostSnapshot, realEnginePorts, snapshotHost } from './vrrp-ports.js';
import { TrackingSupervisor } from './vrrp-tracking.js';

export class VrrpService {
  private engine: VrrpEngine | undefined;
  private tracking: TrackingSupervisor | undefined;
  private notify: NotifyRunner | undefined;
  private mailer: MailSender | undefined;
  /** The state each instance or group was last mailed about: keepalived mails a state once. */
  private readonly mailed = new Map<string, NotifyState>();
  private closePorts: (() => void) | undefined;
  private updatePorts: ((config: Config, host: HostSnapshot) => void) | undefined;
  private scriptLauncher: { settings: unknown; launcher: ChildProcessLauncher } | undefined;
  private running: Config | undefined;
  private readonly problems: ProblemLog;
  private readonly statics: StaticEntries;
  private readonly promoted: PromoteSecondaries;
  /** use_vmac's macvlans: made before the instances that use them start, deleted after they stop. */
  private readonly vmacs: VmacLinks;
  /** The VIP drop rules; made with the first config that runs, its nftables settings kept until stop. */
  private firewall?: VipFirewall;
  private readonly watches: Watcher[] = [];

  private constructor(
    private readonly rtnl: Rtnetlink,
    private readonly ledger: AddressLedger,
    vmacLedger: VmacLedger,
    private readonly routeLedger: FileRouteLedger,
    private readonly log: Logger,
    private readonly store: StateStore,
    private readonly fifo: FifoSink,
    private readonly heldMode: (instance: string) => OperatorMode,
  ) {
    this.problems = new ProblemLog(log);
    this.statics = new StaticEntries(rtnl, ledger, routeLedger, log);
    this.promoted = new PromoteSecondaries(log);
    this.vmacs = new VmacLinks(rtnl, vmacLedger, (message) => log.warn(message));
  }

  /** Reclaims leftover VIPs and starts the config's instances; throws with a clear message when it cannot. */
  static async start(
    config: Config,
    stateDir: string,
    log: Logger,
    store: StateStore,
    fifo: FifoSink,
    heldMode: (instance: string) => OperatorMode = () => 'none',
  ): Promise<VrrpService> {
    const ledger = fileAddressLedger(stateDir);
    const routeLedger = new FileRouteLedger(stateDir);
    const rtnl = new Rtnetlink();
    const service = new VrrpService(rtnl, ledger, fileVmacLedger(stateDir), routeLedger, log, store, fifo, heldMode);
    // Read through, not pushed: counters move with every advert (see the store).
    store.readVrrpFrom(() => service.engine?.status() ?? []);
    try {
      for (const left of await reclaimLeftovers(rtnl, ledger)) {
        log.warn(
          { interface: left.ifname, address: `${left.address}/${left.prefix}` },
          'removed a VIP left behind by a previous run',
        );
      }
      const left = await reclaimLeftoverRoutes(rtnl, routeLedger, interfaceIndex);
      for (const route of left.routes)
        log.warn(
          { to: `${route.to.address}/${route.to.prefix}`, table: route.table },
          'removed a route left behind by a previous run',
        );
      for (const rule of left.rules)
        log.warn({ priority: rule.priority }, 'removed a rule left behind by a previous run');
      const rules = [...config.staticRules, ...config.instances.flatMap((i) => i.virtualRules)];
      for (const left of await sweepLeftoverRules(rtnl, rules))
        log.warn({ priority: left.priority }, 'removed a rule left behind by a previous run');
      await service.statics.apply(config);
      service.promoted.apply(config);
      await service.sweepDropRules(config);
      service.guardEntries();
      // keepalived delays only the first start, never a reload.
      await service.run(config, config.global.vrrpStartupDelay * 1000);
    } catch (err) {
      for (const watch of service.watches) watch.close();
      rtnl.close();
      throw err;
    }
    return service;
  }

  /**
   * Applies a reloaded config instance by instance (see reconfiguration.ts): unchanged instances
   * keep running untouched, changed ones are updated in place or restarted alone, added ones
   * start and removed ones stop. Returns what was done, or undefined when VRRP did not run
   * before or does not run after (it then simply starts or stops).
   */
  async reload(config: Config): Promise<ReconfigureOutcome | undefined> {
    const running = this.running;
    await this.statics.apply(config);
    this.promoted.apply(config);
    if (this.engine && running && !isDeepStrictEqual(running.global.mail, config.global.mail)) {
      this.mailer?.close();
      this.mailer = alertSender(config.global.mail, this.log);
    }
    if (!this.engine || !running || config.instances.length === 0) {
      await this.stopEngine();
      await this.run(config);
      await this.vmacs.prune(vmacWantsOf(config));
      return undefined;
    }
    await this.vmacs.ensure(vmacWantsOf(config), config.global.vmacPrefix);
    const host = await snapshotHost(this.rtnl);
    this.updatePorts?.(config, host);
    const outcome = await this.engine.reconfigure(config);
    this.running = config;
    if (config.global.fifoWriteStatesOnReload) this.writeKeptStates(config, outcome);
    await this.vmacs.prune(vmacWantsOf(config));
    if (!sameTrackingDefinitions(running, config)) {
      this.tracking?.stop();
      this.tracking = new TrackingSupervisor(
        config,
        this.engine,
        host.links,
        this.launcher(config),
        processClock,
        this.log,
      );
      await this.tracking.start();
    } else {
      this.tracking?.follow(config);
    }
    return outcome;
  }

  /**
   * fifo_write_vrrp_states_on_reload, as Debian's keepalived 2.2.7 does it: after a reload each
   * sync group whose members all kept running gets a line with its state, and then each instance
   * that kept running and is not MASTER gets one (a master's is not written again). Instances
   * that started anew write their transitions anyway.
   */
  private writeKeptStates(config: Config, { changes }: ReconfigureOutcome): void {
    const kept = new Set(changes.flatMap((c) => (c.kind === 'unchanged' || c.kind === 'updated' ? [c.to.name] : [])));
    const stateOf = (name: string) => this.engine?.instance(name)?.status();
    for (const group of config.syncGroups) {
      const first = stateOf(group.members[0]!);
      if (first && group.members.every((m) => kept.has(m)))
        this.fifo.write('vrrp', vrrpFifoLine('GROUP', group.name, notifyState(first.state), 0));
    }
    for (const instance of config.instances) {
      const status = kept.has(instance.name) ? stateOf(instance.name) : undefined;
      if (status && status.state !== 'MASTER')
        this.fifo.write(
          'vrrp',
          vrrpFifoLine('INSTANCE', instance.name, notifyState(status.state), status.effectivePriority),
        );
    }
  }

  /** A running instance, for the operator's holds. */
  instance(name: string): VrrpInstanceRuntime | undefined {
    return this.engine?.instance(name);
  }

  /** keepalived's STATS_CLEAR: the instances' counters start again from zero. */
  clearCounters(): void {
    this.engine?.clearCounters();
  }

  async stop(): Promise<void> {
    for (const watch of this.watches) watch.close();
    await this.stopEngine();
    await this.firewall
      ?.close()
      .catch((err: Error) =>
        this.log.error({ err: err.message }, 'could not delete the nftables table of the VIP drop rules'),
      );
    await this.vmacs.clear();
    await this.statics.clear();
    this.promoted.clear();
    this.rtnl.close();
  }

  /** Watches for deleted routes and rules of vigild's (see RouteGuard), and static addresses, until stop. */
  private guardEntries(): void {
    const guard = new RouteGuard({
      entries: () =>
        this.running && {
          ...this.running,
          instances: this.running.instances.map((i) => this.engine?.instance(i.name)?.config ?? i),
        },
      isMaster: (name) => this.engine?.instance(name)?.state === 'MASTER',
      ownedDeleted: (name, what) => this.engine?.instance(name)?.ownedDeleted(what),
      restoreStatic: (kind, entry) => this.statics.restore(kind, entry),
      indexOf: interfaceIndex,
      log: this.log,
    });
    const failed = (what: string) => (err: Error) =>
      this.log.error({ err: err.message }, `watching ${what} failed: a deleted one may go unnoticed`);
    this.watches.push(
      watchRoutes((event) => guard.onEvent(event), failed('routes and rules')),
      watchAddresses((event) => this.restoreStaticAddress(event), failed('static addresses')),
    );
  }

  private restoreStaticAddress(event: AddressEvent): void {
    if (event.kind !== 'removed') return;
    const { address, prefix } = event.address;
    this.statics.restoreAddress(event.address).then(
      (restored) => {
        if (restored) this.log.warn({ address: `${address}/${prefix}` }, 'a static address was deleted; put it back');
      },
      (err: Error) => this.log.error({ err: err.message }, `could not put back static address ${address}/${prefix}`),
    );
  }

  private async run(config: Config, startupDelayMs = 0): Promise<void> {
    this.running = config;
    if (config.instances.length === 0) return;
    await this.vmacs.ensure(vmacWantsOf(config), config.global.vmacPrefix);
    const host = await snapshotHost(this.rtnl);
    this.firewall ??= new VipFirewall(config.global.nftables, runNft);
    const ports = realEnginePorts(
      config,
      host,
      this.rtnl,
      this.ledger,
      this.routeLedger,
      this.observer(),
      this.log,
      this.firewall,
      (instance) => {
        const want = vmacWantOf(instance);
        return want && this.vmacs.nameOf(want);
      },
    );
    const launcher = this.launcher(config);
    this.notify = new NotifyRunner({
      launcher,
      onFailure: (f) =>
        this.log.warn(
          { subject: f.subject, state: f.state },
          `notify script for ${f.subject} ${f.state} failed: ${f.detail}`,
        ),
    });
    this.mailer = alertSender(config.global.mail, this.log);
    this.mailed.clear();
    const engine = new VrrpEngine(config, ports);
    try {
      engine.start(startupDelayMs);
    } catch (err) {
      ports.close();
      throw new Error(`cannot start VRRP: ${(err as Error).message}`, { cause: err });
    }
    this.engine = engine;
    this.closePorts = ports.close;
    this.updatePorts = ports.update;
    this.tracking = new TrackingSupervisor(config, engine, host.links, launcher, processClock, this.log);
    await this.tracking.start();
    void this.warnAboutScripts(config, launcher);
  }

  /** keepalived's start-up warnings about scripts, logged once the instances run. */
  private async warnAboutScripts(config: Config, launcher: ScriptLauncher): Promise<void> {
    const scripts = vrrpScripts(config);
    for (const warning of await startupScriptWarnings(launcher, scripts, config.global.enableScriptSecurity))
      this.log.warn(warning);
  }

  /**
   * A run killed as master leaves its table dropping traffic to VIPs it no longer holds: one
   * that will use the table again clears it first (the table is ours by its configured name).
   */
  private async sweepDropRules(config: Config): Promise<void> {
    if (!config.instances.some(needsDropRules)) return;
    this.firewall = new VipFirewall(config.global.nftables, runNft);
    await this.firewall
      .sweep()
      .catch((err: Error) => this.log.error({ err: err.message }, 'could not clear a left-behind nftables table'));
  }

  private async stopEngine(): Promise<void> {
    this.tracking?.stop();
    await this.engine?.stop();
    this.closePorts?.();
    // The STOP notify scripts the engine's shutdown queued run to the end.
    await this.notify?.idle();
    this.mailer?.close();
    this.engine = undefined;
    this.tracking = undefined;
    this.closePorts = undefined;
    this.updatePorts = undefined;
  }

  /** The launcher of scripts, kept across reloads while the global script settings stay. */
  private launcher(config: Config): ChildProcessLauncher {
    const settings = { user: config.global.scriptUser, security: config.global.enableScriptSecurity };
    if (!this.scriptLauncher || !sameDefinition(this.scriptLauncher.settings, settings))
      this.scriptLauncher = { settings, launcher: new ChildProcessLauncher(config.global) };
    return this.scriptLauncher.launcher;
  }

  private observer(): InstanceObserver {
    return {
      transition: (t) => {
        this.log.info(
          { instance: t.instance, from: t.from, to: t.to },
          `${t.instance}: ${t.from} -> ${t.to}: ${t.reason}`,
        );
        this.store.vrrpTransition(t);
        // A reload's new instances are in the engine before `running` is the new config.
        const instance =
          this.engine?.instance(t.instance)?.config ?? this.running?.instances.find((i) => i.name === t.instance);
        const priority = this.engine?.instance(t.instance)?.status().effectivePriority ?? instance?.priority ?? 0;
        this.fifo.write('vrrp', vrrpFifoLine('INSTANCE', t.instance, notifyState(t.to), priority));
        if (instance) void this.notify?.notifyInstance(t.instance, instance.notify, notifyState(t.to), priority);
        if (instance) this.alert('instance', t.instance, instance.smtpAlert, notifyState(t.to));
      },
      groupTransition: (t) => {
        this.log.info(
          { syncGroup: t.group, from: t.from, to: t.to },
          `sync group ${t.group}: ${t.from} -> ${t.to}: ${t.reason}`,
        );
        const group = this.running?.syncGroups.find((g) => g.name === t.group);
        this.fifo.write('vrrp', vrrpFifoLine('GROUP', t.group, notifyState(t.to), 0));
        if (group) void this.notify?.notifyGroup(t.group, group.notify, notifyState(t.to));
        if (group) this.alert('group', t.group, group.smtpAlert, notifyState(t.to));
      },
      heardLowerPriority: (name, source, priority) => {
        this.log.info({ instance: name, source }, `${name}: master heard a lower priority from ${source}`);
        this.fifo.write('vrrp', vrrpFifoLine('INSTANCE', name, 'MASTER_RX_LOWER_PRI', priority));
        const script = this.engine?.instance(name)?.config.notifyMasterRxLowerPri;
        if (script) void this.notify?.run(name, 'MASTER_RX_LOWER_PRI', [script]);
      },
      priorityChange: (c) => {
        this.log.info(
          { instance: c.instance, from: c.from, to: c.to },
          `${c.instance}: effective priority ${c.from} -> ${c.to}`,
        );
        if (!this.notifiesPriorityChanges(c.instance)) return;
        const event = c.state === 'MASTER' ? 'MASTER_PRIORITY' : 'BACKUP_PRIORITY';
        this.fifo.write('vrrp', vrrpFifoLine('INSTANCE', c.instance, event, c.to));
      },
      // Drops are counted in status anyway; the log gets the first of each kind and a tally.
      problem: this.problems.report,
      heldMode: this.heldMode,
    };
  }

  /** notify_priority_changes of the instance, else of its sync group, else vrrp_notify_priority_changes. */
  private notifiesPriorityChanges(name: string): boolean {
    const config = this.running;
    // A reload's new instances are in the engine before `running` is the new config.
    const own = (this.engine?.instance(name)?.config ?? config?.instances.find((i) => i.name === name))
      ?.notifyPriorityChanges;
    const group = config?.syncGroups.find((g) => g.members.includes(name))?.notifyPriorityChanges;
    return own ?? group ?? config?.global.notifyPriorityChanges ?? false;
  }

  /** Queues keepalived's mail for the transition, if the object sends mail and this state was not mailed last. */
  private alert(kind: 'instance' | 'group', name: string, own: boolean | undefined, state: NotifyState): void {
    const global = this.running?.global;
    if (!global || !mailConfigured(global.mail) || !vrrpAlerts(own, global.mail)) return;
    if (state === 'FAULT' && global.mail.noFaults) return;
    const key = `${kind} ${name}`;
    const mail = vrrpMail(global.routerId ?? hostname(), kind, name, state);
    if (!mail || this.mailed.get(key) === state) return;
    this.mailed.set(key, state);
    this.mailer?.send(mail);
  }
}

/** keepalived's notify states: leaving to INIT is a stop. */
const notifyState = (state: InstanceStatus['state']): NotifyState => (state === 'INIT' ? 'STOP' : state);

/**
 * Whether the running tracking can follow the new config as it is: the same vrrp_scripts and
 * track files, run the same way, and the same of them tracked (only those run). Otherwise it
 * restarts, and scripts report afresh.
 */
function sameTrackingDefinitions(a: Config, b: Config): boolean {
  const part = (c: Config) => ({
    scripts: c.scripts,
    trackFiles: c.trackFiles,
    tracked: [trackedNames(c, 'trackScripts'), trackedNames(c, 'trackFiles')].map((names) => [...names].sort()),
    trackProcesses: c.trackProcesses,
    user: c.global.scriptUser,
    security: c.global.enableScriptSecurity,
  });
  return sameDefinition(part(a), part(b));
}
