// VIPs on interfaces over rtnetlink, owning exactly what it adds: an address that was already
// there (configured by hand, or by something else) is never removed by vigil. What it owns is
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

export class VipAddresses {
  constructor(
    private readonly rtnl: Rtnetlink,
    /** The instance's interface: where a VIP without `dev` goes. */
    private readonly ifname: string,
    private readonly ledger: AddressLedger,
  ) {}

  async add(vips: readonly Vip[]): Promise<void> {
    for (const vip of vips) {
      const entry = this.entryOf(vip);
      try {
        await this.rtnl.addAddress(this.specOf(vip, entry));
        this.ledger.record(entry);
      } catch (err) {
        // Already there and not by our hand: it works as a VIP, but it is not ours to remove.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  async remove(vips: readonly Vip[]): Promise<void> {
    const owned = this.ledger.owned();
    for (const vip of vips) {
      const entry = this.entryOf(vip);
      if (!owned.some((o) => sameAddress(o, entry))) continue;
      await removeOwned(this.rtnl, entry, this.specOf(vip, entry));
      this.ledger.forget(entry);
    }
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
