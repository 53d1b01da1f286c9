// Routes and rules in the kernel over rtnetlink, owning exactly what it adds, as keepalived
// does: a route or rule the kernel refuses because it is already there (EEXIST) is not ours and
// is never removed; one we added is removed by its own protocol (keepalived's 18), so that an
// identical route someone else added beside it stays. What it owns goes into a ledger that
// outlives the process, so that a restart after a crash removes what a dead vigild left behind.
import { PROTOCOL_KEEPALIVED, type Route, type Rule } from '../config/index.js';
import type { IndexOf } from './route-codec.js';

/** The kernel side: Rtnetlink, or a fake in tests. */
export interface RouteKernel {
  addRoute(route: Route, indexOf: IndexOf): Promise<void>;
  removeRoute(route: Route, indexOf: IndexOf): Promise<void>;
  addRule(rule: Rule): Promise<void>;
  removeRule(rule: Rule): Promise<void>;
}

/** The same route or rule, wherever it was written. */
export const sameEntry = (a: Route | Rule, b: Route | Rule): boolean => keyOf(a) === keyOf(b);
const keyOf = (entry: Route | Rule): string => JSON.stringify({ ...entry, pos: undefined });

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** Routes and rules vigild added and has not removed, by kind. */
export interface OwnedEntries {
  routes: Route[];
  rules: Rule[];
}
export type EntryKind = keyof OwnedEntries;

/** Where owned routes and rules are written down: the state dir, or memory in tests. */
export interface RouteLedger {
  owned(): OwnedEntries;
  record(kind: EntryKind, entry: Route | Rule): void;
  forget(kind: EntryKind, entry: Route | Rule): void;
}

/**
 * Removes every route and rule the ledger says a previous run added and did not remove (it was
 * killed): at start no instance is master yet, and the static ones are added again after.
 * An entry already gone, or on an interface that is gone, is only forgotten. Returns those removed.
 */
export async function reclaimLeftoverRoutes(
  kernel: RouteKernel,
  ledger: RouteLedger,
  indexOf: IndexOf,
): Promise<OwnedEntries> {
  const removed: OwnedEntries = { routes: [], rules: [] };
  const { routes, rules } = ledger.owned();
  const reclaim = async (kind: EntryKind, entry: Route | Rule, remove: () => Promise<void>, gone: string) => {
    try {
      await remove();
      (removed[kind] as (Route | Rule)[]).push(entry);
    } catch (err) {
      if (errorCode(err) !== gone && !(err instanceof UnknownInterface)) throw err;
    }
    ledger.forget(kind, entry);
  };
  for (const rule of rules) await reclaim('rules', rule, () => kernel.removeRule(rule), 'ENOENT');
  for (const route of routes)
    await reclaim('routes', route, () => kernel.removeRoute(route, knownIndexOf(indexOf)), 'ESRCH');
  return removed;
}

/** An interface a route names is not there (any more). */
class UnknownInterface extends Error {}

const knownIndexOf =
  (indexOf: IndexOf): IndexOf =>
  (ifname) => {
    try {
      return indexOf(ifname);
    } catch (err) {
      throw new UnknownInterface((err as Error).message);
    }
  };

/**
 * Removes the rules of `rules` that carry keepalived's protocol, as keepalived does when it
 * starts: they are left over from a run that was killed (vigild's or keepalived's), since no
 * one else marks rules so. Rules without it are never touched. Returns those it removed.
 */
export async function sweepLeftoverRules(kernel: RouteKernel, rules: readonly Rule[]): Promise<Rule[]> {
  const removed: Rule[] = [];
  for (const rule of rules.filter((r) => r.protocol === PROTOCOL_KEEPALIVED)) {
    try {
      await kernel.removeRule(rule);
      removed.push(rule);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
  }
  return removed;
}

/**
 * One owner's routes and rules (a VRRP instance's, or the static ones). Changes run one after
 * another; a failure of one entry does not stop the others, and all are reported together.
 */
export class OwnedRoutes {
  #routes: Route[] = [];
  #rules: Rule[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kernel: RouteKernel,
    private readonly indexOf: IndexOf,
    private readonly ledger: RouteLedger,
  ) {}

  /** Routes first (a rule may send traffic to their table), as keepalived adds them. */
  add(routes: readonly Route[], rules: readonly Rule[]): Promise<void> {
    return this.#serial(async (failures) => {
      for (const route of routes) {
        if (this.#routes.some((r) => sameEntry(r, route))) continue;
        if (await this.#try(failures, () => this.kernel.addRoute(route, this.indexOf))) {
          this.#routes.push(route);
          this.ledger.record('routes', route);
        }
      }
      for (const rule of rules) {
        if (this.#rules.some((r) => sameEntry(r, rule))) continue;
        if (await this.#try(failures, () => this.kernel.addRule(rule))) {
          this.#rules.push(rule);
          this.ledger.record('rules', rule);
        }
      }
    });
  }

  /** Removes those of `routes` and `rules` that it added (rules first); others are left alone. */
  remove(routes: readonly Route[], rules: readonly Rule[]): Promise<void> {
    return this.#serial(async (failures) => {
      for (const rule of this.#rules.filter((r) => rules.some((x) => sameEntry(x, r)))) {
        this.#rules = this.#rules.filter((r) => r !== rule);
        if (await this.#try(failures, () => this.kernel.removeRule(rule), 'ENOENT', true))
          this.ledger.forget('rules', rule);
      }
      for (const route of this.#routes.filter((r) => routes.some((x) => sameEntry(x, r)))) {
        this.#routes = this.#routes.filter((r) => r !== route);
        if (await this.#try(failures, () => this.kernel.removeRoute(route, this.indexOf), 'ESRCH', true))
          this.ledger.forget('routes', route);
      }
    });
  }

  /**
   * Puts back an entry of its own that someone deleted (keepalived's reinstate of a static
   * route or rule); one it does not own is left alone. Returns whether it was its own.
   */
  restore(kind: EntryKind, entry: Route | Rule): Promise<boolean> {
    const owned = kind === 'routes' ? this.#routes : this.#rules;
    if (!owned.some((e) => sameEntry(e, entry))) return Promise.resolve(false);
    // Gone from the kernel, so no longer held: adding it again makes it ours again.
    if (kind === 'routes') this.#routes = this.#routes.filter((e) => !sameEntry(e, entry));
    else this.#rules = this.#rules.filter((e) => !sameEntry(e, entry));
    const again = kind === 'routes' ? this.add([entry as Route], []) : this.add([], [entry as Rule]);
    return again.then(() => true);
  }

  /** Removes everything it added. */
  clear(): Promise<void> {
    return this.remove(this.#routes, this.#rules);
  }

  /** What it added and has not removed. */
  owned(): { routes: Route[]; rules: Rule[] } {
    return { routes: [...this.#routes], rules: [...this.#rules] };
  }

  /**
   * Whether the change took; `gone` is the code of an entry already absent, which a remove
   * counts as done when `goneIsDone` (the ledger can forget it).
   */
  async #try(failures: Error[], change: () => Promise<void>, gone?: string, goneIsDone = false): Promise<boolean> {
    try {
      await change();
      return true;
    } catch (err) {
      const code = errorCode(err);
      // Already there, not by our hand (add), or already gone (remove): nothing of ours to keep.
      if (code !== 'EEXIST' && code !== gone) failures.push(err as Error);
      return goneIsDone && code === gone;
    }
  }

  #serial(change: (failures: Error[]) => Promise<void>): Promise<void> {
    const result = this.#queue.then(async () => {
      const failures: Error[] = [];
      await change(failures);
      if (failures.length > 0) throw new Error(failures.map((f) => f.message).join('; '));
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
