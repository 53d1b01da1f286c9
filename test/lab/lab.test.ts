// The lab harness itself: nodes reach each other, impairments cut what they say, and down()
// leaves nothing behind.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { impairmentsUnavailable, ipv4Of, ipv6Of, Lab, labUnavailable } from '../../lab/lab.js';
import { skipWithout } from '../helpers/needs.js';

const unavailable = await skipWithout(labUnavailable);
const noImpairments = await skipWithout(impairmentsUnavailable);

describe('network-namespace lab', { skip: unavailable }, () => {
  const lab = new Lab();
  const ping = (from: 'r1' | 'client', to: string) =>
    lab.exec(from, ['ping', '-c', '1', '-W', '1', to]).then(
      () => true,
      () => false,
    );

  before(() => lab.up(2));
  after(() => lab.down());

  test('routers and the client reach each other over IPv4 and IPv6', async () => {
    assert.equal(await ping('client', ipv4Of('r1')), true);
    assert.equal(await ping('client', ipv4Of('r2')), true);
    assert.equal(await ping('r1', ipv6Of('r2')), true);
  });

  test('cut link, cut all and loss 100 stop traffic; heal restores it', { skip: noImpairments }, async () => {
    for (const impair of [() => lab.cut('r2', 'link'), () => lab.cut('r2', 'all'), () => lab.loss('r2', 100)]) {
      await impair();
      assert.equal(await ping('client', ipv4Of('r2')), false);
      await lab.heal('r2');
      assert.equal(await ping('client', ipv4Of('r2')), true);
    }
  });

  test('down() deletes every namespace of the lab', async () => {
    const other = new Lab();
    await other.up(1);
    await other.down();
    assert.deepEqual(
      readdirSync('/run/netns').filter((n) => n.startsWith(other.prefix)),
      [],
    );
  });
});
