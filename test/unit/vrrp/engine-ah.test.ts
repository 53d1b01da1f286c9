// The engine with an `auth_type AH` instance beside one without, on one interface, over fake
// ports: AH adverts come and go on their own socket, and each reaches only the instance it suits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { ahKey, openEnvelope, sealAdvert } from '../../../src/vrrp/ah.js';
import { VrrpEngine } from '../../../src/vrrp/engine.js';
import { encodeAdvertisement, type ReceivedIpHeader } from '../../../src/vrrp/packet.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const PEER = '198.51.100.12';
const IP = { family: 4, source: PEER, destination: '224.0.0.18', ttl: 255 } as const;

const instance = (name: string, vrid: number, auth: string) => `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority 150
  ${auth}
  virtual_ipaddress {
    198.51.100.${vrid}/24
  }
}
`;

type Receiver = (data: Buffer, ip: ReceivedIpHeader) => void;

function mixedEngine() {
  const { config } = parseConfigText(
    instance('PLAIN', 51, '') + instance('SIGNED', 52, 'authentication {\n auth_type AH\n auth_pass secret\n }'),
    'k.conf',
  );
  assert.ok(config);
  const clock = new FakeClock();
  const opened: string[] = [];
  const sent: { socket: string; data: Buffer }[] = [];
  const problems: string[] = [];
  const receivers: Record<string, Receiver> = {};
  const socket = (name: string, onData: Receiver) => {
    opened.push(name);
    receivers[name] = onData;
    return {
      send: (data: Buffer) => void sent.push({ socket: name, data }),
      close: () => void opened.push(`closed ${name}`),
    };
  };
  const engine = new VrrpEngine(config, {
    openSocket: (ifname, family, _group, onPacket) => socket(`vrrp ${ifname}/${family}`, onPacket),
    openAhSocket: (ifname, onDatagram) => socket(`ah ${ifname}`, onDatagram),
    primaryAddress: () => '198.51.100.11',
    addresses: () => ({ add: async () => undefined, remove: async () => undefined }),
    announcer: () => ({ announce: () => undefined }),
    clock,
    observer: { transition: () => undefined, problem: (name, kind) => problems.push(`${name} ${kind}`) },
  });
  const advert = (vrid: number) =>
    encodeAdvertisement(
      { version: 2, vrid, priority: 100, addresses: [`198.51.100.${vrid}`], advertIntervalCs: 100, ah: true },
      IP,
    );
  /** An AH advert for `vrid` from PEER, as the AH socket of eth0 hands it over. */
  const receiveAh = (vrid: number, sequence: number) =>
    receivers['ah eth0']!(
      sealAdvert(advert(vrid), { ...IP, id: sequence, sequence, unicast: false }, ahKey('secret')),
      IP,
    );
  const received = (name: string) => engine.instance(name)!.status().counters;
  return { engine, clock, opened, sent, problems, receivers, advert, receiveAh, received };
}

describe('VRRP engine with auth_type AH', () => {
  test('an interface with an AH instance gets a second socket, and each advert reaches only the instance it suits', async () => {
    const h = mixedEngine();
    h.engine.start();
    assert.deepEqual(h.opened, ['vrrp eth0/4', 'ah eth0']);
    h.receiveAh(52, 1);
    assert.equal(h.received('SIGNED').advertsReceived, 1);
    h.receiveAh(51, 2);
    h.receivers['vrrp eth0/4']!(h.advert(52), IP);
    assert.deepEqual(h.problems, ['PLAIN auth_type_mismatch', 'SIGNED auth_type_mismatch']);
    // AH for another protocol is someone else's IPsec.
    const tcp = sealAdvert(h.advert(52), { ...IP, id: 3, sequence: 3, unicast: false }, ahKey('secret'));
    tcp[20] = 6;
    h.receivers['ah eth0']!(tcp, IP);
    assert.equal(h.problems.length, 2);

    h.clock.advance(3500);
    const bySocket = (name: string) => h.sent.filter((s) => s.socket === name);
    const plain = bySocket('vrrp eth0/4');
    assert.ok(plain.length > 0 && plain.every((s) => s.data[1] === 51), 'PLAIN sends bare VRRP');
    const signed = bySocket('ah eth0').map((s) => openEnvelope(s.data)!);
    assert.ok(signed.length > 0 && signed.every((e) => e.message[1] === 52), 'SIGNED sends behind AH');
    // It heard sequence number 1 from the peer.
    assert.equal(signed[0]!.sequence, 2);
    await h.engine.stop();
    assert.deepEqual(h.opened.slice(2).sort(), ['closed ah eth0', 'closed vrrp eth0/4']);
  });
});
