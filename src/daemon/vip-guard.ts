// A master keeps its VIPs: when someone deletes one (`ip addr del`, NetworkManager, another
// tool), rtnetlink says so and the VIP goes back on its interface at once, with a round of
// gratuitous ARP / unsolicited NA, since neighbours may have flushed it. keepalived 2.2.7 instead
// drops the whole instance to BACKUP and takes mastership back after its skew time, removing and
// re-adding every VIP and running the notify scripts on the way; vigild stays master and puts
// back only what went. A tool that keeps deleting meets a growing delay, so the two never spin.
import type { Clock } from '../clock.js';
import type { VrrpInstance as InstanceConfig, Vip } from '../config/index.js';
import type { AddressEvent } from '../net/rtnetlink.js';
import type { AddressKey, HeldAddress, VipAddresses } from '../net/vip-addresses.js';
import { type AddressPort, type AnnounceIntervals, sameVip } from '../vrrp/instance.js';
import { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';

/**
 * How long to wait before putting back a VIP deleted at `now`: at once, unless it was deleted
 * within `streakMs` of the deletion before; then 250 ms, doubling up to 5 s. Pure.
 */
export class RestoreBackoff {
  readonly #streaks = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly firstDelayMs = 250,
    private readonly maxDelayMs = 5000,
    private readonly streakMs = 10_000,
  ) {}

  /** The delay for this deletion, and how many came before it in a row. */
  next(key: string, now: number): { delayMs: number; streak: number } {
    const previous = this.#streaks.get(key);
    const streak = previous && now - previous.last < this.streakMs ? previous.count + 1 : 0;
    this.#streaks.set(key, { count: streak, last: now });
    const delayMs = streak === 0 ? 0 : Math.min(this.firstDelayMs * 2 ** (streak - 1), this.maxDelayMs);
    return { delayMs, streak };
  }
}

export interface VipGuardPorts {
  instances: readonly InstanceConfig[];
  /** The pause between rounds of a burst, by family (vrrp_garp_interval, vrrp_gna_interval). */
  announceIntervals: AnnounceIntervals;
  /** One round of gratuitous ARP / unsolicited NA for `vips` of the instance on `ifname`. */
  announce(ifname: string, vips: readonly Vip[]): void;
  /** use_vmac: the vmac an instance's VIPs are on, when not on its interface. */
  vmacOf?(instance: InstanceConfig): string | undefined;
  clock: Clock;
  log: Logger;
}

const keyText = (key: AddressKey) => `${key.ifindex} ${key.address}/${key.prefix}`;

export class VipGuard {
  readonly #holders: VipAddresses[] = [];
  readonly #backoff = new RestoreBackoff();
  readonly #throttle = new LogThrottle();
  /** Restores waiting out their delay, by keyText. */
  readonly #pending = new Set<string>();
  readonly #timers = new Set<() => void>();

  constructor(private readonly ports: VipGuardPorts) {}

  /**
   * Guards the VIPs of one instance (those it holds at any moment), until the port's `dispose`:
   * a reload retires instances, and a guard that kept them would grow with every reload.
   */
  guard(addresses: VipAddresses): AddressPort {
    this.#holders.push(addresses);
    return {
      add: (vips) => addresses.add(vips),
      remove: (vips) => addresses.remove(vips),
      release: (vips) => addresses.release(vips),
      dispose: () => {
        const at = this.#holders.indexOf(addresses);
        if (at >= 0) this.#holders.splice(at, 1);
      },
    };
  }

  /** An address notification from rtnetlink. */
  onEvent(event: AddressEvent): void {
    if (event.kind === 'removed') this.#deleted(event.address);
    if (event.kind === 'resync')
      for (const holder of this.#holders)
        for (const held of holder.missingFrom(event.addresses)) this.#deleted(held.spec);
  }

  /** Cancels pending restores and announcements. */
  close(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    this.#pending.clear();
  }

  #deleted(key: AddressKey): void {
    // Not held: a backup's VIP, one a master just removed itself, or not a VIP at all.
    const holder = this.#holders.find((h) => h.holds(key));
    const held = holder?.holds(key);
    const id = keyText(key);
    // keepalived's `no_track`: a VIP someone else may take away.
    if (!holder || !held || held.vip.noTrack || this.#pending.has(id)) return;
    const { delayMs, streak } = this.#backoff.next(id, this.ports.clock.now());
    const wait = delayMs > 0 ? ` in ${delayMs} ms (deleted ${streak + 1} times in a row)` : '';
    this.#warn('vip_deleted', held, `was deleted while MASTER; putting it back${wait}`);
    if (delayMs === 0) {
      this.#restore(holder, key);
      return;
    }
    this.#pending.add(id);
    this.#after(delayMs, () => {
      this.#pending.delete(id);
      this.#restore(holder, key);
    });
  }

  #restore(holder: VipAddresses, key: AddressKey): void {
    holder.restore(key).then(
      (held) => {
        if (held) this.#announce(holder, held);
      },
      (err: Error) => {
        const held = holder.holds(key);
        if (held) this.#warn('vip_restore_failed', held, `could not be put back: ${err.message}`);
      },
    );
  }

  /**
   * The instance's own schedule for becoming master, for this VIP alone: garp_master_repeat
   * rounds vrrp_garp_interval (IPv6: vrrp_gna_interval) apart, and as many again after garp_master_delay. A round goes out
   * only while the VIP is still held: one the instance gave up meanwhile must not draw traffic.
   */
  #announce(holder: VipAddresses, held: HeldAddress): void {
    const instance = this.#instanceOf(held.vip);
    if (!instance) return;
    const round = () => {
      if (!holder.holds(held.spec)) return;
      try {
        this.ports.announce(this.ports.vmacOf?.(instance) ?? instance.interface, [held.vip]);
      } catch (err) {
        this.#warn('vip_announce_failed', held, `could not be announced: ${(err as Error).message}`);
      }
    };
    const gapMs = this.ports.announceIntervals[held.vip.family] * 1000;
    const burst = (startMs: number) => {
      for (let i = 0; i < instance.garpMasterRepeat; i++) {
        const at = startMs + i * gapMs;
        if (at === 0) round();
        else this.#after(at, round);
      }
    };
    burst(0);
    if (instance.garpMasterDelay > 0) burst(instance.garpMasterDelay * 1000);
  }

  /** By address, not identity: after a reload the instances are read again, and held VIPs are those of the config before. */
  #instanceOf(vip: Vip): InstanceConfig | undefined {
    return this.ports.instances.find((i) => [...i.vips, ...i.excludedVips].some((v) => sameVip(v, vip)));
  }

  /**
   * Warns about one VIP: the first time for each kind and VIP, then at most once a minute with
   * how many were held back (see LogThrottle). Kinds are per VIP, so only configured VIPs count.
   */
  #warn(kind: string, held: HeldAddress, what: string): void {
    const { entry } = held;
    const { log, suppressed } = this.#throttle.admit(`${kind} ${keyText(held.spec)}`, this.ports.clock.now());
    if (!log) return;
    const instance = this.#instanceOf(held.vip)?.name ?? 'unknown instance';
    const address = `${entry.address}/${entry.prefix}`;
    const more = suppressed > 0 ? ` (and ${suppressed} more like it in the last minute)` : '';
    this.ports.log.warn(
      { instance, interface: entry.ifname, address, ...(suppressed > 0 && { suppressed }) },
      `${instance}: VIP ${address} on ${entry.ifname} ${what}${more}`,
    );
  }

  #after(ms: number, fn: () => void): void {
    const cancel = this.ports.clock.after(ms, () => {
      this.#timers.delete(cancel);
      fn();
    });
    this.#timers.add(cancel);
  }
}
