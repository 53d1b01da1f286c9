// Projects the store into the API's status response and its `vrrp.stats` and `ipvs.stats` events. Pure: the caller
// passes the clock, and has the IPVS service refresh the store's kernel view first. Thousands of
// real servers are projected a few hundred a turn of the event loop (see pacer.ts).

import {
  API_VERSION,
  type DaemonEvent,
  type InstanceStatus,
  type RealServerStatus,
  type StatusResponse,
  type VirtualServerStatus,
} from '../api/schema.js';
import type { RealServerHealth } from '../check/index.js';
import type { Config, RealServer, SourcePos, Vip, VirtualServer, VrrpInstance } from '../config/index.js';
import type { Stats } from '../ipvs/codec.js';
import { serviceKeysOf } from '../ipvs/desired.js';
import { aliveWeight } from '../ipvs/quorum.js';
import { destinationKeyText, serviceKeyText } from '../ipvs/reconcile.js';
import { emptyCounters, type InstanceStatus as RuntimeStatus, type Transition } from '../vrrp/instance.js';
import { pacer } from './pacer.js';
import type { KernelDestination, KernelTable, StateStore } from './store.js';

export interface DaemonIdentity {
  version: string;
  pid: number;
  startedAt: Date;
  socket: string;
  readOnlySocket: string;
  stateDir: string;
}

const sourceRef = (pos: SourcePos): string => `${pos.file}:${pos.line}:${pos.col}`;

const vipText = (vip: Vip): string => `${vip.address}/${vip.prefix}${vip.dev ? ` dev ${vip.dev}` : ''}`;

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** Names a virtual server the way ipvsadm -Ln does, so operators recognise it. */
export function virtualServerName(vs: VirtualServer): string {
  const { key } = vs;
  switch (key.kind) {
    case 'ip':
      return key.family === 6 ? `[${key.address}]:${key.port}` : `${key.address}:${key.port}`;
    case 'fwmark':
      return `fwmark ${key.mark}`;
    case 'group':
      return `group ${key.name}`;
  }
}

export async function buildStatus(store: StateStore, daemon: DaemonIdentity, now: Date): Promise<StatusResponse> {
  const { available, error, ownedServices } = store.ipvs;
  const head: Omit<StatusResponse, 'virtualServers'> = {
    apiVersion: API_VERSION,
    daemon: daemonStatus(daemon, now),
    config: configStatus(store),
    instances: instanceStatuses(store),
    ipvs: { available, error, ownedServices },
  };
  return { ...head, virtualServers: await virtualServerStatuses(store) };
}

/** Every instance with its state, master as heard and advert counters, as status has them. */
export function vrrpStatsEvent(store: StateStore, now: Date): Extract<DaemonEvent, { type: 'vrrp.stats' }> {
  return { type: 'vrrp.stats', at: now.toISOString(), instances: instanceStatuses(store) };
}

/** Every virtual and real server with weights, health and the counters the store holds now. */
export async function ipvsStatsEvent(
  store: StateStore,
  now: Date,
): Promise<Extract<DaemonEvent, { type: 'ipvs.stats' }>> {
  return { type: 'ipvs.stats', at: now.toISOString(), virtualServers: await virtualServerStatuses(store) };
}

function daemonStatus(daemon: DaemonIdentity, now: Date): StatusResponse['daemon'] {
  return {
    version: daemon.version,
    pid: daemon.pid,
    startedAt: daemon.startedAt.toISOString(),
    uptimeSeconds: Math.max(0, (now.getTime() - daemon.startedAt.getTime()) / 1000),
    socket: daemon.socket,
    readOnlySocket: daemon.readOnlySocket,
    stateDir: daemon.stateDir,
  };
}

function configStatus(store: StateStore): StatusResponse['config'] {
  const { path, files, loadedAt, generation, warnings } = store.loaded;
  const rejected = store.lastRejectedReload;
  return {
    path,
    files,
    loadedAt: loadedAt.toISOString(),
    generation,
    warnings,
    lastRejectedReload: rejected && { at: rejected.at.toISOString(), errors: rejected.errors },
  };
}

/** Every configured instance; one the engine does not run shows as INIT. */
function instanceStatuses(store: StateStore): InstanceStatus[] {
  const { config } = store.loaded;
  const syncGroupOf = new Map(config.syncGroups.flatMap((g) => g.members.map((member) => [member, g.name])));
  const running = new Map(store.vrrpInstances().map((r) => [r.name, r]));
  return config.instances.map((inst) => instanceStatus(inst, running.get(inst.name), syncGroupOf.get(inst.name)));
}

function instanceStatus(
  inst: VrrpInstance,
  live: RuntimeStatus | undefined,
  syncGroup: string | undefined,
): InstanceStatus {
  return {
    name: inst.name,
    interface: inst.interface,
    vrid: inst.vrid,
    version: inst.version,
    family: inst.family,
    state: live?.state ?? 'INIT',
    initialState: inst.initialState,
    priority: inst.priority,
    effectivePriority: live?.effectivePriority ?? inst.priority,
    advertIntSeconds: inst.advertInt,
    nopreempt: inst.nopreempt,
    vips: inst.vips.map(vipText),
    syncGroup,
    masterAddress: live?.masterAddress,
    masterPriority: live?.masterPriority,
    faultReason: live?.faultReason,
    lastTransition: live?.lastTransition && transitionStatus(live.lastTransition),
    counters: live?.counters ?? emptyCounters(),
    source: sourceRef(inst.pos),
  };
}

function transitionStatus({ at, from, to, reason }: Transition): InstanceStatus['lastTransition'] {
  return { at: at.toISOString(), from, to, reason };
}

/** Real servers projected in one turn of the event loop: some 5 ms of work. */
const REAL_SERVERS_PER_TURN = 250;

/** The config's virtual servers as it was when the projection began, their health as it goes. */
async function virtualServerStatuses(store: StateStore): Promise<VirtualServerStatus[]> {
  const { config } = store.loaded;
  const pace = pacer(REAL_SERVERS_PER_TURN);
  const statuses: VirtualServerStatus[] = [];
  for (const vs of config.virtualServers) {
    const { realServers, ...rest } = virtualServerStatus(vs, config, store);
    const projected: RealServerStatus[] = [];
    for (const rs of vs.realServers) {
      if (pace.due()) await pace.turn();
      projected.push(realServers(rs));
    }
    statuses.push({ ...rest, realServers: projected });
  }
  return statuses;
}

/** A virtual server's status, and how to project each of its real servers. */
function virtualServerStatus(
  vs: VirtualServer,
  config: Config,
  store: StateStore,
): Omit<VirtualServerStatus, 'realServers'> & { realServers: (rs: RealServer) => RealServerStatus } {
  const services = serviceKeysOf(vs, config).map(serviceKeyText);
  const inKernel = (d: { address: string; port: number }) =>
    kernelDestination(services, destinationKeyText(d), store.ipvs.kernel);
  const quorumHolds = store.quorumHolds(vs) ?? true;
  return {
    name: virtualServerName(vs),
    protocol: vs.key.kind === 'fwmark' ? 'FWM' : vs.protocol,
    scheduler: vs.scheduler,
    lbKind: vs.lbKind,
    persistenceTimeoutSeconds: vs.persistenceTimeout,
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    aliveWeight: aliveWeight(vs, store.verdicts()),
    quorumHolds,
    sorryServer: vs.sorryServer && {
      address: vs.sorryServer.address,
      port: vs.sorryServer.port,
      active: !quorumHolds,
      kernel: inKernel(vs.sorryServer),
    },
    realServers: (rs) => realServerStatus(rs, store.health(vs, rs), inKernel(rs), store.drainedSince(vs, rs)),
    source: sourceRef(vs.pos),
  };
}

/** One real server of a virtual server as status shows it, for answers about a few. */
export function realServerStatusOf(store: StateStore, vs: VirtualServer, rs: RealServer): RealServerStatus {
  return virtualServerStatus(vs, store.loaded.config, store).realServers(rs);
}

function realServerStatus(
  rs: RealServer,
  health: RealServerHealth | undefined,
  kernel: KernelDestination | undefined,
  drainedSince: Date | undefined,
): RealServerStatus {
  return {
    address: rs.address,
    port: rs.port,
    weight: rs.weight,
    ...healthStatus(health),
    checkers: rs.checkers.map((c) => c.type),
    drained: drainedSince !== undefined,
    drainedSince: drainedSince?.toISOString(),
    kernel,
    source: sourceRef(rs.pos),
  };
}

/** What the checks say; a real server without a checker vigil runs is `unchecked`, and counts as up. */
export function healthStatus(
  health: RealServerHealth | undefined,
): Pick<RealServerStatus, 'health' | 'healthReason' | 'healthSince' | 'lastCheck' | 'dynamicWeight'> {
  return {
    health: !health?.checked ? 'unchecked' : health.alive ? 'up' : 'down',
    healthReason: health?.alive === false ? health.reason : undefined,
    healthSince: health?.checked ? isoOf(health.since) : undefined,
    lastCheck:
      health?.lastCheckAt !== undefined
        ? { at: isoOf(health.lastCheckAt), latencyMs: health.lastLatencyMs ?? 0 }
        : undefined,
    dynamicWeight: health?.weight,
  };
}

/** A real server in the kernel, summed over the services its virtual server stands for. */
function kernelDestination(
  services: string[],
  destination: string,
  kernel: KernelTable,
): KernelDestination | undefined {
  const found = services.map((s) => kernel.get(s)?.get(destination)).filter((d) => d !== undefined);
  if (found.length === 0) return undefined;
  const sum = (count: (d: KernelDestination) => number) => found.reduce((n, d) => n + count(d), 0);
  const stats = Object.fromEntries(
    Object.keys(found[0]!.stats).map((field) => [field, sum((d) => d.stats[field as keyof Stats])]),
  ) as Stats;
  return {
    weight: found[0]!.weight,
    activeConns: sum((d) => d.activeConns),
    inactiveConns: sum((d) => d.inactiveConns),
    persistConns: sum((d) => d.persistConns),
    stats,
  };
}
