// VRRP over a veth pair between two network namespaces: IPv4 and IPv6, multicast and unicast,
// with the addresses, TTL / hop limit and DSCP the receiver sees.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ahKey, sealAdvert } from '../../../src/vrrp/ah.js';
import { type Advertisement, encodeAdvertisement } from '../../../src/vrrp/packet.js';
import { type AgentEvent, createVethPair, ip, NetAgent, skipWithoutNamespaces, type VethPair } from './namespaces.js';

/** A VRRP-sized payload (the socket does not look inside), unique so each test finds its own. */
const payload = (): string => randomBytes(24).toString('hex');

/** The source address the kernel would choose in `namespace` for a packet to `destination`. */
const kernelSource = (namespace: string, destination: string): string =>
  (JSON.parse(ip('-n', namespace, '-j', 'route', 'get', destination)) as { prefsrc: string }[])[0]!.prefsrc;

const ETHERNET_HEADER_LENGTH = 14;
/** DSCP CS6 (network control) in the IPv4 TOS / IPv6 traffic class byte. */
const CS6 = 0xc0;

describe('VRRP sockets between two namespaces', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let a: NetAgent;
  let b: NetAgent;
  const sockets = { a4: 0, a6: 0, b4: 0, b6: 0 };

  before(async () => {
    pair = await createVethPair();
    a = await NetAgent.start(pair.a.namespace);
    b = await NetAgent.start(pair.b.namespace);
    sockets.a4 = await a.call<number>('vrrp.open', { name: pair.a.link, family: 4 });
    sockets.a6 = await a.call<number>('vrrp.open', { name: pair.a.link, family: 6 });
    sockets.b4 = await b.call<number>('vrrp.open', { name: pair.b.link, family: 4 });
    sockets.b6 = await b.call<number>('vrrp.open', { name: pair.b.link, family: 6 });
  });

  after(async () => {
    try {
      await Promise.all([a?.stop(), b?.stop()]);
    } finally {
      pair?.destroy();
    }
  });

  async function sendAtoB(handle: number, receiver: number, source: string, destination?: string): Promise<AgentEvent> {
    const sent = payload();
    await a.call('vrrp.send', { handle, payload: sent, destination, source });
    const packet = await b.event('vrrp.packet', (e) => e.payload === sent);
    assert.equal(packet.handle, receiver, 'delivered to the socket of its family');
    return packet;
  }

  test('IPv4 multicast reaches the peer with TTL 255, from our address to 224.0.0.18', async () => {
    const { family, source, destination, ttl } = await sendAtoB(sockets.a4, sockets.b4, pair.a.ipv4);
    assert.deepEqual(
      { family, source, destination, ttl },
      { family: 4, source: pair.a.ipv4, destination: '224.0.0.18', ttl: 255 },
    );
  });

  test('IPv4 unicast to a peer goes out with TTL 255', async () => {
    const packet = await sendAtoB(sockets.a4, sockets.b4, pair.a.ipv4, pair.b.ipv4);
    assert.deepEqual([packet.source, packet.destination, packet.ttl], [pair.a.ipv4, pair.b.ipv4, 255]);
  });

  test('IPv6 multicast goes from the link-local address to ff02::12 with hop limit 255', async () => {
    const packet = await sendAtoB(sockets.a6, sockets.b6, pair.a.linkLocal);
    assert.deepEqual(
      [packet.family, packet.source, packet.destination, packet.ttl],
      [6, pair.a.linkLocal, 'ff02::12', 255],
    );
  });

  test('IPv6 unicast to a peer goes out with hop limit 255', async () => {
    const packet = await sendAtoB(sockets.a6, sockets.b6, pair.a.ipv6, pair.b.ipv6);
    assert.deepEqual([packet.source, packet.destination, packet.ttl], [pair.a.ipv6, pair.b.ipv6, 255]);
  });

  test('traffic flows both ways, and a sender does not hear its own multicast', async () => {
    const sent = payload();
    await b.call('vrrp.send', { handle: sockets.b4, payload: sent, source: pair.b.ipv4 });
    const packet = await a.event('vrrp.packet', (e) => e.payload === sent);
    assert.equal(packet.source, pair.b.ipv4);
    // Everything sent so far has arrived at its receiver; give a looped-back copy time to show.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      a.events.filter((e) => e.event === 'vrrp.packet'),
      [],
      'A heard nothing but B',
    );
    assert.deepEqual(
      b.events.filter((e) => e.event === 'vrrp.packet'),
      [],
      'B heard nothing but A',
    );
  });

  test('IPv4 goes from the source given, not the primary address the kernel would choose', async () => {
    // A second address in the same prefix, as unicast_src_ip or a VIP may be.
    ip('-n', pair.a.namespace, 'addr', 'add', '198.51.100.10/24', 'dev', pair.a.link);
    try {
      assert.equal(
        kernelSource(pair.a.namespace, pair.b.ipv4),
        pair.a.ipv4,
        'the kernel would send from the primary address',
      );
      const unicast = await sendAtoB(sockets.a4, sockets.b4, '198.51.100.10', pair.b.ipv4);
      assert.deepEqual([unicast.source, unicast.destination], ['198.51.100.10', pair.b.ipv4]);
      const multicast = await sendAtoB(sockets.a4, sockets.b4, '198.51.100.10');
      assert.deepEqual([multicast.source, multicast.destination], ['198.51.100.10', '224.0.0.18']);
    } finally {
      ip('-n', pair.a.namespace, 'addr', 'del', '198.51.100.10/24', 'dev', pair.a.link);
    }
  });

  test('IPv6 goes from the source given, not a VIP in the same prefix that the kernel would choose', async () => {
    ip('-n', pair.a.namespace, 'addr', 'add', '2001:db8::10/64', 'dev', pair.a.link, 'nodad');
    try {
      assert.equal(
        kernelSource(pair.a.namespace, pair.b.ipv6),
        '2001:db8::10',
        'the kernel would send from the VIP, the newest address',
      );
      const unicast = await sendAtoB(sockets.a6, sockets.b6, pair.a.ipv6, pair.b.ipv6);
      assert.deepEqual([unicast.source, unicast.destination, unicast.ttl], [pair.a.ipv6, pair.b.ipv6, 255]);
      const multicast = await sendAtoB(sockets.a6, sockets.b6, pair.a.linkLocal);
      assert.deepEqual([multicast.source, multicast.destination], [pair.a.linkLocal, 'ff02::12']);
    } finally {
      ip('-n', pair.a.namespace, 'addr', 'del', '2001:db8::10/64', 'dev', pair.a.link);
    }
  });

  test('a source that is not an address of the host is refused, naming it', async () => {
    const refusals = [
      // IPv4 finds no route from an address the host does not have.
      [
        sockets.a4,
        '198.51.100.99',
        pair.b.ipv4,
        'ENETUNREACH',
        `(no route to ${pair.b.ipv4}, or 198.51.100.99 is not an address of this host)`,
      ],
      [
        sockets.a6,
        '2001:db8::99',
        pair.b.ipv6,
        'EINVAL',
        `(the kernel refuses 2001:db8::99 as a source: it must be an address of this host, usable on ${pair.a.link})`,
      ],
    ] as const;
    for (const [handle, source, destination, code, hint] of refusals) {
      await assert.rejects(
        a.call('vrrp.send', { handle, payload: payload(), destination, source }),
        (error: NodeJS.ErrnoException) => {
          assert.equal(error.code, code);
          assert.ok(
            error.message.startsWith(
              `sending VRRP from ${source} to ${destination} on ${pair.a.link} ${hint}: ${code}`,
            ),
            error.message,
          );
          return true;
        },
      );
    }
    await assert.rejects(
      a.call('vrrp.send', { handle: sockets.a4, payload: payload(), destination: pair.b.ipv4, source: pair.a.ipv6 }),
      /options\.sourceAddress '2001:db8::1' is not an IP address of the socket's family/,
    );
  });

  test('adverts are marked DSCP CS6 (network control) over IPv4 and IPv6', async () => {
    await b.call('frame.listen', { name: pair.b.link, ethertype: 'ipv4' });
    await b.call('frame.listen', { name: pair.b.link, ethertype: 'ipv6' });
    const frameOf = async (handle: number, source: string, destination?: string): Promise<Buffer> => {
      const sent = payload();
      await a.call('vrrp.send', { handle, payload: sent, destination, source });
      await b.event('vrrp.packet', (e) => e.payload === sent);
      return Buffer.from((await b.event('frame', (e) => (e.frame as string).endsWith(sent))).frame as string, 'hex');
    };
    for (const destination of [undefined, pair.b.ipv4]) {
      const ipv4 = await frameOf(sockets.a4, pair.a.ipv4, destination);
      assert.equal(ipv4[ETHERNET_HEADER_LENGTH + 1], CS6, `IPv4 TOS to ${destination ?? '224.0.0.18'}`);
    }
    for (const [source, destination] of [
      [pair.a.linkLocal, undefined],
      [pair.a.ipv6, pair.b.ipv6],
    ] as const) {
      const ipv6 = await frameOf(sockets.a6, source, destination);
      const trafficClass = ((ipv6[ETHERNET_HEADER_LENGTH]! & 0x0f) << 4) | (ipv6[ETHERNET_HEADER_LENGTH + 1]! >> 4);
      assert.equal(trafficClass, CS6, `IPv6 traffic class to ${destination ?? 'ff02::12'}`);
    }
  });

  test('a missing interface is refused with ENODEV, naming it', async () => {
    await assert.rejects(a.call('vrrp.open', { name: 'vigil-nope0', family: 4 }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ENODEV');
      assert.match(
        error.message,
        /IPv4 VRRP socket on vigil-nope0: ENODEV: no such device, if_nametoindex 'vigil-nope0'/,
      );
      return true;
    });
  });

  test('IPsec AH: the datagram built here arrives as built (IP id, TTL 255, TOS), on the AH socket alone', async () => {
    const ahA = await a.call<number>('vrrp.open', { name: pair.a.link, family: 4, ah: true });
    const ahB = await b.call<number>('vrrp.open', { name: pair.b.link, family: 4, ah: true });
    const ipHeader = { family: 4, source: pair.a.ipv4, destination: '224.0.0.18' } as const;
    const advert: Advertisement = {
      version: 2,
      vrid: 51,
      priority: 100,
      addresses: ['198.51.100.200'],
      advertIntervalCs: 100,
      ah: true,
    };
    const message = encodeAdvertisement(advert, ipHeader);
    const fields = { ...ipHeader, id: 4321, sequence: 7, unicast: false };
    const datagram = sealAdvert(message, fields, ahKey('secret'));
    await a.call('vrrp.send', { handle: ahA, payload: datagram.toString('hex'), source: pair.a.ipv4 });
    const packet = await b.event('vrrp.packet', (e) => e.datagram === datagram.toString('hex'));
    assert.deepEqual([packet.handle, packet.source, packet.ttl], [ahB, pair.a.ipv4, 255]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      b.events.filter((e) => e.event === 'vrrp.packet'),
      [],
      'the VRRP socket does not see protocol 51',
    );
  });

  test('a destination of the wrong family is refused, naming it', async () => {
    await assert.rejects(
      a.call('vrrp.send', { handle: sockets.a4, payload: payload(), destination: pair.b.ipv6, source: pair.a.ipv4 }),
      /2001:db8::2' is not an IP address of the address's family/,
    );
  });
});
