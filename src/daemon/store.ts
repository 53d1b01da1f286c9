// The daemon's one state store and event bus: the latest observed state of each area (config,
// VRRP, real-server health, quorum, IPVS) and every change to it as an event. The services write
// into it; the control API's status and event stream read from it, and so does the daemon when it
// computes the IPVS table. Pure: no I/O and no timers; callers pass the time.
//
// Two areas change faster than anyone reads them and are read through rather than copied: a VRRP
// instance's runtime (its advert counters move with every packet, its effective priority with
// every tracked script) and a real server's health (its last check's time and latency move with
// every check, which the checker does not announce). Their services register a reader that the
// store calls when asked: one place to read, and no second copy to go stale or to pay for per
// packet. What changes seldom, and is news when it does, is written here: the config, quorum and
// the kernel's IPVS table (which only the IPVS service can read, and refreshes on demand).
import { EventEmitter } from 'node:events';
import type { DaemonEvent, Diagnostic } from '../api/schema.js';
import type { RealServerHealth } from '../check/index.js';
import type { Config, RealServer, VirtualServer } from '../config/index.js';
import { realServerId, type TableInputs, virtualServerId } from '../ipvs/desired.js';
import type { DestinationCounters } from '../ipvs/kernel.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import type { InstanceStatus, Transition } from '../vrrp/instance.js';
import { virtualServerName } from './status.js';

export interface LoadedConfig {
  config: Config;
  path: string;
  files: string[];
  loadedAt: Date;
  generation: number;
  warnings: Diagnostic[];
}

export interface RejectedReload {
  at: Date;
  errors: Diagnostic[];
}

/** A destination as the kernel has it. */
export interface KernelDestination extends DestinationCounters {
  weight: number;
}

/** By service key text, then destination key text (see ipvs/reconcile). */
export type KernelTable = ReadonlyMap<string, ReadonlyMap<string, KernelDestination>>;

export interface IpvsView {
  available: boolean;
  /** Why vigild does not program IPVS, when it does not. */
  error?: string;
  ownedServices: number;
  /** The kernel's table with its counters, as last read: after each reconcile, and when asked. */
  kernel: KernelTable;
}

type Event<T extends DaemonEvent['type']> = Extract<DaemonEvent, { type: T }>;

export class StateStore {
  private loadedConfig: LoadedConfig;
  private rejected: RejectedReload | undefined;
  private readVrrp: () => readonly InstanceStatus[] = () => [];
  private readHealth: (id: string) => RealServerHealth | undefined = () => undefined;
  /** When each drained real server's drain began, by realServerId (see readDrainsFrom). */
  private readDrain: (id: string) => Date | undefined = () => undefined;
  /** Whether quorum holds, by virtualServerId; missing until the check service first weighs it. */
  private readonly quorum = new Map<string, boolean>();
  private ipvsView: IpvsView = { available: false, ownedServices: 0, kernel: new Map() };
  private readonly bus = new EventEmitter();

  constructor(path: string, config: Config, files: string[], warnings: Diagnostic[], now: Date) {
    this.loadedConfig = { config, path, files, loadedAt: now, generation: 1, warnings };
    // Every TUI and `vigil monitor` holds a listener; a busy host may have many.
    this.bus.setMaxListeners(0);
  }

  get loaded(): LoadedConfig {
    return this.loadedConfig;
  }

  get lastRejectedReload(): RejectedReload | undefined {
    return this.rejected;
  }

  acceptConfig(config: Config, files: string[], warnings: Diagnostic[], now: Date): LoadedConfig {
    const generation = this.loadedConfig.generation + 1;
    this.loadedConfig = { config, path: this.loadedConfig.path, files, loadedAt: now, generation, warnings };
    this.rejected = undefined;
    this.publish({ type: 'config.reloaded', at: now.toISOString(), generation, files, warnings });
    return this.loadedConfig;
  }

  rejectConfig(errors: Diagnostic[], now: Date): void {
    this.rejected = { at: now, errors };
    this.publish({ type: 'config.rejected', at: now.toISOString(), errors });
  }

  /** The VRRP service's instances are read through `reader` (see the top of this file). */
  readVrrpFrom(reader: () => readonly InstanceStatus[]): void {
    this.readVrrp = reader;
  }

  /** The instances the engine runs, as they are now; one it does not run is missing. */
  vrrpInstances(): readonly InstanceStatus[] {
    return this.readVrrp();
  }

  vrrpTransition(t: Transition): void {
    const { instance, from, to, reason } = t;
    this.publish({ type: 'vrrp.transition', at: t.at.toISOString(), instance, from, to, reason });
  }

  /** Real-server health is read through `reader`, by realServerId (see the top of this file). */
  readHealthFrom(reader: (id: string) => RealServerHealth | undefined): void {
    this.readHealth = reader;
  }

  health(vs: VirtualServer, rs: Pick<RealServer, 'address' | 'port'>): RealServerHealth | undefined {
    return this.readHealth(realServerId(vs, rs));
  }

  /** Each real server's verdict by realServerId, as the IPVS table and quorum take them. */
  verdicts(): NonNullable<TableInputs['health']> {
    return { get: (id) => this.readHealth(id) };
  }

  /** A real server's verdict or dynamic weight changed. */
  realServerChanged(vs: VirtualServer, rs: Pick<RealServer, 'address' | 'port'>, health: RealServerHealth, now: Date) {
    this.publish({
      type: 'realserver.health',
      at: now.toISOString(),
      virtualServer: virtualServerName(vs),
      realServer: destinationKeyText(rs),
      health: health.alive ? 'up' : 'down',
      ...(health.reason !== undefined && !health.alive && { reason: health.reason }),
      ...(health.weight !== undefined && { dynamicWeight: health.weight }),
    });
  }

  /** Drains are read through `reader`, by realServerId: the drain service keeps them, persisted. */
  readDrainsFrom(reader: (id: string) => Date | undefined): void {
    this.readDrain = reader;
  }

  /** When the real server's drain began; undefined when it is not drained. */
  drainedSince(vs: VirtualServer, rs: Pick<RealServer, 'address' | 'port'>): Date | undefined {
    return this.readDrain(realServerId(vs, rs));
  }

  /** The drained real servers by realServerId, as the IPVS table takes them. */
  drained(): NonNullable<TableInputs['drained']> {
    return { has: (id) => this.readDrain(id) !== undefined };
  }

  /** A drain began or ended; `reason` says why one ended without an undrain. */
  realServerDrain(names: { virtualServer: string; realServer: string }, drained: boolean, now: Date, reason?: string) {
    this.publish({
      type: 'realserver.drain',
      at: now.toISOString(),
      ...names,
      drained,
      ...(reason !== undefined && { reason }),
    });
  }

  /** Whether the virtual server's quorum holds; undefined until it was first weighed. */
  quorumHolds(vs: VirtualServer): boolean | undefined {
    return this.quorum.get(virtualServerId(vs));
  }

  /** The virtual servers, by virtualServerId, whose quorum is lost. */
  quorumLost(): Set<string> {
    return new Set([...this.quorum].filter(([, holds]) => !holds).map(([id]) => id));
  }

  /**
   * Records a virtual server's quorum as the check service weighed it. Returns whether that is
   * news, and publishes it when it is; at start only a lost quorum is (keepalived's "starting
   * with quorum down").
   */
  quorumWeighed(vs: VirtualServer, holds: boolean, aliveWeight: number, now: Date): boolean {
    const id = virtualServerId(vs);
    const before = this.quorum.get(id);
    this.quorum.set(id, holds);
    if (holds === (before ?? true)) return false;
    this.publish({
      type: 'virtualserver.quorum',
      at: now.toISOString(),
      virtualServer: virtualServerName(vs),
      holds,
      aliveWeight,
      quorum: vs.quorum,
      hysteresis: vs.hysteresis,
      sorryServerActive: !holds && vs.sorryServer !== undefined,
    });
    return true;
  }

  /** Forgets the quorum of virtual servers a reload removed, so one that comes back starts afresh. */
  keepQuorumOf(virtualServers: readonly VirtualServer[]): void {
    const known = new Set(virtualServers.map(virtualServerId));
    for (const id of this.quorum.keys()) if (!known.has(id)) this.quorum.delete(id);
  }

  get ipvs(): IpvsView {
    return this.ipvsView;
  }

  /** What the IPVS service last read of the kernel (or why it cannot). */
  ipvsObserved(view: IpvsView): void {
    this.ipvsView = view;
  }

  /** The IPVS service reconciled the kernel's table; `operations` changed it, `failed` of them were refused. */
  ipvsReconciled(view: IpvsView, operations: string[], failed: number, now: Date): void {
    this.ipvsView = view;
    if (operations.length > 0) this.publish({ type: 'ipvs.reconciled', at: now.toISOString(), operations, failed });
  }

  /**
   * For news that changes no state here: the daemon stopping, the periodic `vrrp.stats` and
   * `ipvs.stats`, an operator hold (kept by the operator service). Every
   * other event comes from the write that changed the state it tells of.
   */
  announce(event: Event<'daemon.stopping' | 'vrrp.stats' | 'ipvs.stats' | 'vrrp.operator'>): void {
    this.publish(event);
  }

  /** Calls `listener` for every event from now on; returns the function that stops it. */
  subscribe(listener: (event: DaemonEvent) => void): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }

  private publish(event: DaemonEvent): void {
    this.bus.emit('event', event);
  }
}
