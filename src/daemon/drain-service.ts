// `vigil drain` and `vigil undrain` inside vigild: the real servers a request names, their drains
// begun or ended (persisted, logged, announced), and the IPVS table brought to match before the
// answer, so that a drain's answer means the kernel sends nothing new there. The weight itself
// comes from the desired table (ipvs/desired), which takes the drains as an input.
import type { DrainRequest, DrainResponse, UndrainRequest } from '../api/schema.js';
import type { Config } from '../config/index.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import { HttpError } from './control-server.js';
import { Drains } from './drains.js';
import type { Logger } from './logger.js';
import { findMembers, type Member, membersOf } from './real-server-lookup.js';
import { healthStatus, realServerStatusOf, virtualServerName } from './status.js';
import type { StateStore } from './store.js';

export interface DrainContext {
  stateDir: string;
  log: Logger;
  store: StateStore;
  /** Brings the kernel's table to what config, checks and drains give now. */
  applyTable: () => Promise<void>;
  /** Reads the kernel's counters into the store. */
  observe: () => Promise<void>;
}

const namesOf = ({ vs, rs }: Member) => ({ virtualServer: virtualServerName(vs), realServer: destinationKeyText(rs) });

export class DrainService {
  private readonly drains: Drains;

  /** Reads the drains saved by an earlier run, keeping those of real servers `config` still has. */
  constructor(
    config: Config,
    private readonly context: DrainContext,
  ) {
    this.drains = new Drains(context.stateDir);
    context.store.readDrainsFrom((id) => this.drains.get(id)?.since);
    this.keepConfigured(config);
  }

  async drain(request: DrainRequest): Promise<DrainResponse> {
    const members = this.find(request);
    const now = new Date();
    const added = this.drains.add(new Map(members.map(([id, m]) => [id, namesOf(m)])), now);
    for (const [id, member] of members) if (added.get(id)) this.announce(member, true, now);
    return this.answer(members, added, now);
  }

  async undrain(request: UndrainRequest): Promise<DrainResponse> {
    const members = this.find(request);
    if (!request.force) this.refuseDown(members);
    const now = new Date();
    const removed = this.drains.remove(members.map(([id]) => id));
    for (const [id, member] of members) if (removed.get(id)) this.announce(member, false, now);
    return this.answer(members, removed, now);
  }

  /**
   * A drained real server that left the config is no longer drained: one added back later is a
   * new server to the operator (often new hardware), which should not come back silently drained.
   */
  keepConfigured(config: Config): void {
    const now = new Date();
    for (const drain of this.drains.keepOnly(membersOf(config))) {
      const reason = 'the real server is no longer in the config';
      this.context.log.info(
        { virtualServer: drain.virtualServer, realServer: drain.realServer },
        `drain of ${drain.realServer} in ${drain.virtualServer} dropped: ${reason}`,
      );
      this.context.store.realServerDrain(drain, false, now, reason);
    }
  }

  private find(request: DrainRequest): [string, Member][] {
    return findMembers(membersOf(this.context.store.loaded.config), request);
  }

  /**
   * Undrained while a check says down, the server would stay out (or at 0) until the checks pass:
   * most likely not what the operator expects, so it takes --force. One not drained is left as it is.
   */
  private refuseDown(members: readonly [string, Member][]): void {
    const down = members.flatMap(([id, member]) => {
      if (!this.drains.has(id)) return [];
      const health = healthStatus(this.context.store.health(member.vs, member.rs));
      if (health.health !== 'down') return [];
      const { virtualServer, realServer } = namesOf(member);
      return [`${realServer} in ${virtualServer} is down (${health.healthReason ?? 'check failed'})`];
    });
    if (down.length === 0) return;
    throw new HttpError(
      409,
      'refused',
      `${down.join('; ')}: undrained, it would take no traffic until its checks pass; use force (vigil undrain --force) to end the drain anyway`,
    );
  }

  private announce(member: Member, drained: boolean, now: Date): void {
    const names = namesOf(member);
    const text = drained
      ? `real server ${names.realServer} of ${names.virtualServer} drained: weight 0, new connections go elsewhere`
      : `real server ${names.realServer} of ${names.virtualServer} undrained`;
    this.context.log.info(names, text);
    this.context.store.realServerDrain(names, drained, now);
  }

  /** Once the kernel has the change: each real server as status shows it, with its counters. */
  private async answer(
    members: readonly [string, Member][],
    changed: ReadonlyMap<string, boolean>,
    now: Date,
  ): Promise<DrainResponse> {
    await this.context.applyTable();
    await this.context.observe();
    const { store } = this.context;
    return {
      at: now.toISOString(),
      realServers: members.map(([id, member]) => ({
        virtualServer: virtualServerName(member.vs),
        ...realServerStatusOf(store, member.vs, member.rs),
        changed: changed.get(id) ?? false,
      })),
    };
  }
}
