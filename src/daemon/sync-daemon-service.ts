// lvs_sync_daemon inside vigild: IPVS's connection sync daemons started and stopped as
// keepalived 2.2.7 does. Following a VRRP instance, the master daemon runs while it is MASTER and
// the backup daemon otherwise; without one, both run while vigild does. Each change settles the
// kernel against what is wanted: a daemon running with these settings (or the previous config's)
// is vigild's own, one left by a killed vigild too, and is kept if its role is wanted and stopped
// if not; a daemon of other settings is replaced only where its role is wanted. Failures are
// logged, never fatal: VRRP runs on without them.
import type { Config, LvsSyncDaemon } from '../config/index.js';
import { runsAs, type SyncDaemon, type SyncRole, type SyncSettings, wantedRoles } from '../ipvs/sync-daemon.js';
import type { Logger } from './logger.js';

/** The kernel side: src/ipvs/client.ts's IpvsClient, or a fake in tests. */
export interface SyncDaemonKernel {
  syncDaemons(): Promise<SyncDaemon[]>;
  startSyncDaemon(role: SyncRole, settings: SyncSettings): Promise<void>;
  stopSyncDaemon(daemon: SyncDaemon): Promise<void>;
  close(): void;
}

const settingsOf = ({ interface: ifname, syncId, maxlen, port, ttl, group }: LvsSyncDaemon): SyncSettings => ({
  interface: ifname,
  syncId: syncId ?? 0,
  ...(maxlen !== undefined && { maxlen }),
  ...(port !== undefined && { port }),
  ...(ttl !== undefined && { ttl }),
  ...(group !== undefined && { group }),
});

export class SyncDaemonService {
  private kernel: SyncDaemonKernel | undefined;
  private unavailable = false;
  private settings: SyncSettings | undefined;
  /** What the config before a reload asked for: its daemons are vigild's to stop too. */
  private previous: SyncSettings | undefined;
  private following: string | undefined;
  private master = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly open: () => Promise<SyncDaemonKernel>,
    private readonly log: Logger,
  ) {}

  /** At start and on each reload: `isMaster` says whether the instance to follow is MASTER now. */
  apply(config: Config, isMaster: (instance: string) => boolean): Promise<void> {
    const wanted = config.global.lvsSyncDaemon;
    if (this.settings) this.previous = this.settings;
    this.settings = wanted && settingsOf(wanted);
    this.following = wanted?.instance;
    this.master = this.following !== undefined && isMaster(this.following);
    return this.settle();
  }

  /**
   * A VRRP transition: the followed instance's becoming or leaving MASTER moves the daemons. To
   * INIT it is stopping (vigild's stop, or a reload that removes it), and stop() or apply() follow:
   * starting the backup daemon only to stop it again at once is no use, and the kernel can hang
   * stopping a daemon it has just started.
   */
  transition(instance: string, to: string): Promise<void> {
    if (instance !== this.following || to === 'INIT' || (to === 'MASTER') === this.master) return this.queue;
    this.master = to === 'MASTER';
    return this.settle();
  }

  /** At vigild's stop: its daemons stop, as keepalived stops them. */
  async stop(): Promise<void> {
    this.previous = this.settings;
    this.settings = undefined;
    await this.settle();
    this.kernel?.close();
    this.kernel = undefined;
  }

  private settle(): Promise<void> {
    const wanted = this.settings ? wantedRoles(this.following !== undefined, this.master) : [];
    const [settings, previous] = [this.settings, this.previous];
    this.queue = this.queue.then(() => this.settleNow(wanted, settings, previous));
    return this.queue;
  }

  private async settleNow(wanted: SyncRole[], settings?: SyncSettings, previous?: SyncSettings): Promise<void> {
    if (!settings && !previous) return;
    const kernel = await this.kernelOrNothing();
    if (!kernel) return;
    try {
      const running = await kernel.syncDaemons();
      const current = (d: SyncDaemon) => settings !== undefined && runsAs(d, settings);
      const ours = (d: SyncDaemon) => current(d) || (previous !== undefined && runsAs(d, previous));
      for (const daemon of running) {
        const keep = wanted.includes(daemon.role) ? current(daemon) : !ours(daemon);
        if (keep) continue;
        if (!ours(daemon))
          this.log.warn({ daemon }, `replacing a ${daemon.role} IPVS sync daemon vigild did not start`);
        await kernel.stopSyncDaemon(daemon);
        this.log.info({ role: daemon.role }, `IPVS sync daemon: ${daemon.role} stopped`);
      }
      for (const role of wanted.filter((r) => !running.some((d) => d.role === r && current(d)))) {
        await kernel.startSyncDaemon(role, settings!);
        this.log.info(
          { role, ...settings },
          `IPVS sync daemon: ${role} started on ${settings!.interface}, sync id ${settings!.syncId}`,
        );
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, `IPVS sync daemon: ${(err as Error).message}`);
    }
  }

  private async kernelOrNothing(): Promise<SyncDaemonKernel | undefined> {
    if (this.kernel || this.unavailable) return this.kernel;
    try {
      this.kernel = await this.open();
    } catch (err) {
      this.unavailable = true;
      this.log.warn(
        { err: (err as Error).message },
        `lvs_sync_daemon: no IPVS sync daemon runs: ${(err as Error).message}`,
      );
    }
    return this.kernel;
  }
}
