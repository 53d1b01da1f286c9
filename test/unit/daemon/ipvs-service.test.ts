// The daemon's IPVS service over an in-memory kernel: ownership across restarts, foreign
// entries, stop, and an unavailable IPVS. (The real kernel is exercised in test/vm.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { pino } from 'pino';
import { parseConfigText } from '../../../src/config/index.js';
import { type IpvsKernelPort, IpvsService } from '../../../src/daemon/ipvs-service.js';
import { StateStore } from '../../../src/daemon/store.js';
import { type IpvsTimeouts, NO_STATS } from '../../../src/ipvs/codec.js';
import type { KernelService } from '../../../src/ipvs/kernel.js';
import { destinationKeyText, type Operation, type ServiceEntry, serviceKeyText } from '../../../src/ipvs/reconcile.js';

class MemoryKernel implements IpvsKernelPort {
  readonly services = new Map<string, ServiceEntry>();
  readonly applied: string[] = [];
  /** Every setTimeouts call, in order. */
  readonly timeouts: Partial<IpvsTimeouts>[] = [];

  async table(): Promise<KernelService[]> {
    const idle = { activeConns: 0, inactiveConns: 0, persistConns: 0, stats: NO_STATS };
    return [...this.services.values()].map((s) => ({
      ...s,
      destinations: [...s.destinations],
      counters: new Map(s.destinations.map((d) => [destinationKeyText(d), idle])),
    }));
  }

  async apply(o: Operation): Promise<void> {
    this.applied.push(o.op);
    switch (o.op) {
      case 'addService':
      case 'editService':
        this.services.set(serviceKeyText(o.key), {
          key: o.key,
          settings: o.settings,
          destinations: this.services.get(serviceKeyText(o.key))?.destinations ?? [],
        });
        return;
      case 'removeService':
        this.services.delete(serviceKeyText(o.key));
        return;
      default: {
        const service = this.services.get(serviceKeyText(o.service))!;
        const others = service.destinations.filter((d) => destinationKeyText(d) !== destinationKeyText(o.destination));
        service.destinations = o.op === 'removeDestination' ? others : [...others, o.destination];
      }
    }
  }

  async setTimeouts(timeouts: Partial<IpvsTimeouts>): Promise<void> {
    this.timeouts.push(timeouts);
  }

  close(): void {}
}

const log = pino({ level: 'silent' });
const config = (weight: number, globals = '') => {
  const { config } = parseConfigText(
    `global_defs {\n${globals}\n}\nvirtual_server 198.51.100.80 80 {\n protocol TCP\n lb_kind DR\n real_server 203.0.113.21 80 {\n  weight ${weight}\n }\n}\n`,
    'k.conf',
  );
  assert.ok(config);
  return config;
};

let stateDir: string;
let store: StateStore;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'vigil-ipvs-'));
  store = new StateStore('k.conf', config(1), ['k.conf'], [], new Date());
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

test('programs the table, adopts it after a restart without touching it, and removes it on stop', async () => {
  const kernel = new MemoryKernel();
  await IpvsService.start(config(1), { stateDir, log, openKernel: async () => kernel, store });
  assert.deepEqual(kernel.applied, ['addService', 'addDestination']);

  // A restart (kill -9 and start again) finds the table in place: nothing to do.
  kernel.applied.length = 0;
  const events: string[][] = [];
  store.subscribe((e) => e.type === 'ipvs.reconciled' && events.push(e.operations));
  const second = await IpvsService.start(config(1), { stateDir, log, openKernel: async () => kernel, store });
  assert.deepEqual(kernel.applied, []);
  assert.equal(store.ipvs.ownedServices, 1);

  await second.apply(config(5));
  assert.deepEqual(kernel.applied, ['editDestination']);
  // The event stream says exactly what changed; adopting the table said nothing.
  assert.deepEqual(events, [['editDestination 203.0.113.21:80 in tcp:198.51.100.80:80']]);

  await second.stop(false);
  assert.equal(kernel.services.size, 0);
});

test("a service added by hand survives everything vigild does; --keep-ipvs leaves vigild's own too", async () => {
  const kernel = new MemoryKernel();
  const foreign: ServiceEntry = {
    key: { kind: 'addr', family: 4, protocol: 'udp', address: '198.51.100.53', port: 53 },
    settings: {
      scheduler: 'rr',
      persistenceTimeout: 0,
      persistencePrefix: 32,
      onePacket: false,
      schedulerFlag1: false,
      schedulerFlag2: false,
    },
    destinations: [],
  };
  kernel.services.set(serviceKeyText(foreign.key), foreign);
  const service = await IpvsService.start(config(1), { stateDir, log, openKernel: async () => kernel, store });
  await service.stop(true);
  assert.equal(kernel.services.size, 2);
  const again = await IpvsService.start(config(1), { stateDir, log, openKernel: async () => kernel, store });
  await again.stop(false);
  assert.deepEqual([...kernel.services.keys()], ['udp:198.51.100.53:53']);
});

test('an IPVS that cannot be opened is reported, not fatal', async () => {
  const service = await IpvsService.start(config(1), {
    stateDir,
    log,
    openKernel: async () => {
      throw new Error('IPVS is not available in this kernel (modprobe ip_vs?)');
    },
    store,
  });
  await service.observe();
  assert.equal(store.ipvs.available, false);
  assert.match(store.ipvs.error ?? '', /modprobe ip_vs/);
});

test('reading the kernel for status waits for the reconcile under way, and many readers at once cost one read', async () => {
  const kernel = new MemoryKernel();
  const service = await IpvsService.start(config(1), { stateDir, log, openKernel: async () => kernel, store });
  let reads = 0;
  const table = kernel.table.bind(kernel);
  kernel.table = () => {
    reads++;
    return table();
  };
  const weightInStore = () => store.ipvs.kernel.get('tcp:198.51.100.80:80')?.get('203.0.113.21:80')?.weight;

  const reconcile = service.apply(config(5));
  await Promise.all([service.observe(), service.observe(), service.observe()]);
  assert.equal(weightInStore(), 5, 'the table after the change, not halfway through it');
  await reconcile;
  assert.equal(reads, 2 + 1, 'the reconcile reads before and after; the three readers share one read');
});

test('lvs_timeouts are set in the kernel at start, and again only when a reload changes them', async () => {
  const kernel = new MemoryKernel();
  const service = await IpvsService.start(config(1, 'lvs_timeouts tcp 7200 udp 60'), {
    stateDir,
    log,
    openKernel: async () => kernel,
    store,
  });
  assert.deepEqual(kernel.timeouts, [{ tcp: 7200, udp: 60 }]);
  await service.apply(config(2, 'lvs_timeouts tcp 7200 udp 60'));
  assert.equal(kernel.timeouts.length, 1, 'unchanged: not set again');
  await service.apply(config(2, 'lvs_timeouts tcpfin 30'));
  assert.deepEqual(kernel.timeouts.at(-1), { tcpFin: 30 });
  await service.apply(config(2));
  assert.equal(kernel.timeouts.length, 2, 'without lvs_timeouts the kernel keeps what it has, as in keepalived');
});
