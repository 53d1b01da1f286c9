// The VIP drop rules of instances without accept mode (keepalived's vrrp_nftables): each VIP is
// in the table's set while some such instance holds it. The table is made when first needed,
// replacing one a killed run left, and deleted on stop. Only our own table is ever touched.
import type { NftablesSettings, Vip, VrrpInstance } from '../config/index.js';
import type { NftRun } from '../net/nft.js';
import {
  type DropElement,
  dropElement,
  dropTablesScript,
  elementsScript,
  linkLocalSetScript,
  type NftFamily,
  staleTablesScript,
  tableScript,
  type VipSet,
} from '../net/nft-ruleset.js';
import type { AddressPort } from '../vrrp/instance.js';
import type { Logger } from './logger.js';

/** A master that is not the address owner and has no accept mode must not answer for its VIPs. */
export const needsDropRules = (instance: VrrpInstance): boolean => instance.priority !== 255 && !instance.accept;

const keyOf = (e: DropElement) => `${e.family} ${e.set} ${e.key}`;

export class VipFirewall {
  readonly #tables = new Set<NftFamily>();
  readonly #linkLocalSets = new Set<VipSet>();
  /** How many holders each element has: it leaves the set with the last. */
  readonly #holders = new Map<string, number>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: NftablesSettings,
    private readonly run: NftRun,
  ) {}

  /** Removes the tables of our name that a previous run left behind. */
  sweep(): Promise<void> {
    return this.#serial(() => this.run(staleTablesScript(this.settings).join('\n')));
  }

  /** Puts the elements in their sets (making the table and sets they need). */
  drop(elements: readonly DropElement[]): Promise<void> {
    return this.#serial(async () => {
      const fresh = elements.filter((e) => !this.#holders.get(keyOf(e)));
      const lines: string[] = [];
      const tables = new Set(this.#tables);
      const sets = new Set(this.#linkLocalSets);
      for (const e of fresh) {
        if (!tables.has(e.family)) {
          // keepalived clears a left-behind table of either family before making its first one.
          if (this.#tables.size === 0 && tables.size === 0) lines.push(...staleTablesScript(this.settings));
          lines.push(...tableScript(this.settings, e.family));
          tables.add(e.family);
        }
        if (e.set !== 'vips' && !sets.has(e.set)) {
          lines.push(...linkLocalSetScript(this.settings, e.set));
          sets.add(e.set);
        }
      }
      if (fresh.length > 0) await this.run([...lines, ...elementsScript(this.settings, 'add', fresh)].join('\n'));
      for (const family of tables) this.#tables.add(family);
      for (const set of sets) this.#linkLocalSets.add(set);
      for (const e of elements) this.#holders.set(keyOf(e), (this.#holders.get(keyOf(e)) ?? 0) + 1);
    });
  }

  /** Takes the elements out of their sets once nobody holds them. */
  allow(elements: readonly DropElement[]): Promise<void> {
    return this.#serial(async () => {
      const last: DropElement[] = [];
      for (const e of elements) {
        const held = this.#holders.get(keyOf(e)) ?? 0;
        if (held === 0) continue;
        if (held === 1) last.push(e);
        this.#holders.set(keyOf(e), held - 1);
      }
      for (const e of last) this.#holders.delete(keyOf(e));
      if (last.length > 0) await this.run(elementsScript(this.settings, 'delete', last).join('\n'));
    });
  }

  /** Deletes the tables we made. */
  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#tables.size === 0) return;
      const tables = [...this.#tables];
      this.#tables.clear();
      this.#linkLocalSets.clear();
      this.#holders.clear();
      await this.run(dropTablesScript(this.settings, tables).join('\n'));
    });
  }

  /**
   * `inner`, the VIPs of `instance` on `ifname`, with the drop rules set before the VIPs come and
   * lifted after they go, so that no moment answers for them. A failed rule change is logged
   * and the VIPs still move, as keepalived moves them without its firewall.
   */
  guard(inner: AddressPort, ifname: string, instance: VrrpInstance, log: Logger): AddressPort {
    const byName = instance.dontTrackPrimary && !this.settings.ifindex;
    const elements = (vips: readonly Vip[]) => vips.map((vip) => dropElement(vip, ifname, byName));
    const report = (change: string) => (err: Error) =>
      log.error({ instance: instance.name, err: err.message }, `could not ${change} the VIP drop rules`);
    return {
      add: async (vips) => {
        await this.drop(elements(vips)).catch(report('set'));
        await inner.add(vips);
      },
      remove: async (vips) => {
        await inner.remove(vips);
        await this.allow(elements(vips)).catch(report('lift'));
      },
      release: async (vips) => {
        await inner.release?.(vips);
        await this.allow(elements(vips)).catch(report('lift'));
      },
      dispose: () => inner.dispose?.(),
    };
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const done = this.#queue.then(task);
    this.#queue = done.catch(() => undefined);
    return done;
  }
}
