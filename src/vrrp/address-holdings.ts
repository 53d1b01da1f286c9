// Which instances of the engine hold each VIP now. Two instances may hold one address — during a
// reload that moves it from one to the other, or in a config that gives it to both — and it must
// stay on the interface until the last of them lets go: keepalived deletes it with the first.
import type { Vip } from '../config/index.js';
import type { AddressPort } from './instance.js';

export class AddressHoldings {
  readonly #holders = new Map<string, Set<object>>();

  /** `inner`, the addresses of one instance on `ifname`, made to leave shared addresses in place. */
  port(ifname: string, inner: AddressPort): AddressPort {
    const holder = {};
    const keyOf = (vip: Vip) => `${vip.dev ?? ifname} ${vip.address}/${vip.prefix}`;
    return {
      add: (vips) => {
        for (const vip of vips) this.#holdersOf(keyOf(vip)).add(holder);
        return inner.add(vips);
      },
      remove: async (vips) => {
        const shared: Vip[] = [];
        const own: Vip[] = [];
        for (const vip of vips) {
          const holders = this.#holdersOf(keyOf(vip));
          holders.delete(holder);
          (holders.size > 0 ? shared : own).push(vip);
          if (holders.size === 0) this.#holders.delete(keyOf(vip));
        }
        await inner.remove(own);
        if (shared.length > 0) await inner.release?.(shared);
      },
      dispose: () => inner.dispose?.(),
    };
  }

  #holdersOf(key: string): Set<object> {
    let holders = this.#holders.get(key);
    if (!holders) {
      holders = new Set();
      this.#holders.set(key, holders);
    }
    return holders;
  }
}
