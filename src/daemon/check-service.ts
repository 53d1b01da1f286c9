// Real-server health inside vigild: the checkers run on their schedules, the track files of
// FILE_CHECKs are watched, each verdict change is logged, written to the store and handed to
// the notify scripts, quorum is re-weighed into the store, and the IPVS table is re-reconciled.
// An operator can have one real server's checks run at once (checkNow). The table itself is computed elsewhere
// (ipvs/desired) from what the store holds.

import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { CheckRunRequest, CheckRunResponse } from '../api/schema.js';
import {
  CheckerThread,
  HealthChecker,
  type HealthPorts,
  type RealServerChecks,
  type RealServerHealth,
  type RealServerTarget,
} from '../check/index.js';
import { processClock } from '../clock.js';
import type { CheckerType, Command, Config, RealServer, TrackFile, VirtualServer } from '../config/index.js';
import { realServerId } from '../ipvs/desired.js';
import { aliveWeight, quorumHolds } from '../ipvs/quorum.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import {
  mailConfigured,
  realServerAlerts,
  realServerMail,
  virtualServerAlerts,
  virtualServerMail,
} from '../scripts/alert-mail.js';
import { realServerFifoLine, virtualServerFifoLine } from '../scripts/fifo-lines.js';
import { ChildProcessLauncher } from '../scripts/launcher.js';
import { alertSender, type MailSender } from '../scripts/mail-sender.js';
import { NotifyRunner } from '../scripts/notify.js';
import type { FifoSink } from '../scripts/notify-fifo.js';
import { TrackFileWatcher } from '../track-file.js';
import { HttpError } from './control-server.js';
import type { Logger } from './logger.js';
import { findMembers, type Member, membersOf } from './real-server-lookup.js';
import { healthStatus, virtualServerName } from './status.js';
import type { StateStore } from './store.js';

export interface CheckContext {
  log: Logger;
  /** Where verdicts are read from and quorum is kept. */
  store: StateStore;
  /** Health or quorum changed: the IPVS table must follow. */
  onTableChange: () => void;
  /** The checks' nice value: checker_priority, else the one vigild started with. */
  checkerNice?: number;
  /** Where the `RS ...` and `VS ...` lines of lvs_notify_fifo and notify_fifo go. */
  fifo?: FifoSink;
  /**
   * The checker's ports, for tests: with them the checks run on this thread. Without, they run
   * in a worker thread with real time, sockets and processes, away from VRRP's event loop.
   */
  ports?: Partial<HealthPorts>;
}

export class CheckService {
  private readonly checker: RealServerChecks;
  private readonly notify: NotifyRunner;
  private mailer: MailSender;
  private members = new Map<string, Member>();
  private config: Config;
  private files: TrackFileWatcher | undefined;
  /** Virtual servers with verdict changes not weighed yet (see reweigh). */
  private readonly unweighed = new Set<VirtualServer>();
  private stopped = false;

  /** Starts checking; FILE_CHECK verdicts are known when it returns, so the first IPVS table has them. */
  static async start(config: Config, context: CheckContext): Promise<CheckService> {
    const service = new CheckService(config, context);
    await service.update(config, { reload: false });
    return service;
  }

  private constructor(
    config: Config,
    private readonly context: CheckContext,
  ) {
    this.config = config;
    this.mailer = alertSender(config.global.mail, context.log);
    const launcher = context.ports?.launcher ?? new ChildProcessLauncher(config.global);
    this.notify = new NotifyRunner({
      launcher,
      onFailure: (f) =>
        context.log.warn(
          { subject: f.subject, event: f.state },
          `notify script for ${f.subject} ${f.state} failed: ${f.detail}`,
        ),
    });
    const onChange = (id: string, health: RealServerHealth, previous: RealServerHealth) =>
      this.changed(id, health, previous);
    this.checker = context.ports
      ? new HealthChecker(
          { clock: processClock, wallClock: Date.now, random: Math.random, ...context.ports, launcher },
          onChange,
        )
      : new CheckerThread({
          ...(context.checkerNice !== undefined && { nice: context.checkerNice }),
          policy: { scriptUser: config.global.scriptUser, enableScriptSecurity: config.global.enableScriptSecurity },
          onChange,
          onFailure: (err) =>
            context.log.error({ err }, `the health checker failed and restarts in a second: ${err.message}`),
        });
    context.store.readHealthFrom((id) => this.checker.health(id));
  }

  /**
   * Takes a new config: unchanged real servers keep their verdicts and schedules; the track files
   * FILE_CHECKs name are read again (on a reload, init_file only creates a missing file).
   */
  async update(config: Config, options: { reload: boolean } = { reload: true }): Promise<void> {
    if (!isDeepStrictEqual(config.global.mail, this.config.global.mail)) {
      this.mailer.close();
      this.mailer = alertSender(config.global.mail, this.context.log);
    }
    this.config = config;
    await this.watchTrackFiles(config, options.reload);
    this.members = membersOf(config);
    const targets: RealServerTarget[] = [...this.members].map(([id, { rs }]) => ({
      id,
      address: rs.address,
      port: rs.port,
      weight: rs.weight,
      checkers: rs.checkers,
    }));
    await this.checker.update(targets);
    this.context.store.keepQuorumOf(config.virtualServers);
    for (const vs of config.virtualServers) this.weigh(vs);
  }

  /**
   * Stops checking. With `omega`, a virtual server going away runs its notify_down scripts for
   * the real servers that were up and quorum_down if quorum held, as keepalived does on shutdown.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.mailer.close();
    // Verdicts are read before the checker stops and forgets them.
    for (const vs of this.config.virtualServers.filter((v) => v.omega)) {
      const name = virtualServerName(vs);
      for (const rs of vs.realServers) {
        if (this.checker.health(realServerId(vs, rs))?.alive !== false) {
          this.context.fifo?.write('lvs', realServerFifoLine(rs, vs, false));
          this.run(`real server ${destinationKeyText(rs)} of ${name}`, 'DOWN', rs.notifyDown);
        }
      }
      if (this.context.store.quorumHolds(vs) !== false) {
        this.context.fifo?.write('lvs', virtualServerFifoLine(vs, false));
        this.run(`virtual server ${name}`, 'QUORUM_DOWN', vs.quorumDown);
      }
    }
    this.files?.stop();
    await this.checker.stop();
    await this.notify.idle();
  }

  /** Runs one real server's checks now; its verdict stays the schedule's (see HealthChecker.checkNow). */
  async checkNow(request: CheckRunRequest): Promise<CheckRunResponse> {
    const [id, { vs, rs }] = this.find(request);
    const outcome = await this.checker.checkNow(id)?.catch((err: Error) => {
      throw new HttpError(503, 'checker_restarting', `${err.message}; try again in a few seconds`);
    });
    if (!outcome) throw new HttpError(404, 'not_found', `real server ${request.realServer} is no longer configured`);
    const verdict = healthStatus(this.checker.health(id));
    return {
      at: new Date().toISOString(),
      virtualServer: virtualServerName(vs),
      realServer: destinationKeyText(rs),
      result: outcome.checkers.length === 0 ? 'unchecked' : outcome.alive ? 'up' : 'down',
      checkers: outcome.checkers,
      verdict: {
        health: verdict.health,
        ...(verdict.healthReason !== undefined && { healthReason: verdict.healthReason }),
        ...(verdict.healthSince !== undefined && { healthSince: verdict.healthSince }),
      },
    };
  }

  /** The one member a request names; an unknown or ambiguous one is a 404 or 400 listing what there is. */
  private find(request: CheckRunRequest): [string, Member] {
    const found = findMembers(this.members, request);
    const [first, second] = found;
    if (first && !second) return first;
    throw new HttpError(
      400,
      'bad_request',
      `real server ${request.realServer} is in ${found.length} virtual servers; name one with virtualServer (vigil check --vs): ${found.map(([, m]) => virtualServerName(m.vs)).join(', ')}`,
    );
  }

  /** Watches the track files FILE_CHECKs name, afresh for each config, and hands every value to the checker. */
  private async watchTrackFiles(config: Config, reload: boolean): Promise<void> {
    this.files?.stop();
    const names = new Set(
      config.virtualServers.flatMap((vs) =>
        vs.realServers.flatMap((rs) => rs.checkers.flatMap((c) => (c.type === 'FILE_CHECK' ? [c.track.name] : []))),
      ),
    );
    const files = new Map<string, TrackFile>(
      config.trackFiles.filter((f) => names.has(f.name)).map((f) => [f.name, f]),
    );
    const { log } = this.context;
    const watcher = new TrackFileWatcher([...files.values()], {
      clock: this.context.ports?.clock ?? processClock,
      observer: {
        valueChanged: (name, value) => {
          const file = files.get(name);
          if (watcher !== this.files || !file) return;
          log.info({ trackFile: name, value }, `track_file ${name}: ${value}`);
          this.checker.trackFileChanged(file, value);
        },
        problem: (message) => log.warn(message),
      },
    });
    this.files = watcher;
    await watcher.start({ reload });
    for (const [name, value] of watcher.values()) {
      const file = files.get(name);
      if (file) this.checker.trackFileChanged(file, value);
    }
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
      this.context.fifo?.write('lvs', realServerFifoLine(rs, vs, health.alive));
      this.run(
        `real server ${rsName} of ${name}`,
        health.alive ? 'UP' : 'DOWN',
        health.alive ? rs.notifyUp : rs.notifyDown,
      );
      this.alert(rs, vs, health);
    }
    this.context.store.realServerChanged(vs, rs, health, new Date());
    this.reweigh(vs);
  }

  /**
   * Weighs the virtual server's quorum again and refreshes the table once the changes that came
   * together are all in: at start, thousands of verdicts can arrive in one turn of the event
   * loop, and weighing after each would cost the pool's size every time.
   */
  private reweigh(vs: VirtualServer): void {
    if (this.unweighed.size === 0) {
      setImmediate(() => {
        const dirty = [...this.unweighed];
        this.unweighed.clear();
        // Once stopped, the table is the daemon's to clear: nothing may refresh it.
        if (this.stopped) return;
        for (const each of dirty) this.weigh(each);
        this.context.onTableChange();
      });
    }
    this.unweighed.add(vs);
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
    this.context.fifo?.write('lvs', virtualServerFifoLine(vs, holds));
    this.run(`virtual server ${name}`, holds ? 'QUORUM_UP' : 'QUORUM_DOWN', holds ? vs.quorumUp : vs.quorumDown);
    const { global } = this.config;
    if (mailConfigured(global.mail) && virtualServerAlerts(vs, global.mail)) {
      this.mailer.send(virtualServerMail(global.routerId ?? hostname(), vs, holds, weight));
    }
  }

  /** keepalived's mail for a real server going up or down, when the real server sends mail. */
  private alert(rs: RealServer, vs: VirtualServer, health: RealServerHealth): void {
    const { global } = this.config;
    if (!mailConfigured(global.mail) || !realServerAlerts(rs, global.mail)) return;
    const checker = deciding(rs, health);
    this.mailer.send(realServerMail(global.routerId ?? hostname(), rs, vs, health.alive, checker));
  }

  private run(subject: string, event: string, command: Command | undefined): void {
    if (command) void this.notify.run(subject, event, [command]);
  }
}

/** The checker that decided: a down verdict's reason starts with its type; up, the real server's first checker. */
function deciding(rs: RealServer, health: RealServerHealth): CheckerType | undefined {
  const named = health.reason?.split(':', 1)[0];
  return rs.checkers.find((c) => c.type === named)?.type ?? rs.checkers[0]?.type;
}
