// What vigild does when someone deletes (`ip route del`, `ip rule del`, another tool) a route or
// rule it added, as keepalived 2.2.7 does: a master whose tracked virtual route or rule goes
// drops to BACKUP and takes mastership back after its skew time, which puts everything back
// and runs the notify scripts on the way; a tracked static one is simply added again. An entry
// with `no_track` (and a route without `dev`, which keepalived cannot track) is left deleted.
import type { Config, Route, Rule, VrrpInstance } from '../config/index.js';
import type { EntryKind } from '../net/owned-routes.js';
import type { IndexOf } from '../net/route-codec.js';
import { type DeletedEntry, isRoute, isRule } from '../net/route-events.js';
import type { RouteEvent } from '../net/rtnetlink.js';
import type { Logger } from './logger.js';

export interface RouteGuardPorts {
  /**
   * The instances as they run now (a reload changes an instance's config before it removes
   * what it lost, so that vigild's own removals are not taken for someone else's), and the
   * static routes and rules.
   */
  entries(): Pick<Config, 'instances' | 'staticRoutes' | 'staticRules'> | undefined;
  /** Whether the instance is MASTER now. */
  isMaster(instance: string): boolean;
  /** Drop the master to BACKUP, to come back after its skew time (the machine's `ownedDeleted`). */
  ownedDeleted(instance: string, what: string): void;
  /** Add a deleted static entry again; false when it was not vigild's. */
  restoreStatic(kind: EntryKind, entry: Route | Rule): Promise<boolean>;
  indexOf: IndexOf;
  log: Logger;
}

const describeRoute = (route: Route) => `virtual route ${route.to.address}/${route.to.prefix} (table ${route.table})`;
const describeRule = (rule: Rule) => `virtual rule ${rule.priority}`;

/** The first entry the deletion is, with whose it is: keepalived looks at the instances first. */
function ownerOf(
  event: DeletedEntry,
  config: Pick<Config, 'instances' | 'staticRoutes' | 'staticRules'>,
  indexOf: IndexOf,
): { instance?: VrrpInstance; kind: EntryKind; entry: Route | Rule } | undefined {
  const sameRoute = (virtual: boolean) => (route: Route) => {
    try {
      return isRoute(event, route, virtual, indexOf);
    } catch {
      return false; // its interface is not there: not this route
    }
  };
  const sameRule = (rule: Rule) => isRule(event, rule);
  for (const instance of config.instances) {
    const route = instance.virtualRoutes.find(sameRoute(true));
    if (route) return { instance, kind: 'routes', entry: route };
    const rule = instance.virtualRules.find(sameRule);
    if (rule) return { instance, kind: 'rules', entry: rule };
  }
  const route = config.staticRoutes.find(sameRoute(false));
  if (route) return { kind: 'routes', entry: route };
  const rule = config.staticRules.find(sameRule);
  return rule ? { kind: 'rules', entry: rule } : undefined;
}

export class RouteGuard {
  constructor(private readonly ports: RouteGuardPorts) {}

  onEvent(event: RouteEvent): void {
    const { log } = this.ports;
    if (event.kind === 'overrun') {
      log.warn('route and rule notifications were lost: a deleted route or rule may go unnoticed');
      return;
    }
    const config = this.ports.entries();
    const owner = config && ownerOf(event, config, this.ports.indexOf);
    if (!owner?.entry.track) return;
    const { instance, kind, entry } = owner;
    if (instance) {
      if (!this.ports.isMaster(instance.name)) return;
      const what = kind === 'routes' ? describeRoute(entry as Route) : describeRule(entry as Rule);
      log.warn(
        { instance: instance.name },
        `${instance.name}: ${what} was deleted while MASTER; going to BACKUP to take it back`,
      );
      this.ports.ownedDeleted(instance.name, what);
      return;
    }
    this.ports.restoreStatic(kind, entry).then(
      (restored) => {
        if (restored) log.warn({ kind }, `a static ${kind === 'routes' ? 'route' : 'rule'} was deleted; put it back`);
      },
      (err: Error) => log.error({ err: err.message }, 'could not put back a deleted static route or rule'),
    );
  }
}
