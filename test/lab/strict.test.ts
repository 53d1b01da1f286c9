// vrrp_strict and accept mode in the netns lab: a master without accept mode has keepalived's
// nftables table dropping traffic to its VIPs (the client's ping fails), one with accept mode
// answers, the VIP set follows mastership, stop (and a restart after SIGKILL) removes the table,
// and vigild and keepalived both in strict mode elect one master and fail over each way.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { KeepalivedRouter, keepalivedUnavailable } from '../../lab/keepalived.js';
import { impairmentsUnavailable, type Lab, labUnavailable, type NodeName } from '../../lab/lab.js';
import { type LabRouter, pollUntil, VigildRouter, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import { HIGH, LOW, MixedLab } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable, impairmentsUnavailable);

const VIP = '198.51.100.210';

/** IPv6 excluded VIPs, global and link-local: keepalived's drop table covers them too (its ip6 table). */
const EXCLUDED =
  '    virtual_ipaddress_excluded {\n        2001:db8::210/64 dev eth0\n        fe80::210/64 dev eth0\n    }\n}\n';

/**
 * keepalived.conf in strict mode; `accept` written into the instance when asked, and IPv6
 * excluded VIPs. VRRPv3 at 0.5 s unless VRRPv2 (whole seconds).
 */
function strictConfig(priority: number, { version = 3 as 2 | 3, accept = false, excluded = false } = {}): string {
  const advertInt = version === 3 ? 0.5 : 1;
  let instance = vrrpConfig({ version, vrid: 61, priority, advertInt, vip: `${VIP}/24` });
  if (accept) instance = instance.replace('state BACKUP', 'state BACKUP\n    accept');
  if (excluded) instance = instance.replace(/\}\n$/, EXCLUDED);
  return `global_defs {\n    vrrp_strict\n}\n${instance}`;
}

const ruleset = async (lab: Lab, node: NodeName) => (await lab.exec(node, ['nft', 'list', 'ruleset'])).stdout;

async function pings(lab: Lab): Promise<boolean> {
  return lab.exec('client', ['ping', '-c', '1', '-W', '1', VIP]).then(
    () => true,
    () => false,
  );
}

/** Waits until the table of `router`'s node has the VIP in its set (`held`) or not. */
async function expectDropSet(lab: Lab, router: LabRouter, held: boolean): Promise<void> {
  await pollUntil(
    async () => (await ruleset(lab, router.node)).includes(`elements = { ${VIP} }`) === held,
    () => `${router.kind} on ${router.node}: VIP ${held ? 'not ' : ''}in the drop set:\n${router.log.slice(-2000)}`,
    3000,
  );
}

describe('vrrp_strict and accept mode', { skip }, () => {
  const mixed = new MixedLab();
  const { lab } = mixed;
  before(() => lab.up(2));
  afterEach(async () => {
    for (const r of [mixed.vigild, mixed.keepalived]) await r.stop();
    await Promise.all([mixed.vigild.cleanup(), mixed.keepalived.cleanup()]);
    mixed.vigild = new VigildRouter(lab, 'r1');
    mixed.keepalived = new KeepalivedRouter(lab, 'r2');
  });
  after(() => lab.down());

  test("without accept, a master has keepalived's drop table, pings to the VIP fail, and stop or a restart after SIGKILL removes it", async () => {
    // keepalived alone first, for the table it makes for this config.
    const config = strictConfig(LOW, { excluded: true });
    await mixed.keepalived.start(config);
    await waitForStates([[mixed.keepalived, 'MASTER']]);
    await expectDropSet(lab, mixed.keepalived, true);
    const keepalivedTable = await ruleset(lab, 'r2');
    assert.match(keepalivedTable, /table ip6 keepalived \{[\s\S]*elements = \{ fe80::210 \. "eth0" \}/);
    await mixed.keepalived.stop();

    const { vigild } = mixed;
    await vigild.start(config);
    await waitForStates([[vigild, 'MASTER']]);
    await expectDropSet(lab, vigild, true);
    assert.equal(await ruleset(lab, 'r1'), keepalivedTable, "vigild's table is keepalived's");
    assert.ok(await lab.holds('r1', VIP), 'the master holds the VIP');
    assert.equal(await pings(lab), false, 'the VIP answered a ping through the drop rules');

    await vigild.kill();
    assert.match(await ruleset(lab, 'r1'), /table ip keepalived/, 'SIGKILL leaves the table');
    await vigild.start(config);
    assert.equal(await ruleset(lab, 'r1'), '', 'the restart did not clear the table left behind');
    await waitForStates([[vigild, 'MASTER']]);
    await expectDropSet(lab, vigild, true);
    await vigild.stop();
    assert.equal(await ruleset(lab, 'r1'), '', 'stop left the table');
  });

  test('with accept (VRRPv3) the master answers pings to its VIP and sets no table', async () => {
    await mixed.vigild.start(strictConfig(LOW, { accept: true }));
    await waitForStates([[mixed.vigild, 'MASTER']]);
    await pollUntil(
      () => pings(lab),
      () => 'the VIP does not answer',
    );
    assert.equal(await ruleset(lab, 'r1'), '');
  });

  test('vigild and keepalived, both strict VRRPv2: one master, failover each way, the drop set following the VIP', async () => {
    const { vigild, keepalived } = mixed;
    const v2 = { version: 2 } as const;
    await Promise.all([vigild.start(strictConfig(HIGH, v2)), keepalived.start(strictConfig(LOW, v2))]);
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'BACKUP'],
    ]);
    await expectDropSet(lab, vigild, true);
    assert.equal(await lab.holds('r2', VIP), false);

    await vigild.stop();
    await waitForStates([[keepalived, 'MASTER']]);
    await expectDropSet(lab, keepalived, true);
    assert.equal(await ruleset(lab, 'r1'), '', "vigild's stop left its table");

    await vigild.start(strictConfig(HIGH, v2));
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'BACKUP'],
    ]);
    await expectDropSet(lab, vigild, true);
    await expectDropSet(lab, keepalived, false);
    assert.ok(await lab.holds('r1', VIP));

    // Below keepalived now: keepalived preempts, and vigild, a backup, lets go of the set.
    await vigild.reload(strictConfig(LOW - 50, v2));
    await waitForStates([
      [keepalived, 'MASTER'],
      [vigild, 'BACKUP'],
    ]);
    await expectDropSet(lab, keepalived, true);
    await expectDropSet(lab, vigild, false);
    assert.equal(await lab.holds('r1', VIP), false);
    await mixed.assertAcceptedEachOther();
  });
});
