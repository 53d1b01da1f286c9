// AF_PACKET: the gratuitous ARP and unsolicited NA frames vrrp/gratuitous builds, sent from one
// namespace and caught byte for byte by a packet socket in the other.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameSocket } from '../../../src/net/frame-socket.js';
import { buildGratuitousArp, buildUnsolicitedNeighborAdvert } from '../../../src/vrrp/gratuitous.js';
import { createVethPair, ipLink, NetAgent, skipWithoutNamespaces, type VethPair } from './namespaces.js';

/** sockaddr_ll.sll_pkttype of a frame sent to the broadcast / a multicast address. */
const PACKET_BROADCAST = 1;
const PACKET_MULTICAST = 2;

describe('frame sockets between two namespaces', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let a: NetAgent;
  let b: NetAgent;
  let macA: string;

  before(async () => {
    pair = await createVethPair();
    a = await NetAgent.start(pair.a.namespace);
    b = await NetAgent.start(pair.b.namespace);
    macA = ipLink(pair.a.namespace, pair.a.link).address;
    await b.call('frame.listen', { name: pair.b.link, ethertype: 'arp' });
    await b.call('frame.listen', { name: pair.b.link, ethertype: 'ipv6' });
  });

  after(async () => {
    try {
      await Promise.all([a?.stop(), b?.stop()]);
    } finally {
      pair?.destroy();
    }
  });

  async function sendAndCatch(frame: Buffer): Promise<{ pkttype: number; ifindex: number }> {
    await a.call('frame.send', { name: pair.a.link, frame: frame.toString('hex') });
    // Ethernet pads short frames on real wires; veth does not, but only the frame's own bytes matter.
    const caught = await b.event('frame', (e) => (e.frame as string).startsWith(frame.toString('hex')));
    return caught as unknown as { pkttype: number; ifindex: number };
  }

  test('a gratuitous ARP arrives at the peer as a broadcast, byte for byte', async () => {
    const caught = await sendAndCatch(buildGratuitousArp(macA, '198.51.100.10'));
    assert.equal(caught.pkttype, PACKET_BROADCAST);
    assert.equal(caught.ifindex, ipLink(pair.b.namespace, pair.b.link).ifindex);
  });

  test('an unsolicited neighbour advertisement arrives at the peer as a multicast', async () => {
    const caught = await sendAndCatch(buildUnsolicitedNeighborAdvert(macA, '2001:db8::10'));
    assert.equal(caught.pkttype, PACKET_MULTICAST);
  });

  test('a frame shorter than an Ethernet header is refused before sending', () => {
    const socket = new FrameSocket(1);
    try {
      assert.throws(() => socket.send(Buffer.alloc(10)), /at least 14 bytes, not 10/);
    } finally {
      socket.close();
    }
  });

  test('a missing interface is refused with ENODEV', async () => {
    await assert.rejects(a.call('frame.send', { name: 'vigil-nope0', frame: '00' }), { code: 'ENODEV' });
  });
});
