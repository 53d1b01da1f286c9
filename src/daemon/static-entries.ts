// static_ipaddress, static_routes and static_rules: set when vigild starts, whatever the VRRP
// state, changed by a reload (what went is removed, what came is added) and removed on stop, as
// keepalived does; one that someone deletes is put back (see also RouteGuard). Only what vigild
// added is ever removed.
import type { Config, Route, Rule } from '../config/index.js';
import { interfaceIndex } from '../net/native.js';
import { type EntryKind, OwnedRoutes, type RouteLedger } from '../net/owned-routes.js';
import type { Rtnetlink } from '../net/rtnetlink.js';
import { type AddressKey, type AddressLedger, VipAddresses } from '../net/vip-addresses.js';
import { sameDefinition } from '../vrrp/reconfiguration.js';
import type { Logger } from './logger.js';

type Statics = Pick<Config, 'staticAddresses' | 'staticRoutes' | 'staticRules'>;

const NONE: Statics = { staticAddresses: [], staticRoutes: [], staticRules: [] };

/** keepalived's default_interface, where a static address without `dev` goes. */
const DEFAULT_INTERFACE = 'eth0';

/** The entries of `a` that `b` does not have. */
function missingFrom(a: Statics, b: Statics): Statics {
  const lacks = <T>(mine: readonly T[], theirs: readonly T[]) =>
    mine.filter((x) => !theirs.some((y) => sameDefinition(x, y)));
  return {
    staticAddresses: lacks(a.staticAddresses, b.staticAddresses),
    staticRoutes: lacks(a.staticRoutes, b.staticRoutes),
    staticRules: lacks(a.staticRules, b.staticRules),
  };
}

export class StaticEntries {
  readonly #addresses: VipAddresses;
  readonly #routes: OwnedRoutes;
  #current: Statics = NONE;

  constructor(
    rtnl: Rtnetlink,
    ledger: AddressLedger,
    routeLedger: RouteLedger,
    private readonly log: Logger,
  ) {
    this.#addresses = new VipAddresses(rtnl, DEFAULT_INTERFACE, ledger);
    this.#routes = new OwnedRoutes(rtnl, interfaceIndex, routeLedger);
  }

  /** Makes the static entries those of `config`: failures are logged, the rest still applies. */
  async apply(config: Statics): Promise<void> {
    const lost = missingFrom(this.#current, config);
    const gained = missingFrom(config, this.#current);
    this.#current = config;
    await this.#change('remove', () => this.#routes.remove(lost.staticRoutes, lost.staticRules));
    await this.#change('remove', () => this.#addresses.remove(lost.staticAddresses));
    await this.#change('add', () => this.#addresses.add(gained.staticAddresses));
    await this.#change('add', () => this.#routes.add(gained.staticRoutes, gained.staticRules));
  }

  /** Puts back a static route or rule of its own that someone deleted; see OwnedRoutes.restore. */
  restore(kind: EntryKind, entry: Route | Rule): Promise<boolean> {
    return this.#routes.restore(kind, entry);
  }

  /**
   * Puts back a static address someone deleted, as keepalived does, unless it is `no_track`.
   * Returns whether it was one of vigild's.
   */
  async restoreAddress(key: AddressKey): Promise<boolean> {
    const held = this.#addresses.holds(key);
    if (!held || held.vip.noTrack) return false;
    return (await this.#addresses.restore(key)) !== undefined;
  }

  /** Removes every static entry vigild added. */
  clear(): Promise<void> {
    return this.apply(NONE);
  }

  async #change(change: 'add' | 'remove', run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, `could not ${change} static addresses, routes or rules`);
    }
  }
}
