// The routes and rules vigild adds are written down as it adds them, so that a vigild killed
// while master (SIGKILL: no cleanup) is followed by one that removes them at start; what it did
// not add, or what is already gone, is never removed.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type Config, parseConfigText } from '../../../src/config/index.js';
import { FileRouteLedger } from '../../../src/daemon/route-ledger.js';
import { OwnedRoutes, reclaimLeftoverRoutes } from '../../../src/net/owned-routes.js';
import { FakeRouteKernel } from '../../helpers/fake-route-kernel.js';

const statics = (): Pick<Config, 'staticRoutes' | 'staticRules'> => {
  const { config, diagnostics } = parseConfigText(
    `static_routes {
  203.0.113.0/26 via 198.51.100.1 table 100
  203.0.113.64/26 dev eth9 table 100
  203.0.113.128/26 via 198.51.100.1 table 100
}
static_rules {
  from 198.51.100.7 table 100 preference 10
}
`,
    'k.conf',
  );
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
};

const indexOf = (ifname: string) => {
  if (ifname === 'eth9') return 9;
  throw new Error(`no interface ${ifname}`);
};

test('a restart removes what a killed run added, and only that', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'vigil-route-ledger-'));
  const { staticRoutes, staticRules } = statics();
  const kernel = new FakeRouteKernel();
  kernel.entries.add('203.0.113.128/26 table 100'); // someone else's, there before vigild
  await new OwnedRoutes(kernel, indexOf, new FileRouteLedger(stateDir)).add(staticRoutes, staticRules);
  // Killed: nothing removed. The next run reads the ledger from the state dir.
  const ledger = new FileRouteLedger(stateDir);
  assert.equal(ledger.owned().routes.length, 2, 'the route vigild did not add is not in the ledger');
  const removed = await reclaimLeftoverRoutes(kernel, ledger, indexOf);
  assert.deepEqual([...kernel.entries], ['203.0.113.128/26 table 100']);
  assert.equal(removed.routes.length + removed.rules.length, 3);
  assert.deepEqual(new FileRouteLedger(stateDir).owned(), { routes: [], rules: [] });
});

test('an entry gone meanwhile, or on an interface gone, is forgotten without an error', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'vigil-route-ledger-'));
  const { staticRoutes, staticRules } = statics();
  const kernel = new FakeRouteKernel();
  await new OwnedRoutes(kernel, indexOf, new FileRouteLedger(stateDir)).add(staticRoutes, staticRules);
  kernel.entries.delete('rule 10 table 100');
  const removed = await reclaimLeftoverRoutes(kernel, new FileRouteLedger(stateDir), () => {
    throw new Error('no interface eth9');
  });
  assert.deepEqual(
    removed.routes.map((r) => r.to.address),
    ['203.0.113.0', '203.0.113.128'],
  );
  assert.deepEqual(removed.rules, []);
  assert.deepEqual(new FileRouteLedger(stateDir).owned(), { routes: [], rules: [] });
});

test('what a run removes itself leaves the ledger', async () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'vigil-route-ledger-'));
  const { staticRoutes, staticRules } = statics();
  const owned = new OwnedRoutes(new FakeRouteKernel(), indexOf, new FileRouteLedger(stateDir));
  await owned.add(staticRoutes, staticRules);
  await owned.clear();
  assert.deepEqual(new FileRouteLedger(stateDir).owned(), { routes: [], rules: [] });
});
