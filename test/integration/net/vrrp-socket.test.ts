// VRRP over a veth pair between two network namespaces: IPv4 and IPv6, multicast and unicast,
// with the addresses and TTL / hop limit the receiver sees.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createVethPair, NetAgent, skipUnlessRoot, type AgentEvent, type VethPair } from './namespaces.js';

/** A VRRP-sized payload (the socket does not look inside), unique so each test finds its own. */
const payload = (): string => randomBytes(24).toString('hex');

describe('VRRP sockets between two namespaces', { skip: skipUnlessRoot }, () => {
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

  async function sendAtoB(handle: number, receiver: number, destination?: string): Promise<AgentEvent> {
    const sent = payload();
    await a.call('vrrp.send', { handle, payload: sent, destination });
    const packet = await b.event('vrrp.packet', (e) => e.payload === sent);
    assert.equal(packet.handle, receiver, 'delivered to the socket of its family');
    return packet;
  }

  test('IPv4 multicast reaches the peer with TTL 255, from our address to 224.0.0.18', async () => {
    const { family, source, destination, ttl } = await sendAtoB(sockets.a4, sockets.b4);
    assert.deepEqual({ family, source, destination, ttl }, { family: 4, source: pair.a.ipv4, destination: '224.0.0.18', ttl: 255 });
  });

  test('IPv4 unicast to a peer goes out with TTL 255', async () => {
    const packet = await sendAtoB(sockets.a4, sockets.b4, pair.b.ipv4);
    assert.deepEqual([packet.source, packet.destination, packet.ttl], [pair.a.ipv4, pair.b.ipv4, 255]);
  });

  test('IPv6 multicast goes from the link-local address to ff02::12 with hop limit 255', async () => {
    const packet = await sendAtoB(sockets.a6, sockets.b6);
    assert.deepEqual([packet.family, packet.source, packet.destination, packet.ttl], [6, pair.a.linkLocal, 'ff02::12', 255]);
  });

  test('IPv6 unicast to a peer goes out with hop limit 255', async () => {
    const packet = await sendAtoB(sockets.a6, sockets.b6, pair.b.ipv6);
    assert.deepEqual([packet.source, packet.destination, packet.ttl], [pair.a.ipv6, pair.b.ipv6, 255]);
  });

  test('traffic flows both ways, and a sender does not hear its own multicast', async () => {
    const sent = payload();
    await b.call('vrrp.send', { handle: sockets.b4, payload: sent });
    const packet = await a.event('vrrp.packet', (e) => e.payload === sent);
    assert.equal(packet.source, pair.b.ipv4);
    // Everything sent so far has arrived at its receiver; give a looped-back copy time to show.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(a.events.filter((e) => e.event === 'vrrp.packet'), [], 'A heard nothing but B');
    assert.deepEqual(b.events.filter((e) => e.event === 'vrrp.packet'), [], 'B heard nothing but A');
  });

  test('a missing interface is refused with ENODEV, naming it', async () => {
    await assert.rejects(a.call('vrrp.open', { name: 'vigil-nope0', family: 4 }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ENODEV');
      assert.match(error.message, /IPv4 VRRP socket on vigil-nope0: ENODEV: no such device, if_nametoindex 'vigil-nope0'/);
      return true;
    });
  });

  test('a destination of the wrong family is refused, naming it', async () => {
    await assert.rejects(a.call('vrrp.send', { handle: sockets.a4, payload: payload(), destination: pair.b.ipv6 }), /2001:db8::2' is not an IP address of the address's family/);
  });
});
