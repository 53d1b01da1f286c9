// Which VIPs an instance holds, and which of them come back after someone deletes them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeHost, loInstance } from '../../helpers/fake-vip-host.js';

const V4 = { ifindex: 1, address: '198.51.100.200', prefix: 24 };
const V6 = { ifindex: 1, address: '2001:db8::200', prefix: 64 };

function master() {
  const host = new FakeHost();
  const instance = loInstance();
  const vips = [...instance.vips, ...instance.excludedVips];
  const addresses = host.addresses();
  return { host, vips, addresses };
}

describe('VipAddresses holds what a master added, and puts it back', () => {
  test('held and deleted: restore adds it again and vigil owns it', async () => {
    const { host, vips, addresses } = master();
    await addresses.add(vips);
    host.deleteByHand(V4.address, V4.prefix);
    const restored = await addresses.restore(V4);
    assert.equal(restored?.vip, vips[0]);
    assert.ok(host.onInterfaces.has('1 198.51.100.200/24'));
    assert.deepEqual(host.requests.slice(-1), ['add 1 198.51.100.200/24']);
    assert.ok(host.owned.some((o) => o.address === V4.address));
  });

  test("a VIP's label, scope, broadcast and preferred lifetime reach the kernel with it", async () => {
    const { host, addresses } = master();
    const pos = { file: 'k.conf', line: 1, col: 1 };
    await addresses.add([
      { address: '198.51.100.201', prefix: 24, family: 4, label: 'lo:v', scope: 'host', brd: '+', pos },
      { address: '2001:db8::201', prefix: 128, family: 6, preferredLifetime: 0, pos },
    ]);
    assert.deepEqual(
      host.added.map(({ label, scope, broadcast, preferredLifetime }) => ({
        label,
        scope,
        broadcast,
        preferredLifetime,
      })),
      [
        { label: 'lo:v', scope: 'host', broadcast: '+', preferredLifetime: undefined },
        { label: undefined, scope: undefined, broadcast: undefined, preferredLifetime: 0 },
      ],
    );
  });

  test('not held: before the instance became master, nothing is put back', async () => {
    const { host, addresses } = master();
    assert.equal(addresses.holds(V4), undefined);
    assert.equal(await addresses.restore(V4), undefined);
    assert.deepEqual(host.requests, []);
  });

  test('an address vigil never added is left alone: another address, the VIP with another prefix, on another interface', async () => {
    const { host, vips, addresses } = master();
    await addresses.add(vips);
    const before = host.requests.length;
    for (const other of [
      { ...V4, address: '198.51.100.11' },
      { ...V4, prefix: 32 },
      { ...V6, ifindex: 2 },
    ]) {
      assert.equal(addresses.holds(other), undefined, JSON.stringify(other));
      assert.equal(await addresses.restore(other), undefined);
    }
    assert.equal(host.requests.length, before);
  });

  test('a backup never gets its VIP back: after remove, a deletion is not restored', async () => {
    const { host, vips, addresses } = master();
    await addresses.add(vips);
    await addresses.remove(vips);
    assert.equal(addresses.holds(V4), undefined);
    assert.equal(await addresses.restore(V4), undefined);
    assert.deepEqual(host.requests.slice(-2), ['remove 1 198.51.100.200/24', 'remove 1 2001:db8::200/64']);
    assert.equal(host.onInterfaces.size, 0);
  });

  test('a restore asked for while the master is leaving comes after the remove, and does nothing', async () => {
    const { host, vips, addresses } = master();
    await addresses.add(vips);
    const removing = addresses.remove(vips);
    const restoring = addresses.restore(V4);
    await removing;
    assert.equal(await restoring, undefined);
    assert.equal(host.onInterfaces.size, 0);
  });

  test('a VIP that was there by hand when the instance became master is held too, and is vigil’s once it put it back', async () => {
    const { host, vips, addresses } = master();
    host.onInterfaces.add('1 198.51.100.200/24');
    await addresses.add(vips);
    assert.ok(!host.owned.some((o) => o.address === V4.address), 'found there: not ours to remove');
    host.deleteByHand(V4.address, V4.prefix);
    assert.ok(await addresses.restore(V4));
    assert.ok(
      host.owned.some((o) => o.address === V4.address),
      'put back by vigil: removed when it leaves master',
    );
  });

  test('missingFrom: the held VIPs an address dump does not list', async () => {
    const { vips, addresses } = master();
    await addresses.add(vips);
    assert.deepEqual(
      addresses.missingFrom([V6, { ...V4, prefix: 32 }]).map((h) => h.spec.address),
      ['198.51.100.200'],
    );
  });
});
