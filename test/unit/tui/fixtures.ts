// Status, as vigild would answer it, for the monitor's tests: two routers' worth of VRRP and a
// web service with real servers in every state the panels show.
import type { InstanceStatus, RealServerStatus, StatusResponse, VirtualServerStatus } from '../../../src/api/schema.js';
import { kernelFixture, virtualServerFixture } from '../../helpers/status-fixture.js';

/** The tests' "now": 14:00:00 UTC on the day the fixtures were taken. */
export const NOW = Date.parse('2026-12-02T14:00:00.000Z');
export const secondsBefore = (s: number) => new Date(NOW - s * 1000).toISOString();

export function instance(overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'VI_1',
    interface: 'eth0',
    vrid: 51,
    version: 3,
    family: 4,
    state: 'MASTER',
    initialState: 'BACKUP',
    priority: 150,
    effectivePriority: 150,
    advertIntSeconds: 1,
    nopreempt: false,
    vips: ['198.51.100.10/24'],
    masterAddress: '198.51.100.2',
    masterPriority: 150,
    lastTransition: { at: secondsBefore(12), from: 'BACKUP', to: 'MASTER', reason: 'master down: no advert for 3.6 s' },
    counters: {
      advertsSent: 420,
      advertsReceived: 17,
      priorityZeroSent: 0,
      priorityZeroReceived: 0,
      becameMaster: 1,
      releasedMaster: 0,
      announcements: 5,
      sendErrors: 0,
      drops: {},
    },
    source: 'k.conf:1:1',
    ...overrides,
  };
}

export function realServer(overrides: Partial<RealServerStatus> = {}): RealServerStatus {
  return {
    address: '203.0.113.21',
    port: 80,
    weight: 100,
    health: 'up',
    checkers: ['HTTP_GET'],
    drained: false,
    lastCheck: { at: secondsBefore(1), latencyMs: 2.5 },
    kernel: kernelFixture({ weight: 100, activeConns: 12, inactiveConns: 340 }),
    source: 'k.conf:9:3',
    ...overrides,
  };
}

export function virtualServer(overrides: Partial<VirtualServerStatus> = {}): VirtualServerStatus {
  const down = realServer({
    address: '203.0.113.22',
    health: 'down',
    healthReason: 'HTTP_GET: connection refused',
    kernel: undefined,
  });
  return virtualServerFixture([realServer(), down], { name: '198.51.100.10:80', source: 'k.conf:8:1', ...overrides });
}

export function status(overrides: Partial<StatusResponse> = {}): StatusResponse {
  return {
    apiVersion: 1,
    daemon: {
      version: '0.1.0',
      pid: 4242,
      startedAt: secondsBefore(3600),
      uptimeSeconds: 3600,
      socket: '/run/vigil/vigil.sock',
      readOnlySocket: '/run/vigil/vigil-ro.sock',
      stateDir: '/var/lib/vigil',
    },
    config: {
      path: '/etc/keepalived/keepalived.conf',
      files: ['/etc/keepalived/keepalived.conf'],
      loadedAt: secondsBefore(3600),
      generation: 3,
      warnings: [],
    },
    instances: [
      instance(),
      instance({
        name: 'VI_2',
        vrid: 52,
        state: 'BACKUP',
        priority: 100,
        effectivePriority: 100,
        masterAddress: '198.51.100.3',
        masterPriority: 200,
        lastTransition: { at: secondsBefore(250), from: 'INIT', to: 'BACKUP', reason: 'started' },
      }),
    ],
    ipvs: { available: true, ownedServices: 1 },
    virtualServers: [virtualServer()],
    ...overrides,
  };
}
