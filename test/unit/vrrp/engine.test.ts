// The engine's dispatch of received adverts by VRID, over fake ports: log_unknown_vrids reports
// adverts for virtual routers none of its instances is in, under the interface's name.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VrrpEngine } from '../../../src/vrrp/engine.js';
import { encodeAdvertisement, type ReceivedIpHeader } from '../../../src/vrrp/packet.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { configWith } from '../../helpers/vrrp-instance.js';

const PEER = '198.51.100.12';

function engineWith(globals: string) {
  const problems: { name: string; kind: string; message: string }[] = [];
  const receivers: ((payload: Buffer, ip: ReceivedIpHeader) => void)[] = [];
  const engine = new VrrpEngine(configWith('eth0', '', globals), {
    openSocket: (_ifname, _family, _group, onPacket) => {
      receivers.push(onPacket);
      return { send: () => undefined, close: () => undefined };
    },
    primaryAddress: () => '198.51.100.11',
    addresses: () => ({ add: async () => undefined, remove: async () => undefined }),
    announcer: () => ({ announce: () => undefined }),
    clock: new FakeClock(),
    observer: { transition: () => undefined, problem: (name, kind, message) => problems.push({ name, kind, message }) },
  });
  engine.start();
  /** An advert from PEER for `vrid`, as the socket of eth0 hands it over. */
  const receive = (vrid: number) => {
    const ip = { family: 4, source: PEER, destination: '224.0.0.18', ttl: 255 } as const;
    const payload = encodeAdvertisement(
      { version: 2, vrid, priority: 100, addresses: ['198.51.100.200'], advertIntervalCs: 100 },
      ip,
    );
    for (const onPacket of receivers) onPacket(payload, ip);
  };
  return { engine, problems, receive };
}

describe('VRRP engine', () => {
  test('log_unknown_vrids: an advert for a VRID no instance has is reported under the interface', async () => {
    const { engine, problems, receive } = engineWith('log_unknown_vrids');
    receive(99);
    assert.deepEqual(problems, [
      { name: 'eth0', kind: 'unknown_vrid', message: `advert for VRID 99 from ${PEER}: no instance here has it` },
    ]);
    receive(51);
    assert.equal(problems.length, 1, "VI_1's own VRID goes to VI_1");
    await engine.stop();
  });

  test('without it, other virtual routers on the network go unmentioned', async () => {
    const { engine, problems, receive } = engineWith('');
    receive(99);
    assert.deepEqual(problems, []);
    await engine.stop();
  });
});
