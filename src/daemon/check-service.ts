// Real-server health inside vigild: the checkers run on their schedules, each verdict change is
// logged, written to the store and handed to the notify scripts, quorum is re-weighed into the
// store, and the IPVS table is re-reconciled. The table itself is computed elsewhere
// (ipvs/desired) from what the store holds.

import { HealthChecker, type HealthPorts, type RealServerHealth, type RealServerTarget } from '../check/index.js';
import { processClock } from '../clock.js';
import type { Command, Config, RealServer, VirtualServer } from '../config/index.js';
import { realServerId } from '../ipvs/desired.js';
import { aliveWeight, quorumHolds } from '../ipvs/quorum.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import { ChildProcessLauncher } from '../scripts/launcher.js';
import { NotifyRunner } from '../scripts/notify.js';
import type { Logger } from './logger.js';
import { virtualServerName } from './status.js';
import type { StateStore } from './store.js';

export interface CheckContext {
  log: Logger;
  /** Where verdicts are read from and quorum is kept. */
  store: StateStore;
  /** Health or quorum changed: the IPVS table must follow. */
  onTableChange: () => void;
  /** The checker's ports; real time, sockets and processes unless a test says otherwise. */
  ports?: Partial<HealthPorts>;
}

interface Member {
  vs: VirtualServer;
  rs: RealServer;
}

export class CheckService {
  private readonly checker: HealthChecker;
  private readonly notify: NotifyRunner;
  private members = new Map<string, Member>();
  private config: Config;

  constructor(
    config: Config,
    private readonly context: CheckContext,
  ) {
    this.config = config;
    const launcher = context.ports?.launcher ?? new ChildProcessLauncher(config.global);
    this.notify = new NotifyRunner({
      launcher,
      onFailure: (f) =>
        context.log.warn(
          { subject: f.subject, event: f.state },
          `notify script for ${f.subject} ${f.state} failed: ${f.detail}`,
        ),
    });
    this.checker = new HealthChecker(
      { clock: processClock, wallClock: Date.now, random: Math.random, ...context.ports, launcher },
      (id, health, previous) => this.changed(id, health, previous),
    );
    context.store.readHealthFrom((id) => this.checker.health(id));
    this.update(config);
  }

  /** Takes a new config: unchanged real servers keep their verdicts and schedules. */
  update(config: Config): void {
    this.config = config;
    this.members = new Map(
      config.virtualServers.flatMap((vs) =>
        vs.realServers.map((rs): [string, Member] => [realServerId(vs, rs), { vs, rs }]),
      ),
    );
    const targets: RealServerTarget[] = [...this.members].map(([id, { rs }]) => ({
      id,
      address: rs.address,
      port: rs.port,
      checkers: rs.checkers,
    }));
    this.checker.update(targets);
    this.context.store.keepQuorumOf(config.virtualServers);
    for (const vs of config.virtualServers) this.weigh(vs);
  }

  /**
   * Stops checking. With `omega`, a virtual server going away runs its notify_down scripts for
   * the real servers that were up and quorum_down if quorum held, as keepalived does on shutdown.
   */
  async stop(): Promise<void> {
    // Verdicts are read before the checker stops and forgets them.
    for (const vs of this.config.virtualServers.filter((v) => v.omega)) {
      const name = virtualServerName(vs);
      for (const rs of vs.realServers) {
        if (this.checker.health(realServerId(vs, rs))?.alive !== false)
          this.run(`real server ${destinationKeyText(rs)} of ${name}`, 'DOWN', rs.notifyDown);
      }
      if (this.context.store.quorumHolds(vs) !== false)
        this.run(`virtual server ${name}`, 'QUORUM_DOWN', vs.quorumDown);
    }
    this.checker.stop();
    await this.notify.idle();
  }

  private changed(id: string, health: RealServerHealth, previous: RealServerHealth): void {
    const member = this.members.get(id);
    if (!member) return;
    const { vs, rs } = member;
    const name = virtualServerName(vs);
    const rsName = destinationKeyText(rs);
    if (health.alive !== previous.alive) {
      const text = `real server ${rsName} of ${name} is ${health.alive ? 'up' : `down: ${health.reason ?? 'check failed'}`}`;
      if (health.alive) this.context.log.info({ virtualServer: name, realServer: rsName }, text);
      else this.context.log.warn({ virtualServer: name, realServer: rsName, reason: health.reason }, text);
      this.run(
        `real server ${rsName} of ${name}`,
        health.alive ? 'UP' : 'DOWN',
        health.alive ? rs.notifyUp : rs.notifyDown,
      );
    }
    this.context.store.realServerChanged(vs, rs, health, new Date());
    this.weigh(vs);
    this.context.onTableChange();
  }

  /** Re-weighs a virtual server's quorum into the store; news is logged and notified. */
  private weigh(vs: VirtualServer): void {
    const { store } = this.context;
    const weight = aliveWeight(vs, store.verdicts());
    const holds = quorumHolds(store.quorumHolds(vs), weight, vs);
    if (!store.quorumWeighed(vs, holds, weight, new Date())) return;
    const name = virtualServerName(vs);
    const sorry = vs.sorryServer
      ? `; sorry server ${destinationKeyText(vs.sorryServer)} ${holds ? 'out of' : 'in'} service`
      : '';
    const text = holds
      ? `${name} regained quorum: live weight ${weight} >= ${vs.quorum}+${vs.hysteresis}${sorry}`
      : `${name} lost quorum: live weight ${weight} < ${vs.quorum}-${vs.hysteresis}${sorry}`;
    if (holds) this.context.log.info({ virtualServer: name, aliveWeight: weight }, text);
    else this.context.log.warn({ virtualServer: name, aliveWeight: weight }, text);
    this.run(`virtual server ${name}`, holds ? 'QUORUM_UP' : 'QUORUM_DOWN', holds ? vs.quorumUp : vs.quorumDown);
  }

  private run(subject: string, event: string, command: Command | undefined): void {
    if (command) void this.notify.run(subject, event, [command]);
  }
}
