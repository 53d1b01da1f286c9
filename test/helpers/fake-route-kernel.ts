// A kernel of routes and rules for tests: it refuses to add what it has (EEXIST) and to remove
// what it lacks (ESRCH for a route, ENOENT for a rule), as rtnetlink does.
import type { Route, Rule } from '../../src/config/index.js';
import type { RouteKernel } from '../../src/net/owned-routes.js';
import type { IndexOf } from '../../src/net/route-codec.js';

/** The kernel's routes and rules as `ip` would name them, and every request in order. */
export class FakeRouteKernel implements RouteKernel {
  readonly entries = new Set<string>();
  readonly requests: string[] = [];
  #change(verb: 'add' | 'remove', entry: string): Promise<void> {
    this.requests.push(`${verb} ${entry}`);
    const there = this.entries.has(entry);
    if (verb === 'add' && there) return Promise.reject(Object.assign(new Error('exists'), { code: 'EEXIST' }));
    const gone = entry.startsWith('rule ') ? 'ENOENT' : 'ESRCH';
    if (verb === 'remove' && !there) return Promise.reject(Object.assign(new Error('gone'), { code: gone }));
    if (verb === 'add') this.entries.add(entry);
    else this.entries.delete(entry);
    return Promise.resolve();
  }
  /** As rtnetlink's request does, a route's `dev` is looked up first (and may not be there). */
  addRoute = async (r: Route, indexOf: IndexOf) => {
    if (r.dev) indexOf(r.dev);
    return this.#change('add', routeName(r));
  };
  removeRoute = async (r: Route, indexOf: IndexOf) => {
    if (r.dev) indexOf(r.dev);
    return this.#change('remove', routeName(r));
  };
  addRule = (r: Rule) => this.#change('add', ruleName(r));
  removeRule = (r: Rule) => this.#change('remove', ruleName(r));
}
export const routeName = (r: Route) => `${r.to.address}/${r.to.prefix} table ${r.table}`;
export const ruleName = (r: Rule) => `rule ${r.priority} table ${r.table}`;
