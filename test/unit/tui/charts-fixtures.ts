// Status snapshots and ipvs.stats events for the chart tests: a director with one instance and
// virtual servers whose real servers carry a check latency and an IPVS connection rate.
import type {
  DaemonEvent,
  InstanceStatus,
  RealServerStatus,
  StatusResponse,
  VirtualServerStatus,
} from '../../../src/api/schema.js';

export const T0 = Date.parse('2026-12-02T03:00:00Z');

export interface RealServerLoad {
  address: string;
  latencyMs: number;
  /** IPVS connections per second to it. */
  rate?: number;
  /** When its last check completed (default: the time of the snapshot or event). */
  checkedAt?: number;
}

export function realServer(load: RealServerLoad, at: number): RealServerStatus {
  const rate = load.rate ?? 0;
  return {
    address: load.address,
    port: 80,
    weight: 1,
    health: 'up',
    checkers: ['HTTP_GET'],
    drained: false,
    lastCheck: { at: new Date(load.checkedAt ?? at).toISOString(), latencyMs: load.latencyMs },
    kernel: {
      weight: 1,
      activeConns: 0,
      inactiveConns: 0,
      persistConns: 0,
      stats: {
        connections: 0,
        packetsIn: 0,
        packetsOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        connectionRate: rate,
        packetRateIn: 0,
        packetRateOut: 0,
        byteRateIn: 0,
        byteRateOut: 0,
      },
    },
    source: 'k.conf:9:3',
  };
}

export function virtualServer(name: string, loads: RealServerLoad[], at: number): VirtualServerStatus {
  return {
    name,
    protocol: 'TCP',
    scheduler: 'wrr',
    lbKind: 'DR',
    quorum: 1,
    hysteresis: 0,
    aliveWeight: loads.length,
    quorumHolds: true,
    realServers: loads.map((load) => realServer(load, at)),
    source: 'k.conf:8:1',
  };
}

export function instance(overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'VI_1',
    interface: 'eth0',
    vrid: 51,
    version: 2,
    family: 4,
    state: 'MASTER',
    initialState: 'BACKUP',
    priority: 100,
    effectivePriority: 100,
    advertIntSeconds: 1,
    nopreempt: false,
    vips: ['198.51.100.80/24'],
    counters: {
      advertsSent: 0,
      advertsReceived: 0,
      priorityZeroSent: 0,
      priorityZeroReceived: 0,
      becameMaster: 1,
      releasedMaster: 0,
      announcements: 0,
      sendErrors: 0,
      drops: {},
    },
    source: 'k.conf:1:1',
    ...overrides,
  };
}

export function status(
  virtualServers: VirtualServerStatus[],
  overrides: Partial<Pick<StatusResponse, 'instances' | 'ipvs'>> = {},
): StatusResponse {
  return {
    apiVersion: 1,
    daemon: {
      version: '0.1.0',
      pid: 4242,
      startedAt: new Date(T0).toISOString(),
      uptimeSeconds: 1,
      socket: '/run/vigil/vigil.sock',
      readOnlySocket: '/run/vigil/vigil-ro.sock',
      stateDir: '/var/lib/vigil',
    },
    config: {
      path: '/etc/vigil/k.conf',
      files: ['/etc/vigil/k.conf'],
      loadedAt: new Date(T0).toISOString(),
      generation: 1,
      warnings: [],
    },
    instances: [instance()],
    ipvs: { available: true, ownedServices: virtualServers.length },
    virtualServers,
    ...overrides,
  };
}

export function ipvsStats(virtualServers: VirtualServerStatus[], at: number): DaemonEvent {
  return { type: 'ipvs.stats', at: new Date(at).toISOString(), virtualServers };
}
