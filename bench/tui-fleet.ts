// The state bench:tui serves: a config of N real servers in a few virtual servers and two VRRP
// instances, held in the daemon's own StateStore, with health, kernel counters and VRRP runtime
// fed in by hand instead of by checkers, the kernel and the wire. Status and events then come
// out of the daemon's own projection (src/daemon/status.ts), byte for byte what vigild sends.

import { vrrpConfig } from '../lab/routers.js';
import type { RealServerHealth } from '../src/check/index.js';
import { createMemoryReader, parseConfigText, type RealServer, type VirtualServer } from '../src/config/index.js';
import { ipvsStatsEvent, vrrpStatsEvent } from '../src/daemon/status.js';
import type { KernelDestination } from '../src/daemon/store.js';
import { StateStore } from '../src/daemon/store.js';
import { realServerId, serviceKeysOf } from '../src/ipvs/desired.js';
import { destinationKeyText, serviceKeyText } from '../src/ipvs/reconcile.js';
import { emptyCounters, type InstanceStatus } from '../src/vrrp/instance.js';

const DOWN_REASON = 'TCP_CHECK: connection refused';

function configText(realServers: number, virtualServers: number): string {
  const vrrp = vrrpConfig(
    { name: 'VI_1', version: 3, vrid: 51, priority: 150, advertInt: 1, vip: '198.51.100.200/24' },
    { name: 'VI_2', version: 3, vrid: 52, priority: 100, advertInt: 1, vip: '198.51.100.201/24' },
  );
  const perVs = Math.ceil(realServers / virtualServers);
  const services = Array.from({ length: virtualServers }, (_, v) => {
    const count = Math.min(perVs, realServers - v * perVs);
    const rs = Array.from(
      { length: count },
      (_, r) =>
        `  real_server 203.0.113.${(r % 250) + 1} ${8000 + Math.floor(r / 250)} {\n    TCP_CHECK {\n    }\n  }\n`,
    );
    return `virtual_server 198.51.100.${v + 1} 80 {\n  lb_algo wrr\n  lb_kind NAT\n  protocol TCP\n${rs.join('')}}\n`;
  });
  return [vrrp, ...services].join('\n');
}

interface Member {
  vs: VirtualServer;
  rs: RealServer;
  id: string;
  service: string;
  destination: string;
}

/** A deterministic check latency in ms, 0.3-3.3, that moves from check to check. */
const latencyOf = (index: number, round: number) => 0.3 + ((index * 7919 + round * 104729) % 3000) / 1000;

export class Fleet {
  readonly store: StateStore;
  readonly realServers: number;
  private readonly members: Member[];
  private readonly health = new Map<string, RealServerHealth>();
  private readonly kernel = new Map<string, Map<string, KernelDestination>>();
  private readonly startedAt: number;
  private flips = 0;

  constructor(realServers: number, virtualServers: number, now: number) {
    const loaded = parseConfigText(configText(realServers, virtualServers), 'bench-tui.conf', {
      reader: createMemoryReader({}),
    });
    if (!loaded.config) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
    const { config } = loaded;
    this.store = new StateStore('bench-tui.conf', config, ['bench-tui.conf'], [], new Date(now));
    this.startedAt = now;
    // Interleaved across virtual servers, so that flipping them in order spreads over all of them.
    const byVs = config.virtualServers.map((vs) =>
      vs.realServers.map((rs) => ({
        vs,
        rs,
        id: realServerId(vs, rs),
        service: serviceKeyText(serviceKeysOf(vs, config)[0]!),
        destination: destinationKeyText(rs),
      })),
    );
    this.members = byVs[0]!.flatMap((_, i) => byVs.flatMap((list) => list[i] ?? []));
    this.realServers = this.members.length;
    this.members.forEach((m, i) => {
      this.health.set(m.id, {
        alive: true,
        checked: true,
        since: now,
        lastCheckAt: now,
        lastLatencyMs: latencyOf(i, 0),
      });
    });
    this.store.readHealthFrom((id) => this.health.get(id));
    this.store.readVrrpFrom(() => this.instances(Date.now()));
    this.countTraffic();
  }

  /** The next real server in turn changes state, as its checker would announce it. */
  flip(now: number): void {
    const index = this.flips % this.members.length;
    const round = Math.floor(this.flips / this.members.length) + 1;
    this.flips++;
    const member = this.members[index]!;
    const was = this.health.get(member.id)!;
    const alive = !was.alive;
    const health: RealServerHealth = {
      alive,
      checked: true,
      since: now,
      lastCheckAt: now,
      lastLatencyMs: latencyOf(index, round),
      ...(!alive && { reason: DOWN_REASON }),
    };
    this.health.set(member.id, health);
    this.store.realServerChanged(member.vs, member.rs, health, new Date(now));
  }

  /** What vigild sends every 2 s while a client follows events: `vrrp.stats`, then the kernel's counters as `ipvs.stats`. */
  async announceStats(): Promise<void> {
    this.store.announce(vrrpStatsEvent(this.store, new Date()));
    this.countTraffic();
    this.store.announce(await ipvsStatsEvent(this.store, new Date()));
  }

  /** Moves the kernel's counters on, as IPVS would between two `ipvs.stats` (read just before each). */
  private countTraffic(): void {
    const round = this.flips;
    for (const [i, m] of this.members.entries()) {
      const alive = this.health.get(m.id)?.alive ?? true;
      const rate = alive ? (i % 7) + 1 : 0;
      const service = this.kernel.get(m.service) ?? new Map<string, KernelDestination>();
      this.kernel.set(m.service, service);
      const before = service.get(m.destination)?.stats;
      const connections = (before?.connections ?? 0) + rate * 2;
      service.set(m.destination, {
        weight: alive ? m.rs.weight : 0,
        activeConns: alive ? (i + round) % 13 : 0,
        inactiveConns: alive ? (i + round) % 5 : 0,
        persistConns: 0,
        stats: {
          connections,
          packetsIn: connections * 10,
          packetsOut: connections * 8,
          bytesIn: connections * 1200,
          bytesOut: connections * 9000,
          connectionRate: rate,
          packetRateIn: rate * 10,
          packetRateOut: rate * 8,
          byteRateIn: rate * 1200,
          byteRateOut: rate * 9000,
        },
      });
    }
    this.store.ipvsObserved({ available: true, ownedServices: this.kernel.size, kernel: this.kernel });
  }

  /** VI_1 master here, VI_2 backup to a peer; adverts counted at one a second since the start. */
  private instances(now: number): InstanceStatus[] {
    const adverts = Math.floor((now - this.startedAt) / 1000);
    const machine = {
      masterAdvertIntervalCs: 100,
      skewTimeMs: 0,
      masterDownIntervalMs: 3000,
      operator: 'none',
      handingOff: false,
      waitingForSyncGroup: false,
    } as const;
    const since = new Date(this.startedAt);
    return [
      {
        ...machine,
        name: 'VI_1',
        sourceAddress: '198.51.100.11',
        state: 'MASTER',
        priority: 150,
        effectivePriority: 150,
        masterAddress: '198.51.100.11',
        masterPriority: 150,
        lastTransition: { instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'bench: start', at: since },
        counters: { ...emptyCounters(), advertsSent: adverts, becameMaster: 1 },
      },
      {
        ...machine,
        name: 'VI_2',
        sourceAddress: '198.51.100.11',
        state: 'BACKUP',
        priority: 100,
        effectivePriority: 100,
        masterAddress: '198.51.100.12',
        masterPriority: 200,
        lastTransition: { instance: 'VI_2', from: 'INIT', to: 'BACKUP', reason: 'bench: start', at: since },
        counters: { ...emptyCounters(), advertsReceived: adverts },
      },
    ];
  }
}
