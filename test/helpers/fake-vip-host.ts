// A kernel's address table and a VIP ledger in memory, for VipAddresses and what drives it: what
// is on the interfaces, and every add and remove asked for.
import assert from 'node:assert/strict';
import type { VrrpInstance } from '../../src/config/index.js';
import type { AddressSpec, Rtnetlink } from '../../src/net/rtnetlink.js';
import { type AddressLedger, type OwnedAddress, sameAddress, VipAddresses } from '../../src/net/vip-addresses.js';
import { instanceOn } from './vrrp-instance.js';

const keyOf = (spec: AddressSpec) => `${spec.ifindex} ${spec.address}/${spec.prefix}`;

export class FakeHost {
  /** What is on the interfaces, as "ifindex address/prefix". */
  readonly onInterfaces = new Set<string>();
  /** Every change asked of the kernel, in order: "add …" / "remove …". */
  readonly requests: string[] = [];
  /** What each add asked for, whole. */
  readonly added: AddressSpec[] = [];
  readonly owned: OwnedAddress[] = [];

  readonly rtnl = {
    addAddress: async (spec: AddressSpec) => {
      this.requests.push(`add ${keyOf(spec)}`);
      this.added.push(spec);
      if (this.onInterfaces.has(keyOf(spec))) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      this.onInterfaces.add(keyOf(spec));
    },
    removeAddress: async (spec: AddressSpec) => {
      this.requests.push(`remove ${keyOf(spec)}`);
      if (!this.onInterfaces.delete(keyOf(spec)))
        throw Object.assign(new Error('not there'), { code: 'EADDRNOTAVAIL' });
    },
  } as unknown as Rtnetlink;

  readonly ledger: AddressLedger = {
    owned: () => [...this.owned],
    record: (entry) => {
      if (!this.owned.some((o) => sameAddress(o, entry))) this.owned.push(entry);
    },
    forget: (entry) => {
      const i = this.owned.findIndex((o) => sameAddress(o, entry));
      if (i >= 0) this.owned.splice(i, 1);
    },
  };

  /** An instance's VipAddresses on `lo` (index 1 in every namespace: interfaceIndex resolves it for real). */
  addresses(): VipAddresses {
    return new VipAddresses(this.rtnl, 'lo', this.ledger);
  }

  /** Someone else deletes an address, as `ip addr del` would. */
  deleteByHand(address: string, prefix: number, ifindex = 1): void {
    assert.ok(this.onInterfaces.delete(`${ifindex} ${address}/${prefix}`), `${address}/${prefix} was not there`);
  }
}

/** VI_1 on lo: 198.51.100.200/24, and 2001:db8::200/64 as an excluded VIP. */
export const loInstance = (extra = ''): VrrpInstance => instanceOn('lo', extra);
