// VIPs on interfaces over rtnetlink, owning exactly what it adds: an address that was already
// there (configured by hand, or by something else) is never removed by vigil. While master, an
// instance holds its VIPs: one that someone deletes is put back. What it owns is
// written to a ledger that outlives the process, so a restart after a crash can take back the
// VIPs a dead vigild left behind.
import type { Vip } from '../config/index.js';
import { interfaceIndex } from './native.js';
import type { AddressSpec, Rtnetlink } from './rtnetlink.js';

/** One VIP as vigil added it. */
export interface OwnedAddress {
  ifname: string;
  address: string;
  prefix: number;
}

/** Where owned addresses are remembered across restarts (the daemon keeps it in its state dir). */
export interface AddressLedger {
  owned(): OwnedAddress[];
  record(entry: OwnedAddress): void;
  forget(entry: OwnedAddress): void;
}

export const sameAddress = (a: OwnedAddress, b: OwnedAddress) =>
  a.ifname === b.ifname && a.address === b.address && a.prefix === b.prefix;

/** An address as rtnetlink names it in an event: where, what, and how long a prefix. */
export interface AddressKey {
  ifindex: number;
  address: string;
  prefix: number;
}

/** A VIP on its interface while its instance is master, whether vigil added it or found it there. */
export interface HeldAddress {
  vip: Vip;
  spec: AddressSpec;
  entry: OwnedAddress;
}

export const sameKey = (a: AddressKey, b: AddressKey) =>
  a.ifindex === b.ifindex && a.address === b.address && a.prefix === b.prefix;

/**
 * One instance's VIPs. It holds them from `add` (on becoming master) to `remove` (on leaving
 * master), and while it holds one it puts it back when someone else deletes it (`restore`).
 * Changes run one after another, so a restore never lands between a remove and its cleanup.
 */
export class VipAddresses {
  #held: HeldAddress[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly rtnl: Rtnetlink,
    /** The instance's interface: where a VIP without `dev` goes. */
    private readonly ifname: string,
    private readonly ledger: AddressLedger,
  ) {}

  add(vips: readonly Vip[]): Promise<void> {
    return this.#serial(async () => {
      for (const vip of vips) {
        const entry = this.entryOf(vip);
        const spec = this.specOf(vip, entry);
        await this.#put(spec, entry);
        this.#held = [...this.#held.filter((h) => !sameAddress(h.entry, entry)), { vip, spec, entry }];
      }
    });
  }

  remove(vips: readonly Vip[]): Promise<void> {
    return this.#serial(async () => {
      const owned = this.ledger.owned();
      for (const vip of vips) {
        const entry = this.entryOf(vip);
        this.#held = this.#held.filter((h) => !sameAddress(h.entry, entry));
        if (!owned.some((o) => sameAddress(o, entry))) continue;
        await removeOwned(this.rtnl, entry, this.specOf(vip, entry));
        this.ledger.forget(entry);
      }
    });
  }

  /** Stops holding VIPs without removing them: another instance holds them now (and guards them). */
  release(vips: readonly Vip[]): Promise<void> {
    return this.#serial(async () => {
      for (const vip of vips) {
        const entry = this.entryOf(vip);
        this.#held = this.#held.filter((h) => !sameAddress(h.entry, entry));
      }
    });
  }

  /** The held VIP that `key` names: one this instance must keep on its interface while master. */
  holds(key: AddressKey): HeldAddress | undefined {
    return this.#held.find((h) => sameKey(h.spec, key));
  }

  /** The held VIPs that are not among `present` (after lost notifications, say). */
  missingFrom(present: readonly AddressKey[]): HeldAddress[] {
    return this.#held.filter((h) => !present.some((p) => sameKey(p, h.spec)));
  }

  /**
   * Puts back a held VIP that someone deleted; resolves with it, or with undefined when `key` is
   * not held (any more: the instance left master meanwhile). vigil owns it from then on, even if
   * it had found it there by hand: it added what is on the interface now.
   */
  restore(key: AddressKey): Promise<HeldAddress | undefined> {
    return this.#serial(async () => {
      const held = this.holds(key);
      if (held) await this.#put(held.spec, held.entry);
      return held;
    });
  }

  /** Adds an address and records it as owned; one already there (not by our hand) is left as it is. */
  async #put(spec: AddressSpec, entry: OwnedAddress): Promise<void> {
    try {
      await this.rtnl.addAddress(spec);
      this.ledger.record(entry);
    } catch (err) {
      // Already there and not by our hand: it works as a VIP, but it is not ours to remove.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  #serial<T>(change: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(change);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  private entryOf(vip: Vip): OwnedAddress {
    return { ifname: vip.dev ?? this.ifname, address: vip.address, prefix: vip.prefix };
  }

  private specOf(vip: Vip, entry: OwnedAddress): AddressSpec {
    return {
      ifindex: interfaceIndex(entry.ifname),
      address: vip.address,
      prefix: vip.prefix,
      label: vip.label,
      scope: vip.scope,
      broadcast: vip.brd,
      preferredLifetime: vip.preferredLifetime,
    };
  }
}

/**
 * Removes every address the ledger says a previous run added and did not remove (it crashed or
 * was killed): at start no instance is master yet, so none of them should be on an interface.
 * Returns what it removed.
 */
export async function reclaimLeftovers(rtnl: Rtnetlink, ledger: AddressLedger): Promise<OwnedAddress[]> {
  const removed: OwnedAddress[] = [];
  for (const entry of ledger.owned()) {
    let ifindex: number;
    try {
      ifindex = interfaceIndex(entry.ifname);
    } catch {
      ledger.forget(entry); // the interface is gone, and the address with it
      continue;
    }
    if (await removeOwned(rtnl, entry, { ifindex, address: entry.address, prefix: entry.prefix })) removed.push(entry);
    ledger.forget(entry);
  }
  return removed;
}

/** Removes an address; one that is already gone is fine. Returns whether it was there. */
async function removeOwned(rtnl: Rtnetlink, entry: OwnedAddress, spec: AddressSpec): Promise<boolean> {
  try {
    await rtnl.removeAddress(spec);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') return false;
    throw new Error(
      `could not remove ${entry.address}/${entry.prefix} from ${entry.ifname}: ${(err as Error).message}`,
    );
  }
}
