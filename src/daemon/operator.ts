// The operator's holds on VRRP instances: `vigil failover` (hand-off, take, release, --hold) and
// `vigil maintenance`. The holds live here, by instance name, rather than only in the engine's
// runtimes: an instance a reload restarts asks for its hold as it starts (heldMode), and one a
// reload keeps is given the same mode again, which changes nothing (reapply). Maintenance is
// written to the state dir before it acts, so a vigild restarted in maintenance never becomes
// master, not even for a moment.
import path from 'node:path';
import type {
  FailoverRequest,
  FailoverResponse,
  InstanceStatus,
  MaintenanceRequest,
  MaintenanceResponse,
  OperatorHold,
  StatusResponse,
} from '../api/schema.js';
import type { Config } from '../config/index.js';
import type { VrrpInstanceRuntime } from '../vrrp/instance.js';
import { HANDOFF_INTERVALS, handoffWindowMs, type OperatorMode, OWNER_PRIORITY } from '../vrrp/machine.js';
import { HttpError } from './control-server.js';
import type { Logger } from './logger.js';
import { readStateFile, writeStateFile } from './state-file.js';
import type { StateStore } from './store.js';

const STATE_FILE = 'operator.json';
/** Beyond a hand-off's own window: timers and the event loop of a busy host. */
const HANDOFF_SLACK_MS = 2000;
const POLL_MS = 5;
/** setTimeout's limit (~24.8 days): a longer --hold would fire at once. */
const MAX_HOLD_MS = 2 ** 31 - 1;

interface Hold {
  mode: 'yield' | 'take';
  since: Date;
  until?: Date;
  timer?: NodeJS.Timeout;
}

interface Persisted {
  maintenance: { since: string } | null;
}

const isPersisted = (value: unknown): value is Persisted =>
  typeof value === 'object' &&
  value !== null &&
  'maintenance' in value &&
  (value.maintenance === null ||
    (typeof value.maintenance === 'object' && typeof (value.maintenance as { since?: unknown }).since === 'string'));

/** What a failover request applies to: an instance, or every member of its sync group. */
interface Target {
  label: string;
  syncGroup?: string;
  runtimes: VrrpInstanceRuntime[];
  lead: VrrpInstanceRuntime;
  /** When the request came (Date.now()). */
  started: number;
}

export interface OperatorDeps {
  stateDir: string;
  log: Logger;
  store: StateStore;
  /** The config the services run (the new one during a reload). */
  config(): Config;
  runtime(name: string): VrrpInstanceRuntime | undefined;
}

const refused = (message: string) => new HttpError(409, 'refused', message);

export class OperatorService {
  private readonly holds = new Map<string, Hold>();
  private maintenanceSince: Date | undefined;
  private readonly file: string;

  constructor(private readonly deps: OperatorDeps) {
    this.file = path.join(deps.stateDir, STATE_FILE);
    const saved = readStateFile<Persisted>(this.file, { maintenance: null }, isPersisted);
    if (saved.maintenance) {
      this.maintenanceSince = new Date(saved.maintenance.since);
      deps.log.warn(
        { since: saved.maintenance.since },
        'maintenance is on: every VRRP instance stays backup until `vigil maintenance off`',
      );
    }
  }

  /** The mode an instance must run in now; maintenance holds every instance as backup. */
  heldMode(name: string): OperatorMode {
    return this.maintenanceSince ? 'yield' : (this.holds.get(name)?.mode ?? 'none');
  }

  async failover(request: FailoverRequest): Promise<FailoverResponse> {
    const target = this.target(request);
    const answer = (message: string, extra: Partial<FailoverResponse> = {}): FailoverResponse => ({
      action: request.action,
      instances: target.runtimes.map((r) => r.name),
      syncGroup: target.syncGroup,
      elapsedMs: Date.now() - target.started,
      until: this.holds.get(target.lead.name)?.until?.toISOString(),
      message,
      ...extra,
    });
    switch (request.action) {
      case 'handoff':
        return this.handOff(target, request, answer);
      case 'take':
        return this.take(target, request, answer);
      case 'release':
        return this.release(target, answer);
    }
  }

  async maintenance({ on }: MaintenanceRequest): Promise<MaintenanceResponse> {
    const runtimes = this.deps
      .config()
      .instances.map((i) => this.deps.runtime(i.name))
      .filter((r) => r !== undefined);
    if (on && !this.maintenanceSince) this.persist(new Date());
    if (!on && this.maintenanceSince) this.persist(undefined);
    for (const runtime of runtimes) {
      const mode = this.heldMode(runtime.name);
      // Forced: in maintenance a master goes even when nobody takes over.
      runtime.setOperator(mode, true);
      this.announce(runtime.name, mode, 'maintenance');
    }
    if (on) await Promise.all(runtimes.map((r) => this.handOffSettled(r)));
    const instances = runtimes.map((r) => {
      const s = r.status();
      return { name: r.name, state: s.state, newMaster: s.state === 'BACKUP' ? s.masterAddress : undefined };
    });
    return {
      on,
      since: this.maintenanceSince?.toISOString(),
      instances,
      message: on
        ? 'maintenance on: every instance is held as backup (checks keep running) until `vigil maintenance off`, also across restarts'
        : 'maintenance off: ordinary VRRP rules (priority, preemption) apply again',
    };
  }

  /** After a reload: holds of instances that are gone are dropped, the rest given again (idempotent). */
  reapply(): void {
    const names = new Set(this.deps.config().instances.map((i) => i.name));
    for (const name of this.holds.keys()) if (!names.has(name)) this.drop(name);
    // Forced only in maintenance: a failover hand-off under way stays the kind it was asked as.
    const force = this.maintenanceSince !== undefined;
    for (const name of names) this.deps.runtime(name)?.setOperator(this.heldMode(name), force);
  }

  /** Adds the daemon's maintenance flag and each held instance's operator mode. */
  decorate(status: StatusResponse): StatusResponse {
    const since = this.maintenanceSince?.toISOString();
    return {
      ...status,
      daemon: { ...status.daemon, maintenance: { on: since !== undefined, ...(since && { since }) } },
      instances: this.decorateInstances(status.instances),
    };
  }

  /** Each instance with its operator hold, where it has one. */
  decorateInstances(instances: InstanceStatus[]): InstanceStatus[] {
    return instances.map((i) => {
      const operator = this.operatorOf(i.name);
      return operator ? { ...i, operator } : i;
    });
  }

  stop(): void {
    for (const hold of this.holds.values()) clearTimeout(hold.timer);
  }

  private async handOff(
    target: Target,
    request: FailoverRequest,
    answer: (message: string, extra?: Partial<FailoverResponse>) => FailoverResponse,
  ): Promise<FailoverResponse> {
    if (this.maintenanceSince) throw refused('maintenance is on: this node already holds every instance as backup');
    const before = target.lead.status();
    if (before.state !== 'MASTER' && !request.force) {
      const master = before.masterAddress ? ` (the master is ${before.masterAddress})` : '';
      throw refused(
        `${target.label} is ${before.state} here${master}: a hand-off is done on the master. --take makes this node master; --force holds it as backup anyway`,
      );
    }
    this.hold(target, 'yield', request.holdSeconds);
    for (const runtime of target.runtimes) runtime.setOperator('yield', request.force);
    if (before.state !== 'MASTER') return answer(`${target.label}: held as backup${this.holdText(target)}`);
    await this.handOffSettled(target.lead);
    const after = target.lead.status();
    if (after.operator === 'none') {
      for (const runtime of target.runtimes) this.drop(runtime.name);
      throw refused(
        `no other router took over ${target.label} within ${HANDOFF_INTERVALS} advert intervals (${windowOf(target.lead) / 1000} s, 1 s at least) of its priority 0 advert: no backup is listening. This node stayed master and kept its VIPs throughout; --force hands off anyway`,
      );
    }
    const newMaster = after.state === 'BACKUP' ? after.masterAddress : undefined;
    const elapsed = Date.now() - target.started;
    const message = newMaster
      ? `${target.label}: handed off to ${newMaster} in ${elapsed} ms; held as backup${this.holdText(target)}`
      : `${target.label}: handed off (forced), but no router took over: nobody serves its VIPs; held as backup${this.holdText(target)}`;
    return answer(message, { newMaster });
  }

  private async take(
    target: Target,
    request: FailoverRequest,
    answer: (message: string, extra?: Partial<FailoverResponse>) => FailoverResponse,
  ): Promise<FailoverResponse> {
    if (this.maintenanceSince) throw refused('maintenance is on: `vigil maintenance off` first');
    const s = target.lead.status();
    if (s.state !== 'MASTER' && s.state !== 'BACKUP')
      throw refused(
        `${target.label} is ${s.state}${s.faultReason ? ` (${s.faultReason})` : ''}: it cannot be master now`,
      );
    if (s.state === 'BACKUP' && s.masterPriority === OWNER_PRIORITY)
      throw refused(
        `the master ${s.masterAddress} owns the addresses (priority 255) and always wins: hand off on that node instead`,
      );
    this.hold(target, 'take', request.holdSeconds);
    for (const runtime of target.runtimes) runtime.setOperator('take');
    const now = target.lead.status();
    const where = now.state === 'MASTER' ? 'master now' : `${now.state}, becoming master`;
    return answer(`${target.label}: ${where} at priority ${now.effectivePriority}, held${this.holdText(target)}`, {
      newMaster: now.state === 'MASTER' ? now.sourceAddress : undefined,
    });
  }

  private release(target: Target, answer: (message: string) => FailoverResponse): FailoverResponse {
    if (this.maintenanceSince)
      throw refused('maintenance is on and holds every instance as backup: `vigil maintenance off` ends it');
    const held = target.runtimes.some((r) => this.holds.has(r.name));
    for (const runtime of target.runtimes) {
      this.drop(runtime.name);
      runtime.setOperator('none');
    }
    return answer(
      held
        ? `${target.label}: released; ordinary VRRP rules (priority, preemption) apply again`
        : `${target.label}: was not held`,
    );
  }

  /** The instance and, for a sync group member, the rest of its group. */
  private target({ instance, group }: FailoverRequest): Target {
    const started = Date.now();
    const config = this.deps.config();
    if (instance && group) throw new HttpError(400, 'bad_request', 'name an instance or a --group, not both');
    const syncGroup = group
      ? config.syncGroups.find((g) => g.name === group)
      : config.syncGroups.find((g) => g.members.includes(instance ?? onlyInstance(config)));
    if (group && !syncGroup) {
      const known = config.syncGroups.map((g) => g.name).join(', ') || 'none';
      throw new HttpError(404, 'not_found', `no vrrp_sync_group ${group}; sync groups here: ${known}`);
    }
    const name = instance ?? syncGroup?.members[0] ?? onlyInstance(config);
    if (!config.instances.some((i) => i.name === name)) {
      throw new HttpError(404, 'not_found', `no vrrp_instance ${name}; instances here: ${instanceNames(config)}`);
    }
    const names = syncGroup?.members ?? [name];
    const runtimes = names.map((n) => this.deps.runtime(n)).filter((r) => r !== undefined);
    const lead = runtimes.find((r) => r.name === name) ?? runtimes[0];
    if (!lead) throw refused(`${name} is not running (yet)`);
    return {
      label: syncGroup ? `sync group ${syncGroup.name} (${names.join(', ')})` : name,
      syncGroup: syncGroup?.name,
      runtimes,
      lead,
      started,
    };
  }

  private hold(target: Target, mode: Hold['mode'], holdSeconds: number | undefined): void {
    const holdMs = holdSeconds === undefined ? undefined : holdSeconds * 1000;
    if (holdMs !== undefined && holdMs > MAX_HOLD_MS)
      throw new HttpError(400, 'bad_request', `a hold lasts at most ${Math.floor(MAX_HOLD_MS / 86_400_000)} days`);
    const since = new Date();
    for (const runtime of target.runtimes) {
      const name = runtime.name;
      this.drop(name);
      const hold: Hold = { mode, since, until: holdMs === undefined ? undefined : new Date(since.getTime() + holdMs) };
      if (holdMs !== undefined) {
        hold.timer = setTimeout(() => {
          if (this.holds.get(name) !== hold) return;
          this.drop(name);
          this.deps.log.info({ instance: name }, `${name}: the operator's hold ran out; released`);
          this.deps.runtime(name)?.setOperator(this.heldMode(name));
        }, holdMs);
        hold.timer.unref();
      }
      this.holds.set(name, hold);
      this.announce(name, mode, 'failover');
    }
  }

  private drop(name: string): void {
    const hold = this.holds.get(name);
    if (!hold) return;
    clearTimeout(hold.timer);
    this.holds.delete(name);
    this.announce(name, 'none', 'failover');
  }

  private holdText(target: Target): string {
    const until = this.holds.get(target.lead.name)?.until;
    return until ? ` until ${until.toISOString()}` : ' until `vigil failover --release`';
  }

  /** Resolves once a hand-off under way has ended (taken over, abandoned or forced). */
  private async handOffSettled(runtime: VrrpInstanceRuntime): Promise<void> {
    // The window for a taker, then as long again for the taker's second advert.
    const deadline = Date.now() + 2 * windowOf(runtime) + HANDOFF_SLACK_MS;
    while (runtime.status().handingOff && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  }

  private operatorOf(name: string): OperatorHold | undefined {
    const live = this.deps.runtime(name)?.status();
    const hold = this.holds.get(name);
    const mode = live?.operator ?? 'none';
    if (mode === 'none' && !hold && !this.maintenanceSince) return undefined;
    const since = this.maintenanceSince ?? hold?.since;
    return {
      mode,
      by: this.maintenanceSince ? 'maintenance' : 'failover',
      ...(since && { since: since.toISOString() }),
      ...(hold?.until && !this.maintenanceSince && { until: hold.until.toISOString() }),
      handingOff: live?.handingOff ?? false,
    };
  }

  private persist(since: Date | undefined): void {
    writeStateFile(this.file, { maintenance: since ? { since: since.toISOString() } : null } satisfies Persisted);
    this.maintenanceSince = since;
    this.deps.log.warn(since ? 'maintenance on: every VRRP instance is held as backup' : 'maintenance off');
  }

  private announce(instance: string, mode: OperatorMode, by: 'failover' | 'maintenance'): void {
    const until = this.holds.get(instance)?.until?.toISOString();
    this.deps.store.announce({
      type: 'vrrp.operator',
      at: new Date().toISOString(),
      instance,
      mode,
      by,
      ...(until && { until }),
    });
  }
}

const windowOf = (runtime: VrrpInstanceRuntime): number =>
  handoffWindowMs(Math.round(runtime.config.advertInt * 100) * 10);

const instanceNames = (config: Config): string => config.instances.map((i) => i.name).join(', ') || 'none';

/** The instance a request without a name means: the only one there is. */
function onlyInstance(config: Config): string {
  const [only, ...others] = config.instances;
  if (only && others.length === 0) return only.name;
  throw new HttpError(400, 'bad_request', `name an instance: this node runs ${instanceNames(config)}`);
}
