// Someone deletes a route or rule under a master: vigild does what Debian's keepalived 2.2.7
// does on the same config, each alone in its own virtual router on one segment. A tracked
// virtual route or rule takes the master to BACKUP and back to MASTER, which puts it back; a
// tracked static one (or static address) is put back with no transition; a `no_track` one, or VIP, stays deleted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KeepalivedRouter, keepalivedUnavailable } from '../../lab/keepalived.js';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { type LabRouter, pollUntil, VigildRouter, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

const config = (vrid: number) => `static_ipaddress {
  198.51.100.${vrid + 150}/32 dev eth0
}
static_routes {
  203.0.113.64/26 via 198.51.100.1 dev eth0
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id ${vrid}
  priority 150
  advert_int 0.1
  version 3
  virtual_ipaddress {
    198.51.100.${vrid}/24 dev eth0
    198.51.100.${vrid + 100}/24 dev eth0 no_track
  }
  virtual_routes {
    203.0.113.0/26 via 198.51.100.1 dev eth0 table 100
    203.0.113.128/26 via 198.51.100.1 dev eth0 table 100 no_track
  }
  virtual_rules {
    from 198.51.100.7 table 100 preference 100
    from 198.51.100.8 table 100 preference 101 no_track
  }
}
`;

const TRACKED_ROUTE = ['203.0.113.0/26', 'table', '100', 'proto', 'keepalived'];
const UNTRACKED_ROUTE = ['203.0.113.128/26', 'table', '100', 'proto', 'keepalived'];
const STATIC_ROUTE = ['203.0.113.64/26', 'proto', 'keepalived'];
const TRACKED_RULE = ['from', '198.51.100.7', 'table', '100', 'pref', '100'];

describe('a route or rule deleted under a master, beside keepalived', { skip }, () => {
  const lab = new Lab();
  const vigild = new VigildRouter(lab, 'r1');
  const keepalived = new KeepalivedRouter(lab, 'r2');
  const both: LabRouter[] = [vigild, keepalived];

  /** How often each router has entered BACKUP, from its own log. */
  const backups = () => [
    (vigild.log.match(/MASTER -> BACKUP/g) ?? []).length,
    (keepalived.log.match(/\(VI_1\) Entering BACKUP STATE/g) ?? []).length,
  ];

  /** `ip` fails on a table that has no route (yet): that shows nothing too; any other failure stands. */
  const shows = (router: LabRouter, argv: string[]) =>
    lab.exec(router.node, ['ip', ...argv]).then(
      ({ stdout }) => stdout.trim() !== '',
      (err: Error & { stderr?: string }) => {
        if (err.stderr?.includes('FIB table does not exist')) return false;
        throw err;
      },
    );
  const route = (spec: string[]) => ['route', 'show', ...spec];
  const rule = (spec: string[]) => ['rule', 'show', ...spec];

  /** Deletes on both nodes, then waits until each shows `entry` as `expected`, both masters again. */
  async function deleteOnBoth(del: string[], shown: string[], expected: boolean): Promise<void> {
    await Promise.all(both.map((r) => lab.exec(r.node, ['ip', ...del])));
    for (const router of both)
      await pollUntil(
        () => shows(router, shown).then((there) => there === expected),
        () => `${router.kind}: \`ip ${shown.join(' ')}\` should ${expected ? '' : 'not '}show it again:\n${router.log}`,
      );
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'MASTER'],
    ]);
  }

  before(async () => {
    await lab.up(2);
    await Promise.all([vigild.start(config(51)), keepalived.start(config(52))]);
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'MASTER'],
    ]);
    // Each adds its virtual routes just after it says MASTER.
    for (const router of both)
      await pollUntil(
        () => shows(router, route(TRACKED_ROUTE)),
        () => `${router.kind} should add the tracked route:\n${router.log}`,
      );
  });
  after(async () => {
    await Promise.all([vigild.cleanup(), keepalived.cleanup()]);
    await lab.down();
  });

  test('a no_track VIP or virtual route stays deleted, with no transition', async () => {
    const before = backups();
    await Promise.all(
      both.map((r, i) => lab.exec(r.node, ['ip', 'addr', 'del', `198.51.100.${151 + i}/24`, 'dev', 'eth0'])),
    );
    await deleteOnBoth(['route', 'del', ...UNTRACKED_ROUTE], route(UNTRACKED_ROUTE), false);
    // Time for a transition that should not come: a few advert intervals.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(backups(), before);
    for (const [i, router] of both.entries())
      assert.ok(
        !(await shows(router, ['addr', 'show', 'to', `198.51.100.${151 + i}`])),
        `${router.kind} left the VIP out`,
      );
  });

  test('a tracked static route or address is put back, with no transition', async () => {
    const before = backups();
    await deleteOnBoth(['route', 'del', ...STATIC_ROUTE], route(STATIC_ROUTE), true);
    for (const [i, router] of both.entries()) {
      const address = `198.51.100.${201 + i}/32`;
      await lab.exec(router.node, ['ip', 'addr', 'del', address, 'dev', 'eth0']);
      await pollUntil(
        () => shows(router, ['addr', 'show', 'to', address]),
        () => `${router.kind} should put ${address} back:\n${router.log}`,
      );
    }
    assert.deepEqual(backups(), before);
  });

  test('a tracked virtual route takes the master to BACKUP and back, which puts it back', async () => {
    const before = backups();
    await deleteOnBoth(['route', 'del', ...TRACKED_ROUTE], route(TRACKED_ROUTE), true);
    assert.deepEqual(
      backups(),
      before.map((n) => n + 1),
      `vigild:\n${vigild.log}`,
    );
  });

  test('a tracked virtual rule does the same', async () => {
    const before = backups();
    await deleteOnBoth(['rule', 'del', ...TRACKED_RULE], rule(['pref', '100']), true);
    assert.deepEqual(
      backups(),
      before.map((n) => n + 1),
      `vigild:\n${vigild.log}`,
    );
  });
});
