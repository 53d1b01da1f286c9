// virtual_routes and virtual_rules over fake ports: a master adds them after its VIPs, a reload
// changes only the entries that changed, a stop removes what it added, and an entry the kernel
// already had (EEXIST: not ours) is never removed.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { type Config, parseConfigText } from '../../../src/config/index.js';
import { FileRouteLedger } from '../../../src/daemon/route-ledger.js';
import { OwnedRoutes } from '../../../src/net/owned-routes.js';
import { VrrpEngine } from '../../../src/vrrp/engine.js';
import type { Transition } from '../../../src/vrrp/instance.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeRouteKernel } from '../../helpers/fake-route-kernel.js';

const config = (routes: string[], rules: string[]): Config => {
  const text = `vrrp_instance VI_1 {
  interface lo
  virtual_router_id 1
  virtual_ipaddress {
    198.51.100.200/24
  }
  virtual_routes {
    ${routes.join('\n    ')}
  }
  virtual_rules {
    ${rules.join('\n    ')}
  }
}
`;
  const { config, diagnostics } = parseConfigText(text, 'k.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

function harness(first: Config, kernel: FakeRouteKernel) {
  const clock = new FakeClock();
  const order: string[] = [];
  const transitions: Transition[] = [];
  const engine = new VrrpEngine(first, {
    openSocket: () => ({ send: () => undefined, close: () => undefined }),
    primaryAddress: () => '198.51.100.11',
    addresses: () => ({
      add: async (vips) => void order.push(...vips.map((v) => `vip ${v.address}`)),
      remove: async (vips) => void order.push(...vips.map((v) => `unvip ${v.address}`)),
    }),
    routes: () => {
      const ledger = new FileRouteLedger(mkdtempSync(path.join(tmpdir(), 'vigil-routes-')));
      const owned = new OwnedRoutes(kernel, () => 1, ledger);
      return {
        add: (routes, rules) => {
          order.push('routes');
          return owned.add(routes, rules);
        },
        remove: (routes, rules) => {
          order.push('unroutes');
          return owned.remove(routes, rules);
        },
      };
    },
    announcer: () => ({ announce: () => undefined }),
    clock,
    observer: { transition: (t) => transitions.push(t), problem: (_i, _k, m) => assert.fail(m) },
  });
  engine.start();
  clock.advance(4000); // no peer: master after Master_Down_Interval
  return { engine, clock, order, transitions };
}

describe('virtual routes and rules', () => {
  test('a master adds them after its VIPs and a stop removes them before its VIPs', async () => {
    const kernel = new FakeRouteKernel();
    const h = harness(
      config(['203.0.113.0/24 dev lo table 100'], ['from 198.51.100.200 table 100 preference 10']),
      kernel,
    );
    await settle();
    assert.deepEqual([...kernel.entries], ['203.0.113.0/24 table 100', 'rule 10 table 100']);
    await h.engine.stop();
    assert.deepEqual(h.order, ['vip 198.51.100.200', 'routes', 'unroutes', 'unvip 198.51.100.200']);
    assert.deepEqual(kernel.requests.slice(-2), ['remove rule 10 table 100', 'remove 203.0.113.0/24 table 100']);
    assert.deepEqual([...kernel.entries], []);
  });

  test('a reload beside a master changes only what changed, and leaves what the kernel already had', async () => {
    const kernel = new FakeRouteKernel();
    kernel.entries.add('203.0.113.0/24 table 100'); // there before vigild: not ours
    const h = harness(
      config(
        ['203.0.113.0/24 dev lo table 100', '203.0.114.0/24 dev lo table 100'],
        ['from all table 100 preference 10'],
      ),
      kernel,
    );
    await settle();
    kernel.requests.length = 0;
    await h.engine.reconfigure(
      config(
        ['203.0.113.0/24 dev lo table 100', '203.0.115.0/24 dev lo table 100'],
        ['from all table 100 preference 10'],
      ),
    );
    await settle();
    assert.deepEqual(h.transitions.slice(-1)[0]?.to, 'MASTER', 'still master');
    assert.deepEqual(kernel.requests, ['remove 203.0.114.0/24 table 100', 'add 203.0.115.0/24 table 100']);
    await h.engine.stop();
    assert.deepEqual([...kernel.entries], ['203.0.113.0/24 table 100'], 'the route vigild did not add stays');
  });
});
