// A deleted route or rule as rtnetlink reports it is recognised as the configured one it is,
// on what keepalived 2.2.7 compares, and only routes and rules of keepalived's protocol count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryReader, parseConfigText, type Route, type Rule } from '../../../src/config/index.js';
import { RTM_DELROUTE, RTM_DELRULE, routeRequest, ruleRequest } from '../../../src/net/route-codec.js';
import { decodeDeletedEntry, isRoute, isRule } from '../../../src/net/route-events.js';

const { config } = parseConfigText(
  `static_routes {
  203.0.113.0/26 via 198.51.100.1 dev eth0 table 100
  203.0.113.0/26 via 198.51.100.1 dev eth0 table 101
  203.0.113.0/26 via 198.51.100.1 dev eth0 table 100 metric 7
  2001:db8:1::/64 dev eth0 protocol static no_track
}
static_rules {
  from 198.51.100.7 fwmark 3 table 100 preference 100
  from 198.51.100.7 fwmark 3 table 100 preference 101
  not to 203.0.113.0/24 iif eth0 prohibit preference 100
}
`,
  'mem.conf',
  { reader: createMemoryReader({}) },
);
const routes = config!.staticRoutes;
const rules = config!.staticRules;
const eth0 = () => 3;

/** The kernel reports a deletion in the form the route or rule was added with. */
const deletedRoute = (route: Route) =>
  decodeDeletedEntry({ type: RTM_DELROUTE, flags: 0, seq: 0, pid: 0, payload: routeRequest(route, eth0, 'add') });
const deletedRule = (rule: Rule) =>
  decodeDeletedEntry({ type: RTM_DELRULE, flags: 0, seq: 0, pid: 0, payload: ruleRequest(rule) });

test('a deleted route is the route of the same table, destination, and for a virtual one metric and device', () => {
  const deleted = deletedRoute(routes[0]!)!;
  assert.deepEqual(
    routes.slice(0, 3).map((r) => isRoute(deleted, r, true, eth0)),
    [true, false, false],
  );
  assert.equal(isRoute(deleted, routes[2]!, false, eth0), true, 'a static route is not compared on its metric');
  assert.equal(
    isRoute(deleted, routes[0]!, true, () => 4),
    false,
    'another device',
  );
  assert.equal(deletedRoute(routes[3]!), undefined, 'not of keepalived’s protocol');
});

test('a deleted rule is the rule of the same selectors, preference and action', () => {
  assert.deepEqual(
    rules.map((r) => isRule(deletedRule(rules[0]!)!, r)),
    [true, false, false],
  );
  assert.deepEqual(
    rules.map((r) => isRule(deletedRule(rules[2]!)!, r)),
    [false, false, true],
  );
  assert.equal(isRoute(deletedRule(rules[0]!)!, routes[0]!, false, eth0), false);
});
