// vigild's IPVS sync daemons over a fake kernel: which it starts and stops as the followed
// instance changes state, on reload and at stop, and what it does with daemons it finds running.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { SyncDaemonService } from '../../../src/daemon/sync-daemon-service.js';
import type { SyncDaemon, SyncRole, SyncSettings } from '../../../src/ipvs/sync-daemon.js';

const configWith = (line: string) => {
  const text = `global_defs {\n  ${line}\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n`;
  const { config } = parseConfigText(text, 'k.conf', { reader: createMemoryReader({}) });
  assert.ok(config);
  return config;
};

class FakeKernel {
  running: SyncDaemon[] = [];
  readonly calls: string[] = [];
  async syncDaemons() {
    return [...this.running];
  }
  async startSyncDaemon(role: SyncRole, settings: SyncSettings) {
    if (this.running.some((d) => d.role === role)) throw new Error('EEXIST');
    this.calls.push(`start ${role} ${settings.interface} ${settings.syncId}`);
    this.running.push({ role, ...settings });
  }
  async stopSyncDaemon(daemon: SyncDaemon) {
    this.calls.push(`stop ${daemon.role} ${daemon.syncId}`);
    this.running = this.running.filter((d) => d.role !== daemon.role);
  }
  close() {
    this.calls.push('close');
  }
}

const setup = () => {
  const kernel = new FakeKernel();
  const service = new SyncDaemonService(async () => kernel, pino({ level: 'silent' }));
  return { kernel, service };
};

describe('the IPVS sync daemons of vigild', () => {
  test('following VI_1: backup while it is not MASTER, master while it is, stopping the other role first', async () => {
    const { kernel, service } = setup();
    await service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => false);
    assert.deepEqual(kernel.calls, ['start backup eth0 51']);
    await service.transition('VI_1', 'MASTER');
    await service.transition('VI_2', 'BACKUP');
    assert.deepEqual(kernel.calls.slice(1), ['stop backup 51', 'start master eth0 51']);
    await service.transition('VI_1', 'FAULT');
    assert.deepEqual(kernel.calls.slice(3), ['stop master 51', 'start backup eth0 51']);
    await service.stop();
    assert.deepEqual(kernel.calls.slice(5), ['stop backup 51', 'close']);
  });

  test("vigild's stop: the master's way down to INIT starts no backup daemon; the stop stops the master one", async () => {
    const { kernel, service } = setup();
    await service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => true);
    await service.transition('VI_1', 'INIT');
    await service.stop();
    assert.deepEqual(kernel.calls, ['start master eth0 51', 'stop master 51', 'close']);
  });

  test('following no instance: both daemons, with sync id 0', async () => {
    const { kernel, service } = setup();
    await service.apply(configWith('lvs_sync_daemon eth0'), () => false);
    assert.deepEqual(kernel.calls, ['start master eth0 0', 'start backup eth0 0']);
  });

  test("what a killed vigild left: its wanted daemon is kept as it is, the unwanted one stopped; someone else's of the other role is left", async () => {
    const { kernel, service } = setup();
    kernel.running = [{ role: 'master', interface: 'eth0', syncId: 51, port: 8848 }];
    await service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => true);
    assert.deepEqual(kernel.calls, []);
    const other = setup();
    other.kernel.running = [{ role: 'master', interface: 'eth0', syncId: 51 }];
    await other.service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => false);
    assert.deepEqual(other.kernel.calls, ['stop master 51', 'start backup eth0 51']);
    const foreign = setup();
    foreign.kernel.running = [{ role: 'master', interface: 'eth9', syncId: 3 }];
    await foreign.service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => false);
    assert.deepEqual(foreign.kernel.calls, ['start backup eth0 51']);
  });

  test('a reload that changes the settings restarts the daemon with the new ones; one that drops lvs_sync_daemon stops it', async () => {
    const { kernel, service } = setup();
    await service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => false);
    await service.apply(configWith('lvs_sync_daemon eth0 inst VI_1 id 9'), () => false);
    assert.deepEqual(kernel.calls, ['start backup eth0 51', 'stop backup 51', 'start backup eth0 9']);
    await service.apply(configWith('router_id x'), () => false);
    assert.deepEqual(kernel.calls.slice(3), ['stop backup 9']);
  });

  test('IPVS missing: nothing runs, and nothing throws', async () => {
    let opened = 0;
    const service = new SyncDaemonService(
      async () => {
        opened++;
        throw new Error('IPVS is not available in this kernel (modprobe ip_vs?)');
      },
      pino({ level: 'silent' }),
    );
    await service.apply(configWith('lvs_sync_daemon eth0 inst VI_1'), () => false);
    await service.transition('VI_1', 'MASTER');
    await service.stop();
    assert.equal(opened, 1, 'tried once');
  });
});
