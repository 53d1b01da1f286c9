// Projects the store into the API's status response. Pure: the caller passes the clock.

import type { InstanceStatus, StatusResponse, VirtualServerStatus } from '../api/schema.js';
import { API_VERSION } from '../api/schema.js';
import type { RealServerHealth } from '../check/index.js';
import type { SourcePos, Vip, VirtualServer } from '../config/index.js';
import type { Stats } from '../ipvs/codec.js';
import { serviceKeysOf, type TableInputs } from '../ipvs/desired.js';
import type { DestinationCounters } from '../ipvs/kernel.js';
import { aliveWeight } from '../ipvs/quorum.js';
import { destinationKeyText, serviceKeyText } from '../ipvs/reconcile.js';
import { emptyCounters, type InstanceStatus as RuntimeStatus } from '../vrrp/instance.js';
import type { StateStore } from './store.js';

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

/** A destination as the kernel has it. */
export interface KernelDestination extends DestinationCounters {
  weight: number;
}

/** By service key text, then destination key text (see ipvs/reconcile). */
export type KernelTable = ReadonlyMap<string, ReadonlyMap<string, KernelDestination>>;

/** What runs, beside the config: VRRP per instance, and the kernel's IPVS table. */
export interface LiveState {
  /** An instance the engine does not run shows as INIT. */
  vrrp?: readonly RuntimeStatus[];
  ipvs?: {
    available: boolean;
    error?: string;
    ownedServices: number;
    kernel: KernelTable;
  };
  /** What the health checks say; without it every real server counts as unchecked and up. */
  checks?: {
    health(vs: VirtualServer, rs: { address: string; port: number }): RealServerHealth | undefined;
    verdicts(): TableInputs['health'];
    quorumHolds(vs: VirtualServer): boolean;
  };
}

export function buildStatus(
  store: StateStore,
  daemon: DaemonIdentity,
  now: Date,
  live: LiveState = {},
): StatusResponse {
  const runtime = live.vrrp ?? [];
  const { config, path, files, loadedAt, generation, warnings } = store.loaded;
  const syncGroupOf = new Map<string, string>();
  for (const group of config.syncGroups) for (const member of group.members) syncGroupOf.set(member, group.name);

  const running = new Map(runtime.map((r) => [r.name, r]));
  const instances = config.instances.map((inst): InstanceStatus => {
    const live = running.get(inst.name);
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
      syncGroup: syncGroupOf.get(inst.name),
      masterAddress: live?.masterAddress,
      faultReason: live?.faultReason,
      lastTransition: live?.lastTransition && {
        at: live.lastTransition.at.toISOString(),
        from: live.lastTransition.from,
        to: live.lastTransition.to,
        reason: live.lastTransition.reason,
      },
      counters: live?.counters ?? emptyCounters(),
      source: sourceRef(inst.pos),
    };
  });

  const virtualServers = config.virtualServers.map((vs): VirtualServerStatus => {
    const services = serviceKeysOf(vs, config).map(serviceKeyText);
    const inKernel = (d: { address: string; port: number }) =>
      kernelDestination(services, destinationKeyText(d), live.ipvs?.kernel);
    const healthOf = (rs: { address: string; port: number }) => live.checks?.health(vs, rs);
    const quorumHolds = live.checks?.quorumHolds(vs) ?? true;
    return {
      name: virtualServerName(vs),
      protocol: vs.key.kind === 'fwmark' ? 'FWM' : vs.protocol,
      scheduler: vs.scheduler,
      lbKind: vs.lbKind,
      persistenceTimeoutSeconds: vs.persistenceTimeout,
      quorum: vs.quorum,
      hysteresis: vs.hysteresis,
      aliveWeight: aliveWeight(vs, live.checks?.verdicts()),
      quorumHolds,
      sorryServer: vs.sorryServer && {
        address: vs.sorryServer.address,
        port: vs.sorryServer.port,
        active: !quorumHolds,
        kernel: inKernel(vs.sorryServer),
      },
      realServers: vs.realServers.map((rs) => {
        const health = healthOf(rs);
        return {
          address: rs.address,
          port: rs.port,
          weight: rs.weight,
          health: !health?.checked ? 'unchecked' : health.alive ? 'up' : 'down',
          healthReason: health?.alive === false ? health.reason : undefined,
          healthSince: health?.checked ? new Date(health.since).toISOString() : undefined,
          lastCheck:
            health?.lastCheckAt !== undefined
              ? { at: new Date(health.lastCheckAt).toISOString(), latencyMs: health.lastLatencyMs ?? 0 }
              : undefined,
          dynamicWeight: health?.weight,
          checkers: rs.checkers.map((c) => c.type),
          kernel: inKernel(rs),
          source: sourceRef(rs.pos),
        };
      }),
      source: sourceRef(vs.pos),
    };
  });

  const rejected = store.lastRejectedReload;
  return {
    apiVersion: API_VERSION,
    daemon: {
      version: daemon.version,
      pid: daemon.pid,
      startedAt: daemon.startedAt.toISOString(),
      uptimeSeconds: Math.max(0, (now.getTime() - daemon.startedAt.getTime()) / 1000),
      socket: daemon.socket,
      readOnlySocket: daemon.readOnlySocket,
      stateDir: daemon.stateDir,
    },
    config: {
      path,
      files,
      loadedAt: loadedAt.toISOString(),
      generation,
      warnings,
      lastRejectedReload: rejected && { at: rejected.at.toISOString(), errors: rejected.errors },
    },
    instances,
    ipvs: {
      available: live.ipvs?.available ?? false,
      error: live.ipvs?.error,
      ownedServices: live.ipvs?.ownedServices ?? 0,
    },
    virtualServers,
  };
}

/** A real server in the kernel, summed over the services its virtual server stands for. */
function kernelDestination(
  services: string[],
  destination: string,
  kernel: KernelTable | undefined,
): KernelDestination | undefined {
  const found = services.map((s) => kernel?.get(s)?.get(destination)).filter((d) => d !== undefined);
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
