// 20 % frame loss on the master's port for a minute at 1 s adverts: the backup must not take
// over. (Without the master's half-interval repeat of each advert, three lost in a row — about a
// third of such minutes — would make it.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { impairmentsUnavailable, Lab, labUnavailable } from '../../lab/lab.js';
import { type InstanceSpec, VigildRouter, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';

const spec = (priority: number): InstanceSpec => ({
  version: 3,
  vrid: 51,
  priority,
  advertInt: 1,
  vip: '198.51.100.200/24',
});

describe('lossy link', { skip: await skipWithout(labUnavailable, impairmentsUnavailable) }, () => {
  const lab = new Lab();
  const r1 = new VigildRouter(lab, 'r1');
  const r2 = new VigildRouter(lab, 'r2');

  before(async () => {
    await lab.up(2);
    await Promise.all([r1.start(vrrpConfig(spec(150))), r2.start(vrrpConfig(spec(100)))]);
    await waitForStates([
      [r1, 'MASTER'],
      [r2, 'BACKUP'],
    ]);
  });
  after(async () => {
    await Promise.all([r1.cleanup(), r2.cleanup()]);
    await lab.down();
  });

  test('20 % loss on the master port at 1 s adverts causes no failover in 60 s', { timeout: 90_000 }, async (t) => {
    await lab.loss('r1', 20);
    await new Promise((r) => setTimeout(r, 60_000));
    await lab.loss('r1', 0);
    const [master, backup] = [await r1.instance(), await r2.instance()];
    t.diagnostic(
      `backup received ${backup.counters.advertsReceived} adverts; master sent ${master.counters.advertsSent}`,
    );
    assert.equal(backup.counters.becameMaster, 0, `the backup took over: ${backup.lastTransition?.reason}`);
    assert.equal(master.state, 'MASTER');
    assert.equal(master.counters.becameMaster, 1);
  });
});
