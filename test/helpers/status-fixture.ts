// Status responses and events as vigild sends them, built from a few overrides: for the tests
// of what renders them (the monitor's model and panels) without a daemon.
import type {
  DaemonEvent,
  InstanceStatus,
  RealServerStatus,
  StatusResponse,
  VirtualServerStatus,
} from '../../src/api/schema.js';

export const STARTED_AT = '2026-12-01T10:00:00.000Z';
export const T0 = Date.parse(STARTED_AT);
/** An ISO time `seconds` after vigild started. */
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

export function instanceFixture(overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'VI_1',
    interface: 'eth0',
    vrid: 51,
    version: 2,
    family: 4,
    state: 'MASTER',
    initialState: 'MASTER',
    priority: 150,
    effectivePriority: 150,
    advertIntSeconds: 1,
    nopreempt: false,
    vips: ['198.51.100.200/24'],
    masterAddress: '198.51.100.11',
    masterPriority: 150,
    counters: {
      advertsSent: 10,
      advertsReceived: 2,
      priorityZeroSent: 0,
      priorityZeroReceived: 0,
      becameMaster: 1,
      releasedMaster: 0,
      announcements: 1,
      sendErrors: 0,
      drops: {},
    },
    source: '/etc/keepalived/keepalived.conf:1:1',
    ...overrides,
  };
}

export function realServerFixture(overrides: Partial<RealServerStatus> = {}): RealServerStatus {
  return {
    address: '203.0.113.21',
    port: 80,
    weight: 1,
    health: 'up',
    healthSince: at(1),
    lastCheck: { at: at(5), latencyMs: 1.5 },
    checkers: ['HTTP_GET'],
    drained: false,
    source: '/etc/keepalived/keepalived.conf:20:3',
    ...overrides,
  };
}

/** A destination as the kernel's IPVS table has it: its counters zero but those given. */
export function kernelFixture(
  parts: { weight?: number; activeConns?: number; inactiveConns?: number; connectionRate?: number } = {},
): NonNullable<RealServerStatus['kernel']> {
  const stats = { connections: 0, packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
  const rates = { packetRateIn: 0, packetRateOut: 0, byteRateIn: 0, byteRateOut: 0 };
  return {
    weight: parts.weight ?? 1,
    activeConns: parts.activeConns ?? 0,
    inactiveConns: parts.inactiveConns ?? 0,
    persistConns: 0,
    stats: { ...stats, ...rates, connectionRate: parts.connectionRate ?? 0 },
  };
}

export function virtualServerFixture(
  realServers: RealServerStatus[] = [realServerFixture()],
  overrides: Partial<VirtualServerStatus> = {},
): VirtualServerStatus {
  return {
    name: '198.51.100.200:80',
    protocol: 'TCP',
    scheduler: 'wrr',
    lbKind: 'DR',
    quorum: 1,
    hysteresis: 0,
    aliveWeight: realServers.filter((rs) => rs.health !== 'down').reduce((sum, rs) => sum + rs.weight, 0),
    quorumHolds: true,
    realServers,
    source: '/etc/keepalived/keepalived.conf:15:1',
    ...overrides,
  };
}

/** A status taken `uptimeSeconds` after vigild started. */
export function statusFixture(
  parts: { instances?: InstanceStatus[]; virtualServers?: VirtualServerStatus[]; uptimeSeconds?: number } = {},
): StatusResponse {
  return {
    apiVersion: 1,
    daemon: {
      version: '0.1.0',
      pid: 4242,
      startedAt: STARTED_AT,
      uptimeSeconds: parts.uptimeSeconds ?? 10,
      socket: '/run/vigil/vigil.sock',
      readOnlySocket: '/run/vigil/vigil-ro.sock',
      stateDir: '/var/lib/vigil',
      maintenance: { on: false },
    },
    config: {
      path: '/etc/keepalived/keepalived.conf',
      files: ['/etc/keepalived/keepalived.conf'],
      loadedAt: STARTED_AT,
      generation: 1,
      warnings: [],
    },
    instances: parts.instances ?? [instanceFixture()],
    ipvs: { available: false, error: 'IPVS is not available: no ip_vs module', ownedServices: 0 },
    virtualServers: parts.virtualServers ?? [virtualServerFixture()],
  };
}

/** A health change of the first real server of the fixture's virtual server, `seconds` after start. */
export function healthEvent(
  seconds: number,
  health: 'up' | 'down',
  realServer = '203.0.113.21:80',
  virtualServer = '198.51.100.200:80',
): DaemonEvent {
  const reason = health === 'down' ? 'HTTP_GET: connection refused' : undefined;
  return { type: 'realserver.health', at: at(seconds), virtualServer, realServer, health, reason };
}
