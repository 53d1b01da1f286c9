// One running VRRP instance: the state machine driven by real time and real packets, and its
// actions carried out — adverts on the wire, VIPs on the interface, gratuitous ARP / unsolicited
// NA. Everything that touches the kernel or the clock comes in through the ports below, so the
// daemon wires real sockets and netlink, and tests wire fakes and a fake clock.
import type { Clock } from '../clock.js';
import type { Family, GlobalDefs, VrrpInstance as InstanceConfig, Route, Rule, Vip } from '../config/index.js';
import { VRRP_MULTICAST } from '../inet/vrrp-wire.js';
import { type AhEnvelope, AhSequence, ahKey, sealAdvert, verifyEnvelope } from './ah.js';
import { Coordinator, type GroupTransition } from './coordinator.js';
import type { Action, Input, MachineOptions, MachineSnapshot, OperatorMode, VrrpState } from './machine.js';
import {
  type Advertisement,
  type AdvertWarning,
  checkAgainstInstance,
  type DropReason,
  encodeAdvertisement,
  type ReceivedIpHeader,
} from './packet.js';
import { sameDefinition } from './reconfiguration.js';

/** The instance's side of the socket for its interface and family (shared by instances). */
export interface AdvertLink {
  /** The source address of our adverts: the interface's primary address (IPv6: link-local), or unicast_src_ip. */
  readonly sourceAddress: string;
  /** Sends from `source` explicitly: the VRRPv3 checksum covers it, and peers take it for the master's address. */
  send(payload: Buffer, destination: string, source: string, ttl?: number): void;
  /** `auth_type AH`: sends a whole IPv4 datagram (ah.ts) on the interface's AH socket. */
  sendAh?(datagram: Buffer, destination: string, source: string): void;
}

/** Adds and removes VIPs on the interface; remembers what it added, so it removes only that. */
export interface AddressPort {
  add(vips: readonly Vip[]): Promise<void>;
  remove(vips: readonly Vip[]): Promise<void>;
  /** Stops holding VIPs that stay on the interface because another instance holds them now. */
  release?(vips: readonly Vip[]): Promise<void>;
  /** The instance is gone for good (it holds nothing now): whatever watches its VIPs forgets it. */
  dispose?(): void;
}

/** Adds and removes the instance's virtual routes and rules; removes only what it added. */
export interface RoutePort {
  add(routes: readonly Route[], rules: readonly Rule[]): Promise<void>;
  remove(routes: readonly Route[], rules: readonly Rule[]): Promise<void>;
}

/** Sends one round of gratuitous ARP (IPv4) / unsolicited NA (IPv6): one frame per VIP. */
export interface AnnouncePort {
  announce(vips: readonly Vip[]): void;
}

export interface Transition {
  instance: string;
  from: VrrpState;
  to: VrrpState;
  reason: string;
  /** Wall-clock time, for people. */
  at: Date;
}

/**
 * What kind of problem an instance reports: a closed set, whatever the message says, so that the
 * log can hold back repeats by kind. A message may quote what a sender put in its packet; a kind
 * never does.
 */
export type ProblemKind =
  | DropReason
  | AdvertWarning['reason']
  | 'advert_send_failed'
  | 'vip_change_failed'
  | 'route_change_failed'
  | 'announce_failed'
  /** log_unknown_vrids: an advert for a VRID no instance on the interface has (reported under the interface's name). */
  | 'unknown_vrid';

export interface PriorityChange {
  instance: string;
  state: VrrpState;
  from: number;
  to: number;
}

export interface InstanceObserver {
  transition(t: Transition): void;
  /** A sync group changed state as a whole (for its notify scripts and the log). */
  groupTransition?(t: GroupTransition): void;
  /** Tracking moved the effective priority (keepalived's "Changing effective priority"). */
  priorityChange?(change: PriorityChange): void;
  /** As master, a lower priority's advert arrived: `priority` is ours, as keepalived reports it. */
  heardLowerPriority?(instance: string, source: string, priority: number): void;
  /** Something an operator should see in the log: a dropped advert, a failed send or VIP change. */
  problem(instance: string, kind: ProblemKind, message: string, detail?: Record<string, unknown>): void;
  /**
   * The operator's mode for the instance (maintenance, a failover hold), asked as it starts, so
   * that one held as backup never becomes master, not even for a moment after a restart or reload.
   */
  heldMode?(instance: string): OperatorMode;
}

export interface InstanceCounters {
  advertsSent: number;
  advertsReceived: number;
  priorityZeroSent: number;
  priorityZeroReceived: number;
  becameMaster: number;
  /** Times it left MASTER (for BACKUP, FAULT or a stop): keepalived's release_master. */
  releasedMaster: number;
  /** Rounds of gratuitous ARP / unsolicited NA sent (IPv4 and IPv6 VIPs count apart when their intervals differ). */
  announcements: number;
  sendErrors: number;
  /** Received adverts dropped, by reason. */
  drops: Partial<Record<DropReason, number>>;
}

export function emptyCounters(): InstanceCounters {
  return {
    advertsSent: 0,
    advertsReceived: 0,
    priorityZeroSent: 0,
    priorityZeroReceived: 0,
    becameMaster: 0,
    releasedMaster: 0,
    announcements: 0,
    sendErrors: 0,
    drops: {},
  };
}

export interface InstanceStatus extends MachineSnapshot {
  name: string;
  /** The source address of its adverts (see AdvertLink). */
  sourceAddress: string;
  lastTransition?: Transition;
  counters: InstanceCounters;
}

export interface InstancePorts {
  link: AdvertLink;
  addresses: AddressPort;
  /** virtual_routes and virtual_rules; unset, the instance has none to set. */
  routes?: RoutePort;
  announcer: AnnouncePort;
  clock: Clock;
  observer: InstanceObserver;
  /** The pause between the rounds of one burst, in seconds, by family: vrrp_garp_interval (4), vrrp_gna_interval (6). */
  announceIntervals: AnnounceIntervals;
}

export type AnnounceIntervals = Readonly<Record<Family, number>>;

export const announceIntervalsOf = (global: GlobalDefs): AnnounceIntervals => ({
  4: global.garpInterval,
  6: global.gnaInterval,
});

/**
 * The state machine options of an instance whose adverts leave from `sourceAddress`, started
 * `startupDelayMs` after the daemon (vrrp_startup_delay: its first start only).
 */
export function machineOptionsFor(config: InstanceConfig, sourceAddress: string, startupDelayMs = 0): MachineOptions {
  return {
    startupDelayMs,
    version: config.version,
    priority: config.priority,
    advertIntervalCs: Math.round(config.advertInt * 100),
    preempt: !config.nopreempt,
    preemptDelayMs: config.preemptDelay * 1000,
    initialState: config.initialState,
    primaryAddress: sourceAddress,
    higherPrioSendAdvert: config.higherPrioSendAdvert,
    // keepalived answers a lower-priority advert at once, so a second master (after a
    // partition heals) steps down within a round trip instead of at our next advert.
    replyToLowerPriority: !config.lowerPrioNoAdvert,
    announceToLowerPriority: config.garpLowerPrioRepeat > 0,
    downTimerAdverts: config.downTimerAdverts,
  };
}

type RouteEntries = Pick<InstanceConfig, 'virtualRoutes' | 'virtualRules'>;

/** The virtual routes and rules of `a` that `b` does not have. */
function entriesMissingFrom(a: RouteEntries, b: RouteEntries): RouteEntries {
  return {
    virtualRoutes: a.virtualRoutes.filter((r) => !b.virtualRoutes.some((x) => sameDefinition(x, r))),
    virtualRules: a.virtualRules.filter((r) => !b.virtualRules.some((x) => sameDefinition(x, r))),
  };
}

/** The same address on the same device: what the kernel tells apart. */
export const sameVip = (a: Vip, b: Vip): boolean => a.address === b.address && a.prefix === b.prefix && a.dev === b.dev;

export class VrrpInstanceRuntime {
  private readonly coordinator: Coordinator;
  private counters = emptyCounters();
  private lastTransition: Transition | undefined;
  /** The pending repeat of the last advert (see scheduleEcho). */
  private cancelEcho: (() => void) | undefined;
  /** Pending gratuitous-ARP rounds of the current mastership. */
  private readonly announceTimers = new Set<() => void>();
  /** VIP changes run one after another, in the order the machine asked for them. */
  private addressQueue: Promise<void> = Promise.resolve();
  /** `auth_type AH`: the sequence numbers sent and heard, kept across reloads as keepalived keeps them. */
  private readonly ahSequence = new AhSequence();
  /** `auth_type AH`: the IPv4 id of our adverts, ours to choose since the ICV covers it. */
  private ipId = 0;

  /**
   * `coordinator` runs this instance's state machine: its sync group's, or by default one of its
   * own.
   */
  constructor(
    private current: InstanceConfig,
    private readonly ports: InstancePorts,
    coordinator?: Coordinator,
  ) {
    this.coordinator =
      coordinator ?? Coordinator.solo(current.name, machineOptionsFor(current, ports.link.sourceAddress), ports.clock);
    this.coordinator.attach(current.name, (action) => this.perform(action));
  }

  get config(): InstanceConfig {
    return this.current;
  }

  /**
   * Takes a new config of the same virtual router in place, keeping state and timers (only what
   * is read live may differ: see reconfiguration.ts). A master adds and announces the VIPs it
   * gained; it returns the VIPs it held and lost, for `dropAddresses` once every instance has
   * added its own, so that an address moving between instances is never off the interface.
   */
  async reconfigure(next: InstanceConfig): Promise<Vip[]> {
    const before = this.ownedAddresses;
    const previous = this.current;
    this.current = next;
    if (this.state !== 'MASTER') return [];
    // Routes and rules are this instance's alone: those it lost go, those it gained come.
    this.changeRoutes('remove', entriesMissingFrom(previous, next));
    this.changeRoutes('add', entriesMissingFrom(next, previous));
    const after = this.ownedAddresses;
    const gained = after.filter((v) => !before.some((b) => sameVip(b, v)));
    if (gained.length > 0) {
      this.changeAddresses('add', gained, () => this.announceBurst(this.config.garpMasterRepeat, gained));
      await this.addressQueue;
    }
    return before.filter((b) => !after.some((v) => sameVip(b, v)));
  }

  /** Removes VIPs `reconfigure` said this master lost (only those no other instance holds). */
  async dropAddresses(lost: readonly Vip[]): Promise<void> {
    if (lost.length === 0) return;
    this.changeAddresses('remove', lost);
    await this.addressQueue;
  }

  get name(): string {
    return this.config.name;
  }

  get state(): VrrpState {
    return this.coordinator.snapshot(this.name).state;
  }

  start(): void {
    const held = this.ports.observer.heldMode?.(this.name) ?? 'none';
    if (held !== 'none') this.step({ type: 'operator', mode: held, force: true });
    this.step({ type: 'startup' });
  }

  /** The operator's hold (see OperatorMode); a sync group's members all take it. */
  setOperator(mode: OperatorMode, force = false): void {
    this.step({ type: 'operator', mode, force });
  }

  /** Leaves the virtual router: a master sends priority 0 and removes its VIPs. */
  async stop(): Promise<void> {
    this.step({ type: 'shutdown' });
    this.coordinator.halt();
    await this.addressQueue;
    this.ports.addresses.dispose?.();
  }

  /** A decoded advert for this instance's VRID, from another router; `envelope` if it came behind AH. */
  receive(advert: Advertisement, ip: ReceivedIpHeader, envelope?: AhEnvelope): void {
    if (this.refusesSource(ip.source)) {
      this.countDrop('unknown_unicast_source', `advert from ${ip.source} dropped: not one of the unicast peers`);
      return;
    }
    const ttlRange = this.refusedTtl(ip);
    if (ttlRange) {
      this.countDrop('bad_ttl', `advert from ${ip.source} dropped: TTL ${ip.ttl} is outside its peer's ${ttlRange}`);
      return;
    }
    if (!this.passesAh(ip.source, envelope)) return;
    const { auth } = this.config;
    const check = checkAgainstInstance(advert, ip, {
      version: this.config.version,
      vrid: this.config.vrid,
      priority: this.config.priority,
      advertIntervalCs: Math.round(this.config.advertInt * 100),
      addresses: this.config.vips.map((v) => v.address),
      password: auth?.type === 'PASS' ? auth.password : undefined,
      ah: auth?.type === 'AH',
      unicast: this.config.unicastPeers.length > 0,
    });
    // skip_check_adv_addr: a master we already follow may advertise another address list.
    const addressCheckSkipped =
      !check.ok &&
      check.reason === 'address_mismatch' &&
      this.config.skipCheckAdvAddr &&
      this.coordinator.snapshot(this.name).masterAddress === ip.source;
    if (!check.ok && !addressCheckSkipped) {
      this.countDrop(check.reason, `advert from ${ip.source} dropped: ${check.detail}`);
      return;
    }
    if (check.ok && check.warning)
      this.ports.observer.problem(this.name, check.warning.reason, check.warning.detail, { source: ip.source });
    if (envelope) this.overtakeLowerMaster(advert.priority, envelope.sequence);
    this.counters.advertsReceived++;
    if (advert.priority === 0) this.counters.priorityZeroReceived++;
    this.step({
      type: 'advert',
      priority: advert.priority,
      advertIntervalCs: advert.advertIntervalCs,
      source: ip.source,
    });
  }

  /**
   * keepalived's AH checks come before the others, as nothing in an advert whose ICV fails can be
   * believed: an AH header exactly when the instance uses AH, then ICV, SPI and sequence (ah.ts).
   */
  private passesAh(source: string, envelope: AhEnvelope | undefined): boolean {
    const { auth } = this.config;
    const usesAh = auth?.type === 'AH';
    if (!envelope && !usesAh) return true;
    if (!envelope || !usesAh) {
      const why = envelope
        ? 'it came behind an IPsec AH header, and the instance does not use `auth_type AH`'
        : 'it has no IPsec AH header, and the instance uses `auth_type AH`';
      this.countDrop('auth_type_mismatch', `advert from ${source} dropped: ${why}`);
      return false;
    }
    const unicast = this.config.unicastPeers.length > 0;
    const verdict = verifyEnvelope(envelope, ahKey(auth.password), unicast, this.ahSequence);
    if (!verdict.ok) this.countDrop(verdict.reason, `advert from ${source} dropped: ${verdict.detail}`);
    return verdict.ok;
  }

  /** A master hearing a lower priority goes on numbering above that router (ah.ts, AhSequence.overtake). */
  private overtakeLowerMaster(priority: number, sequence: number): void {
    const { state, effectivePriority } = this.coordinator.snapshot(this.name);
    if (state === 'MASTER' && priority < effectivePriority) this.ahSequence.overtake(sequence);
  }

  /** check_unicast_src: with unicast peers, only they may advertise for this virtual router. */
  private refusesSource(source: string): boolean {
    const { checkUnicastSrc, unicastPeers } = this.config;
    return checkUnicastSrc && unicastPeers.length > 0 && !unicastPeers.some((peer) => peer.address === source);
  }

  /** The peer's min_ttl..max_ttl the advert's TTL (hop limit) is outside of, checked with check_unicast_src as keepalived does. */
  private refusedTtl({ source, ttl }: ReceivedIpHeader): string | undefined {
    if (!this.config.checkUnicastSrc) return undefined;
    const peer = this.config.unicastPeers.find((p) => p.address === source);
    const [min, max] = [peer?.minTtl ?? 0, peer?.maxTtl ?? 255];
    return peer && (ttl < min || ttl > max) ? `min_ttl ${min} .. max_ttl ${max}` : undefined;
  }

  /** Priority after tracking weights (configured priority plus the weights that apply). */
  setEffectivePriority(value: number): void {
    const before = this.coordinator.snapshot(this.name).effectivePriority;
    this.step({ type: 'effectivePriority', value });
    const { state, effectivePriority } = this.coordinator.snapshot(this.name);
    if (effectivePriority !== before)
      this.ports.observer.priorityChange?.({ instance: this.name, state, from: before, to: effectivePriority });
  }

  /** A tracked VIP, virtual route or rule of this instance was deleted (see the machine's `ownedDeleted`). */
  ownedDeleted(what: string): void {
    this.step({ type: 'ownedDeleted', what });
  }

  setFault(reason: string | undefined): void {
    this.step(reason === undefined ? { type: 'faultCleared' } : { type: 'fault', reason });
  }

  /** Counts a received advert that never reached the instance checks (the link decodes first). */
  countDrop(reason: DropReason, message: string): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
    this.ports.observer.problem(this.name, reason, message);
  }

  status(): InstanceStatus {
    return {
      ...this.coordinator.snapshot(this.name),
      // A reload may change the priority in place (the machine keeps what it started with).
      priority: this.config.priority,
      name: this.name,
      sourceAddress: this.ports.link.sourceAddress,
      lastTransition: this.lastTransition,
      counters: { ...this.counters, drops: { ...this.counters.drops } },
    };
  }

  /** Zeroes the counters, as keepalived's STATS_CLEAR signal does once it has dumped them. */
  clearCounters(): void {
    this.counters = emptyCounters();
  }

  private step(input: Input): void {
    this.coordinator.feed(this.name, input);
  }

  private perform(action: Action): void {
    switch (action.type) {
      case 'sendAdvert':
        this.sendAdvert(action.priority);
        if (action.priority === 0) {
          // A lost resignation costs the backups a whole Master_Down_Interval: say it twice.
          this.sendAdvert(0);
        } else {
          this.scheduleEcho();
        }
        return;
      case 'becomeMaster':
        this.counters.becameMaster++;
        this.changeAddresses('add', this.ownedAddresses, () => {
          this.startAnnouncing();
          this.step({ type: 'announced' });
        });
        // After the VIPs, which a route may name as its source, as keepalived orders them.
        this.changeRoutes('add', this.config);
        return;
      case 'leaveMaster':
        this.counters.releasedMaster++;
        this.cancelEcho?.();
        this.stopAnnouncing();
        this.changeRoutes('remove', this.config);
        this.changeAddresses('remove', this.ownedAddresses);
        return;
      case 'reannounce':
        this.announceTwice(this.config.garpLowerPrioRepeat, this.config.garpLowerPrioDelay);
        return;
      case 'heardLowerPriority':
        this.ports.observer.heardLowerPriority?.(
          this.name,
          action.source,
          this.coordinator.snapshot(this.name).effectivePriority,
        );
        return;
      case 'transition':
        this.lastTransition = {
          instance: this.name,
          from: action.from,
          to: action.to,
          reason: action.reason,
          at: new Date(),
        };
        this.ports.observer.transition(this.lastTransition);
        return;
      case 'advertRejected':
        this.countDrop('interval_mismatch', action.reason);
        return;
      case 'wantMaster':
        // The sync group acts on it (the coordinator); nothing for the instance to do.
        return;
    }
  }

  /**
   * Half an interval after each advert, a master sends it again. A backup takes over after three
   * intervals of silence, so with one copy per interval three lost adverts in a row make a
   * spurious failover: at 20 % loss that is ~0.8 % of intervals, a third of all minutes. With
   * two copies it takes seven lost frames in a row (~0.001 %). Backups, keepalived's included,
   * just restart their Master_Down_Timer; the advertised interval, and so every timer the RFC
   * defines, is unchanged.
   */
  private scheduleEcho(): void {
    this.cancelEcho?.();
    const halfInterval = (this.config.advertInt * 1000) / 2;
    this.cancelEcho = this.ports.clock.after(halfInterval, () => {
      this.cancelEcho = undefined;
      const { state, effectivePriority, handingOff } = this.coordinator.snapshot(this.name);
      // A master handing off is silent, so its resignation stands.
      if (state === 'MASTER' && !handingOff) this.sendAdvert(effectivePriority);
    });
  }

  private sendAdvert(priority: number): void {
    const { config, ports } = this;
    const destinations =
      config.unicastPeers.length > 0
        ? config.unicastPeers.map((p) => p.address)
        : [config.multicastGroup ?? VRRP_MULTICAST[config.family]];
    const source = ports.link.sourceAddress;
    const { auth } = config;
    // keepalived numbers a round of adverts once, however many unicast peers it goes to.
    const ah = auth?.type === 'AH' ? { id: this.nextIpId(), sequence: this.ahSequence.next() } : undefined;
    for (const destination of destinations) {
      try {
        const payload = encodeAdvertisement(
          {
            version: config.version,
            vrid: config.vrid,
            priority,
            addresses: config.vips.map((v) => v.address),
            advertIntervalCs: Math.round(config.advertInt * 100),
            password: auth?.type === 'PASS' ? auth.password : undefined,
            ...(ah && { ah: true }),
          },
          { family: config.family, source, destination },
        );
        if (ah && auth) {
          const fields = {
            source,
            destination,
            ...ah,
            unicast: config.unicastPeers.length > 0,
            ttl: config.unicastTtl,
          };
          ports.link.sendAh!(sealAdvert(payload, fields, ahKey(auth.password)), destination, source);
        } else ports.link.send(payload, destination, source, config.unicastTtl);
        this.counters.advertsSent++;
        if (priority === 0) this.counters.priorityZeroSent++;
      } catch (err) {
        this.counters.sendErrors++;
        ports.observer.problem(
          this.name,
          'advert_send_failed',
          `could not send an advert to ${destination}: ${(err as Error).message}`,
        );
      }
    }
  }

  /** 1-65535 and round again: the kernel would put its own id in place of a 0. */
  private nextIpId(): number {
    this.ipId = (this.ipId % 0xffff) + 1;
    return this.ipId;
  }

  /** The VIPs and the excluded VIPs: both move with mastership; only the VIPs are advertised. */
  private get ownedAddresses(): Vip[] {
    return [...this.config.vips, ...this.config.excludedVips];
  }

  private changeAddresses(change: 'add' | 'remove', vips: readonly Vip[], then?: () => void): void {
    this.addressQueue = this.addressQueue
      .then(() => this.ports.addresses[change](vips))
      .then(then, (err: Error) =>
        this.ports.observer.problem(this.name, 'vip_change_failed', `could not ${change} VIPs: ${err.message}`),
      );
  }

  /** Queued with the VIP changes, so that routes follow the addresses they may need. */
  private changeRoutes(change: 'add' | 'remove', entries: RouteEntries): void {
    const { routes } = this.ports;
    if (!routes || (entries.virtualRoutes.length === 0 && entries.virtualRules.length === 0)) return;
    this.addressQueue = this.addressQueue
      .then(() => routes[change](entries.virtualRoutes, entries.virtualRules))
      .catch((err: Error) =>
        this.ports.observer.problem(
          this.name,
          'route_change_failed',
          `could not ${change} virtual routes or rules: ${err.message}`,
        ),
      );
  }

  /**
   * keepalived's schedule: garp_master_repeat rounds at once (vrrp_garp_interval apart), as many
   * again after garp_master_delay, then garp_master_refresh_repeat rounds every
   * garp_master_refresh seconds while master.
   */
  private startAnnouncing(): void {
    if (this.state !== 'MASTER') return;
    const { garpMasterRepeat, garpMasterDelay, garpMasterRefresh, garpMasterRefreshRepeat } = this.config;
    this.announceTwice(garpMasterRepeat, garpMasterDelay);
    if (garpMasterRefresh > 0) {
      const refresh = () => {
        this.announceBurst(garpMasterRefreshRepeat);
        this.schedule(garpMasterRefresh * 1000, refresh);
      };
      this.schedule(garpMasterRefresh * 1000, refresh);
    }
  }

  /** A burst of `rounds` now and, unless `delaySeconds` is 0, another that much later. */
  private announceTwice(rounds: number, delaySeconds: number): void {
    this.announceBurst(rounds);
    if (delaySeconds > 0) this.schedule(delaySeconds * 1000, () => this.announceBurst(rounds));
  }

  private announceBurst(rounds: number, owned: readonly Vip[] = this.ownedAddresses): void {
    for (const { gapMs, vips } of this.announceGroups(owned)) {
      for (let i = 0; i < rounds; i++) {
        if (i === 0 || gapMs === 0) this.announceRound(vips);
        else this.schedule(i * gapMs, () => this.announceRound(vips));
      }
    }
  }

  /** The owned addresses by the pause between their rounds: IPv4 (GARP) and IPv6 (NA) each have their own. */
  private announceGroups(owned: readonly Vip[]): { gapMs: number; vips: Vip[] }[] {
    const groups = new Map<number, Vip[]>();
    for (const vip of owned) {
      const gapMs = this.ports.announceIntervals[vip.family] * 1000;
      groups.set(gapMs, [...(groups.get(gapMs) ?? []), vip]);
    }
    return [...groups].map(([gapMs, vips]) => ({ gapMs, vips }));
  }

  private announceRound(vips: readonly Vip[]): void {
    try {
      this.ports.announcer.announce(vips);
      this.counters.announcements++;
    } catch (err) {
      this.counters.sendErrors++;
      this.ports.observer.problem(this.name, 'announce_failed', `could not announce VIPs: ${(err as Error).message}`);
    }
  }

  private schedule(ms: number, fn: () => void): void {
    const cancel = this.ports.clock.after(ms, () => {
      this.announceTimers.delete(cancel);
      fn();
    });
    this.announceTimers.add(cancel);
  }

  private stopAnnouncing(): void {
    for (const cancel of this.announceTimers) cancel();
    this.announceTimers.clear();
  }
}
