// All VRRP instances of a config, running: one advert socket per interface and family shared by
// the instances on it (and, IPv4, one for VRRP behind IPsec AH once an instance there uses
// `auth_type AH`), received adverts decoded once and handed to the instance of their VRID.
// Instances on a multicast group of their own (vrrp_mcast_group4/6, mcast_dst_ip) have a link
// and socket per group, and each link hears only its own group's adverts.
// The kernel is reached only through the ports the daemon passes in.
import type { Clock } from '../clock.js';
import type { Config, VrrpInstance as InstanceConfig } from '../config/index.js';
import { isMulticastAddress } from '../inet/address.js';
import { ownMulticastGroup, VRRP_MULTICAST } from '../inet/vrrp-wire.js';
import { AddressHoldings } from './address-holdings.js';
import { type AhEnvelope, openEnvelope } from './ah.js';
import { Coordinator } from './coordinator.js';
import {
  type AddressPort,
  type AnnouncePort,
  announceIntervalsOf,
  type InstanceObserver,
  type InstancePorts,
  type InstanceStatus,
  machineOptionsFor,
  type RoutePort,
  VrrpInstanceRuntime,
} from './instance.js';
import { decodeAdvertisement, type Family, type ReceivedIpHeader } from './packet.js';
import { type InstanceChange, planReconfiguration, wireIdentity } from './reconfiguration.js';

/** An open advert socket on one interface for one family. */
export interface AdvertSocket {
  /**
   * Sends from `source`, which must be an address of this host, rather than the kernel's choice;
   * `ttl` (unicast_ttl) instead of the socket's 255.
   */
  send(payload: Buffer, destination: string, source: string, ttl?: number): void;
  close(): void;
}

export interface EnginePorts {
  /**
   * Opens an advert socket of an interface, joined to `group`; every VRRP packet received on it
   * goes to `onPacket`, whatever its destination.
   */
  openSocket(
    ifname: string,
    family: Family,
    group: string,
    onPacket: (payload: Buffer, ip: ReceivedIpHeader) => void,
  ): AdvertSocket;
  /**
   * Opens the IPv4 socket of IP protocol 51 (AH) of an interface: `onDatagram` gets every whole
   * datagram received, and `send` takes whole datagrams (see ah.ts).
   */
  openAhSocket?(ifname: string, onDatagram: (datagram: Buffer, ip: ReceivedIpHeader) => void): AdvertSocket;
  /** The interface's primary address for `family` (IPv6: its link-local address), if it has one. */
  primaryAddress(ifname: string, family: Family): string | undefined;
  /** The VIPs of `instance` on `ifname`. */
  addresses(ifname: string, instance: InstanceConfig): AddressPort;
  /** A new owner of virtual routes and rules, one per instance. */
  routes?(): RoutePort;
  /** Announces VIPs of an instance on this interface (each on its own `dev` if it has one). */
  announcer(ifname: string): AnnouncePort;
  /** use_vmac: the instance's vmac, home of its VIPs and (without vmac_xmit_base) its adverts. */
  vmacOf?(instance: InstanceConfig): string | undefined;
  clock: Clock;
  observer: InstanceObserver;
}

interface Link {
  socket: AdvertSocket;
  /** Whether an advert to `destination` is this link's: its own group's only, or the standard group's and unicast ones. */
  hears(destination: string): boolean;
  /** Opened for the first instance on the link with `auth_type AH`. */
  ahSocket?: AdvertSocket;
  byVrid: Map<number, VrrpInstanceRuntime>;
  /** Our own source addresses on this link: packets from them are our own, looped back. */
  ownSources: Set<string>;
}

/** What a reconfiguration did to each instance (see reconfiguration.ts), for the log. */
export interface ReconfigureOutcome {
  changes: InstanceChange[];
  /** Advert sockets opened and closed, as `interface/family`. */
  opened: string[];
  closed: string[];
}

export class VrrpEngine {
  private readonly runtimes: VrrpInstanceRuntime[] = [];
  private readonly links = new Map<string, Link>();
  private readonly holdings = new AddressHoldings();

  constructor(
    private config: Config,
    private readonly ports: EnginePorts,
  ) {}

  /**
   * Opens the sockets and starts every instance; throws, having started nothing, if a socket
   * cannot be opened. `startupDelayMs`: vrrp_startup_delay, which holds the backups' timers back.
   */
  start(startupDelayMs = 0): void {
    try {
      for (const runtime of this.create(this.config.instances, startupDelayMs)) runtime.start();
    } catch (err) {
      this.closeLinks();
      this.runtimes.length = 0;
      throw err;
    }
  }

  /**
   * Moves the running instances to `next` with the least disruption (the rules are in
   * reconfiguration.ts): unchanged instances are not touched, updated ones change in place,
   * removed and restarted ones stop, added and restarted ones start. VIPs gained are added
   * before any lost are removed, and an address another instance still holds stays. Sockets of
   * links still in use stay open. Throws before changing anything if a new instance has no source
   * address to send from.
   */
  async reconfigure(next: Config): Promise<ReconfigureOutcome> {
    const changes = planReconfiguration(this.config, next);
    const starting = changes.flatMap((c) => (c.kind === 'added' || c.kind === 'restarted' ? [c.to] : []));
    for (const instance of starting) this.sourceAddressOf(instance);
    this.config = next;
    const updates = changes.flatMap((c) => (c.kind === 'updated' ? [[this.runtimeOf(c.from), c.to] as const] : []));
    // Authentication changes in place: one that turns to AH must hear AH from now on.
    for (const [, to] of updates) this.listenForAh(to);
    const lost = await Promise.all(updates.map(([runtime, to]) => runtime.reconfigure(to)));
    await Promise.all(updates.map(([runtime], i) => runtime.dropAddresses(lost[i] ?? [])));
    const stopping = changes.flatMap((c) => (c.kind === 'removed' || c.kind === 'restarted' ? [c.from] : []));
    await Promise.all(stopping.map((from) => this.retire(this.runtimeOf(from))));
    const before = new Set(this.links.keys());
    for (const runtime of this.create(starting, 0)) runtime.start();
    const opened = [...this.links.keys()].filter((key) => !before.has(key));
    // After the starts: an instance restarting alone on its link keeps the socket.
    return { changes, opened, closed: this.closeUnusedLinks() };
  }

  /** Every master resigns (priority 0) and removes its VIPs; then the sockets close. */
  async stop(): Promise<void> {
    await Promise.all(this.runtimes.map((r) => r.stop()));
    this.closeLinks();
  }

  status(): InstanceStatus[] {
    return this.runtimes.map((r) => r.status());
  }

  /** keepalived's STATS_CLEAR: every instance's counters start again from zero. */
  clearCounters(): void {
    for (const runtime of this.runtimes) runtime.clearCounters();
  }

  instance(name: string): VrrpInstanceRuntime | undefined {
    return this.runtimes.find((r) => r.name === name);
  }

  /** Builds the runtimes of `instances` on their links (opening sockets as needed), not started yet. */
  private create(instances: readonly InstanceConfig[], startupDelayMs: number): VrrpInstanceRuntime[] {
    const planned = instances.map((instance) => ({ instance, source: this.sourceAddressOf(instance) }));
    const coordinators = this.syncGroupCoordinators(planned, startupDelayMs);
    return planned.map(({ instance, source }) => {
      const link = this.linkFor(instance);
      this.listenForAh(instance);
      const coordinator =
        coordinators.get(instance.name) ??
        Coordinator.solo(instance.name, machineOptionsFor(instance, source, startupDelayMs), this.ports.clock);
      const runtime = new VrrpInstanceRuntime(instance, this.instancePorts(instance, link, source), coordinator);
      link.byVrid.set(instance.vrid, runtime);
      link.ownSources.add(source);
      this.runtimes.push(runtime);
      return runtime;
    });
  }

  private instancePorts(instance: InstanceConfig, link: Link, source: string): InstancePorts {
    return {
      link: {
        sourceAddress: source,
        send: (payload: Buffer, destination: string, sourceAddress: string, ttl?: number) =>
          link.socket.send(payload, destination, sourceAddress, ttl),
        sendAh: (datagram: Buffer, destination: string, sourceAddress: string) =>
          this.ahSocketOf(link, instance.interface).send(datagram, destination, sourceAddress),
      },
      addresses: this.holdings.port(
        this.vipInterface(instance),
        this.ports.addresses(this.vipInterface(instance), instance),
      ),
      routes: this.ports.routes?.(),
      announcer: this.ports.announcer(this.vipInterface(instance)),
      clock: this.ports.clock,
      observer: this.ports.observer,
      announceIntervals: announceIntervalsOf(this.config.global),
    };
  }

  private runtimeOf(instance: InstanceConfig): VrrpInstanceRuntime {
    const runtime = this.runtimes.find((r) => wireIdentity(r.config) === wireIdentity(instance));
    if (!runtime) throw new Error(`vrrp_instance ${instance.name} is not running`);
    return runtime;
  }

  /** Takes an instance off its link and stops it (a master resigns). */
  private async retire(runtime: VrrpInstanceRuntime): Promise<void> {
    const link = this.links.get(this.linkKey(runtime.config));
    if (link?.byVrid.get(runtime.config.vrid) === runtime) link.byVrid.delete(runtime.config.vrid);
    if (link) {
      // Instances on a link usually share their source: it stays ours while one of them runs.
      link.ownSources.clear();
      for (const other of link.byVrid.values()) link.ownSources.add(other.status().sourceAddress);
    }
    this.runtimes.splice(this.runtimes.indexOf(runtime), 1);
    await runtime.stop();
  }

  /** Closes the sockets of links no instance uses any more; returns their keys. */
  private closeUnusedLinks(): string[] {
    const closed: string[] = [];
    for (const [key, link] of this.links) {
      if (link.byVrid.size > 0) continue;
      link.socket.close();
      link.ahSocket?.close();
      this.links.delete(key);
      closed.push(key);
    }
    return closed;
  }

  /** One coordinator per vrrp_sync_group with members among `planned`, shared by them: they change state together. */
  private syncGroupCoordinators(
    planned: { instance: InstanceConfig; source: string }[],
    startupDelayMs: number,
  ): Map<string, Coordinator> {
    const byMember = new Map<string, Coordinator>();
    for (const group of this.config.syncGroups) {
      const members = Object.fromEntries(
        planned
          .filter((p) => group.members.includes(p.instance.name))
          .map((p) => [p.instance.name, machineOptionsFor(p.instance, p.source, startupDelayMs)]),
      );
      if (Object.keys(members).length === 0) continue;
      const coordinator = Coordinator.syncGroup(group.name, members, this.ports.clock, (t) =>
        this.ports.observer.groupTransition?.(t),
      );
      for (const member of Object.keys(members)) byMember.set(member, coordinator);
    }
    return byMember;
  }

  private sourceAddressOf(instance: InstanceConfig): string {
    const source = instance.unicastSrcIp ?? this.ports.primaryAddress(instance.interface, instance.family);
    if (!source) {
      const kind = instance.family === 6 ? 'an IPv6 link-local address' : 'an IPv4 address';
      throw new Error(
        `vrrp_instance ${instance.name}: interface ${instance.interface} has no ${kind} to send adverts from (or set unicast_src_ip)`,
      );
    }
    return source;
  }

  /** Where the instance's VIPs go: its vmac with use_vmac, else its interface. */
  private vipInterface(instance: InstanceConfig): string {
    return this.ports.vmacOf?.(instance) ?? instance.interface;
  }

  /** Where its adverts come and go: the vmac too, unless vmac_xmit_base keeps them on the interface. */
  private advertInterface(instance: InstanceConfig): string {
    return instance.vmacXmitBase ? instance.interface : this.vipInterface(instance);
  }

  private linkKey(instance: InstanceConfig): string {
    const group = ownMulticastGroup(instance);
    return `${this.advertInterface(instance)}/${instance.family}${group ? ` ${group}` : ''}`;
  }

  private linkFor(instance: InstanceConfig): Link {
    const key = this.linkKey(instance);
    const existing = this.links.get(key);
    if (existing) return existing;
    const ifname = this.advertInterface(instance);
    const ownGroup = ownMulticastGroup(instance);
    const standard = VRRP_MULTICAST[instance.family];
    const listener: Omit<Link, 'socket'> = {
      hears: (destination) =>
        ownGroup ? destination === ownGroup : destination === standard || !isMulticastAddress(destination),
      byVrid: new Map(),
      ownSources: new Set(),
    };
    const socket = this.ports.openSocket(ifname, instance.family, ownGroup ?? standard, (payload, ip) =>
      this.dispatch(ifname, link, payload, ip),
    );
    const link: Link = { ...listener, socket };
    this.links.set(key, link);
    return link;
  }

  private listenForAh(instance: InstanceConfig): void {
    if (instance.auth?.type === 'AH') this.ahSocketOf(this.linkFor(instance), instance.interface);
  }

  private ahSocketOf(link: Link, ifname: string): AdvertSocket {
    const { openAhSocket } = this.ports;
    if (!openAhSocket) throw new Error(`no IPsec AH socket can be opened on ${ifname} here`);
    link.ahSocket ??= openAhSocket(ifname, (datagram, ip) => {
      // AH for anything but VRRP is someone else's IPsec: ignored, as keepalived does.
      const envelope = openEnvelope(datagram);
      if (envelope) this.dispatch(ifname, link, envelope.message, ip, envelope);
    });
    return link.ahSocket;
  }

  private dispatch(ifname: string, link: Link, payload: Buffer, ip: ReceivedIpHeader, envelope?: AhEnvelope): void {
    // Another link's group (every raw socket on the interface gets every advert), or our own looped back.
    if (!link.hears(ip.destination) || link.ownSources.has(ip.source)) return;
    const { byVrid } = link;
    const decoded = decodeAdvertisement(payload, ip);
    // The VRID byte is readable in all but the shortest packets: a bad packet is counted by the
    // instance it was meant for, where operators look.
    const vrid = decoded.ok ? decoded.advert.vrid : (payload[1] ?? -1);
    const runtime = byVrid.get(vrid);
    // Another virtual router on this network, none of ours: only logged when asked for (the log throttles it).
    if (!runtime) {
      this.reportUnknownVrid(ifname, vrid, ip.source);
      return;
    }
    if (!decoded.ok) runtime.countDrop(decoded.reason, `packet from ${ip.source} dropped: ${decoded.detail}`);
    else runtime.receive(decoded.advert, ip, envelope);
  }

  private reportUnknownVrid(ifname: string, vrid: number, source: string): void {
    if (!this.config.global.logUnknownVrids) return;
    this.ports.observer.problem(
      ifname,
      'unknown_vrid',
      `advert for VRID ${vrid} from ${source}: no instance here has it`,
      {
        vrid,
        source,
      },
    );
  }

  private closeLinks(): void {
    for (const link of this.links.values()) {
      link.socket.close();
      link.ahSocket?.close();
    }
    this.links.clear();
  }
}
