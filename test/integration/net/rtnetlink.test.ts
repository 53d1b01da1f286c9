// rtnetlink inside a network namespace: links, addresses added and removed (checked against
// ip(8)), and link and address notifications.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InterfaceAddress, Link } from '../../../src/net/rtnetlink.js';
import {
  createVethPair,
  ip,
  ipAddresses,
  ipLink,
  NetAgent,
  skipWithoutNamespaces,
  type VethPair,
} from './namespaces.js';

describe('rtnetlink in a namespace', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let a: NetAgent;
  let b: NetAgent;
  let ifindex: number;

  before(async () => {
    pair = await createVethPair();
    a = await NetAgent.start(pair.a.namespace);
    b = await NetAgent.start(pair.b.namespace);
    ifindex = ipLink(pair.a.namespace, pair.a.link).ifindex;
  });

  after(async () => {
    try {
      await Promise.all([a?.stop(), b?.stop()]);
    } finally {
      pair?.destroy();
    }
  });

  const listAddresses = (): Promise<InterfaceAddress[]> => a.call<InterfaceAddress[]>('addresses.list');

  test('listLinks reports the namespace links with their index, MAC and state', async () => {
    const links = await a.call<Link[]>('links.list');
    assert.deepEqual(links.map((l) => l.name).sort(), ['lo', pair.a.link].sort());
    const veth = links.find((l) => l.name === pair.a.link)!;
    const fromIp = ipLink(pair.a.namespace, pair.a.link);
    assert.equal(veth.index, fromIp.ifindex);
    assert.equal(veth.mac, fromIp.address);
    assert.deepEqual([veth.up, veth.running, veth.lowerUp, veth.mtu], [true, true, true, 1500]);
  });

  test('listAddresses reports the addresses ip(8) shows', async () => {
    const addresses = (await listAddresses()).filter((x) => x.ifindex === ifindex);
    const v4 = addresses.find((x) => x.address === pair.a.ipv4);
    assert.deepEqual(v4 && [v4.family, v4.prefix, v4.label, v4.scope, v4.broadcast], [
      4,
      24,
      pair.a.link,
      'global',
      undefined,
    ]);
    assert.ok(addresses.some((x) => x.address === pair.a.ipv6 && x.prefix === 64 && x.family === 6));
    assert.ok(addresses.some((x) => x.address === pair.a.linkLocal && x.scope === 'link'));
  });

  test('an IPv4 address with a label and broadcast is added, refused twice, and removed', async () => {
    const label = `${pair.a.link}:vip`;
    const spec = { ifindex, address: '203.0.113.10', prefix: 24, label, broadcast: '203.0.113.255' };
    await a.call('address.add', spec);
    try {
      const added = (await listAddresses()).find((x) => x.address === spec.address);
      assert.deepEqual(added && [added.ifindex, added.prefix, added.label, added.broadcast, added.scope], [
        ifindex,
        24,
        label,
        '203.0.113.255',
        'global',
      ]);
      assert.ok(
        ipAddresses(pair.a.namespace, pair.a.link).some(
          (x) => x.local === spec.address && x.prefixlen === 24 && x.label === label,
        ),
        'ip addr shows it with its label',
      );
      // Newer kernels add their own reason in parentheses (extended ack).
      await assert.rejects(a.call('address.add', spec), {
        code: 'EEXIST',
        message: new RegExp(`^add 203\\.0\\.113\\.10/24 to ifindex ${ifindex}: EEXIST: file already exists`),
      });
    } finally {
      await a.call('address.remove', spec);
    }
    assert.equal(
      (await listAddresses()).find((x) => x.address === spec.address),
      undefined,
    );
    assert.ok(
      !ipAddresses(pair.a.namespace, pair.a.link).some((x) => x.local === spec.address),
      'ip addr no longer shows it',
    );
    await assert.rejects(a.call('address.remove', spec), { code: 'EADDRNOTAVAIL' });
  });

  test('an IPv6 address is usable at once (no DAD), its label ignored, and removed', async () => {
    const spec = { ifindex, address: '2001:db8:0:0::10', prefix: 64, label: `${pair.a.link}:vip6` };
    await a.call('address.add', spec);
    try {
      const added = (await listAddresses()).find((x) => x.address === '2001:db8::10');
      assert.deepEqual(added && [added.ifindex, added.family, added.prefix, added.tentative, added.label], [
        ifindex,
        6,
        64,
        false,
        undefined,
      ]);
      const fromIp = ipAddresses(pair.a.namespace, pair.a.link).find((x) => x.local === '2001:db8::10');
      assert.deepEqual(fromIp && [fromIp.prefixlen, fromIp.nodad, fromIp.tentative], [64, true, undefined]);
    } finally {
      await a.call('address.remove', spec);
    }
    assert.ok(!ipAddresses(pair.a.namespace, pair.a.link).some((x) => x.local === '2001:db8::10'));
  });

  test("an IPv6 address with a preferred lifetime of 0 is added deprecated (keepalived's /128 VIPs), valid for ever", async () => {
    const spec = { ifindex, address: '2001:db8::11', prefix: 128, preferredLifetime: 0 };
    await a.call('address.add', spec);
    try {
      const fromIp = ipAddresses(pair.a.namespace, pair.a.link).find((x) => x.local === '2001:db8::11');
      assert.deepEqual(fromIp && [fromIp.prefixlen, fromIp.deprecated, fromIp.preferred_life_time], [128, true, 0]);
    } finally {
      await a.call('address.remove', spec);
    }
  });

  test('an address on a missing interface is refused with ENODEV', async () => {
    await assert.rejects(
      a.call('address.add', { ifindex: 99999, address: '203.0.113.11', prefix: 32 }),
      (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, 'ENODEV');
        assert.match(error.message, /^add 203\.0\.113\.11\/32 to ifindex 99999: ENODEV: no such device/);
        return true;
      },
    );
    await assert.rejects(
      a.call('address.add', { ifindex, address: '203.0.113.300', prefix: 32 }),
      /"203\.0\.113\.300" is not an IPv4 or IPv6 address/,
    );
    await assert.rejects(
      a.call('address.add', { ifindex, address: '203.0.113.11', prefix: 33 }),
      /prefix length 33 is outside 0-32/,
    );
  });

  test('watchLinks sees a link go down and up, and the peer lose and regain its carrier', async () => {
    await a.call('links.watch');
    await b.call('links.watch');
    const { a: sideA, b: sideB } = pair;
    type LinkChange = { kind: string; link: Link };
    const changed = (agent: NetAgent, name: string, test: (link: Link) => boolean): Promise<unknown> =>
      agent.event('link', (e) => {
        const { kind, link } = e as unknown as LinkChange;
        return kind === 'changed' && link.name === name && test(link);
      });

    ip('-n', sideA.namespace, 'link', 'set', sideA.link, 'down');
    await changed(a, sideA.link, (link) => !link.up && !link.lowerUp);
    await changed(b, sideB.link, (link) => link.up && !link.lowerUp);

    ip('-n', sideA.namespace, 'link', 'set', sideA.link, 'up');
    await changed(a, sideA.link, (link) => link.up && link.lowerUp);
    await changed(b, sideB.link, (link) => link.up && link.lowerUp);
  });

  test('watchAddresses sees an address added and removed by someone else', async () => {
    await a.call('addresses.watch');
    ip('-n', pair.a.namespace, 'addr', 'add', '203.0.113.20/32', 'dev', pair.a.link);
    ip('-n', pair.a.namespace, 'addr', 'del', '203.0.113.20/32', 'dev', pair.a.link);
    type AddressChange = { kind: string; address: InterfaceAddress };
    for (const kind of ['added', 'removed']) {
      await a.event('address', (e) => {
        const change = e as unknown as AddressChange;
        return change.kind === kind && change.address.address === '203.0.113.20' && change.address.ifindex === ifindex;
      });
    }
  });
});
