// The engine with instances on two multicast groups of one interface, over fake ports that hand
// every advert to every socket as the kernel does: each group has its own socket, and an advert
// reaches only the instance of its VRID on the group it was sent to.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { VrrpEngine } from '../../../src/vrrp/engine.js';
import { decodeAdvertisement, encodeAdvertisement, type ReceivedIpHeader } from '../../../src/vrrp/packet.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const PEER = '198.51.100.12';

const instance = (name: string, vrid: number, body: string) => `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${vrid}
  version 3
  ${body}
  virtual_ipaddress {
    198.51.100.${vrid + (name === 'OWN' ? 100 : 0)}/24
  }
}
`;

type Receiver = (payload: Buffer, ip: ReceivedIpHeader) => void;

function twoGroupEngine() {
  const { config, diagnostics } = parseConfigText(
    instance('STANDARD', 51, 'priority 100') +
      instance('OWN', 51, 'priority 200\n  mcast_dst_ip 224.0.0.19') +
      instance('UNICAST', 52, 'priority 100\n  unicast_peer {\n    198.51.100.12\n  }'),
    'k.conf',
  );
  assert.ok(config, JSON.stringify(diagnostics));
  const clock = new FakeClock();
  const opened: string[] = [];
  const sent: { destination: string; payload: Buffer }[] = [];
  const receivers: Receiver[] = [];
  const engine = new VrrpEngine(config, {
    openSocket: (ifname, family, group, onPacket) => {
      opened.push(`${ifname}/${family} ${group}`);
      receivers.push(onPacket);
      return { send: (payload, destination) => void sent.push({ destination, payload }), close: () => undefined };
    },
    primaryAddress: () => '198.51.100.11',
    addresses: () => ({ add: async () => undefined, remove: async () => undefined }),
    announcer: () => ({ announce: () => undefined }),
    clock,
    observer: { transition: () => undefined, problem: () => undefined },
  });
  /** An advert from PEER for `vrid` to `destination`, handed to every socket of eth0. */
  const deliver = (vrid: number, destination: string, vip = `198.51.100.${vrid}`) => {
    const ip = { family: 4, source: PEER, destination, ttl: 255 } as const;
    const payload = encodeAdvertisement(
      { version: 3, vrid, priority: 100, addresses: [vip], advertIntervalCs: 100 },
      ip,
    );
    for (const receive of receivers) receive(payload, ip);
  };
  const heard = (name: string) => engine.instance(name)!.status().counters.advertsReceived;
  return { engine, clock, opened, sent, deliver, heard };
}

describe('VRRP engine with multicast groups of its own', () => {
  test('a second group gets a socket of its own, joined to it; unicast instances share the standard one', () => {
    const h = twoGroupEngine();
    h.engine.start();
    assert.deepEqual(h.opened, ['eth0/4 224.0.0.18', 'eth0/4 224.0.0.19']);
  });

  test('an advert reaches the instance of its VRID on the group it was sent to, and only that one', () => {
    const h = twoGroupEngine();
    h.engine.start();
    h.deliver(51, '224.0.0.18');
    assert.deepEqual([h.heard('STANDARD'), h.heard('OWN')], [1, 0]);
    h.deliver(51, '224.0.0.19', '198.51.100.151');
    assert.deepEqual([h.heard('STANDARD'), h.heard('OWN')], [1, 1]);
    h.deliver(51, '224.0.0.20', '198.51.100.151');
    assert.deepEqual([h.heard('STANDARD'), h.heard('OWN')], [1, 1], 'a third group is nobody here');
    h.deliver(52, '198.51.100.11');
    assert.equal(h.heard('UNICAST'), 1);
    h.deliver(52, '224.0.0.19');
    assert.equal(h.heard('UNICAST'), 1, 'a unicast instance does not hear another group');
  });

  test('the master sends to its group, with the VRRPv3 checksum over that group', () => {
    const h = twoGroupEngine();
    h.engine.start();
    h.clock.advance(3300); // OWN's Master_Down_Interval at priority 200 is 3.22 s; the others' 3.61 s
    const own = h.sent.filter((s) => s.destination === '224.0.0.19');
    assert.ok(own.length > 0, `sent to ${h.sent.map((s) => s.destination).join(', ')}`);
    const decoded = decodeAdvertisement(own[0]!.payload, {
      family: 4,
      source: '198.51.100.11',
      destination: '224.0.0.19',
    });
    assert.ok(decoded.ok && decoded.advert.vrid === 51 && decoded.advert.priority === 200);
    assert.equal(h.sent.filter((s) => s.destination === '224.0.0.18').length, 0, 'the backups send nothing');
  });
});
