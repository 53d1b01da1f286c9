// An instance with `auth_type AH`, with fake ports and a fake clock: what it sends behind AH, and
// which AH adverts it believes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AhEnvelope, AhSequence, ahKey, openEnvelope, sealAdvert, verifyEnvelope } from '../../../src/vrrp/ah.js';
import { announceIntervalsOf, VrrpInstanceRuntime } from '../../../src/vrrp/instance.js';
import { type Advertisement, decodeAdvertisement, encodeAdvertisement } from '../../../src/vrrp/packet.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { configWith } from '../../helpers/vrrp-instance.js';

const SELF = '198.51.100.11';
const PEER = '198.51.100.12';
const GROUP = '224.0.0.18';
const AH = 'authentication {\n auth_type AH\n auth_pass secret\n }';

function harness() {
  const config = configWith('eth0', AH);
  const clock = new FakeClock();
  const sent: { advert: Advertisement; envelope: AhEnvelope }[] = [];
  const problems: string[] = [];
  const runtime = new VrrpInstanceRuntime(config.instances[0]!, {
    link: {
      sourceAddress: SELF,
      send: () => assert.fail('an AH instance sends nothing bare'),
      sendAh(datagram, destination, source) {
        assert.deepEqual([destination, source], [GROUP, SELF]);
        const envelope = openEnvelope(datagram);
        assert.ok(envelope);
        const decoded = decodeAdvertisement(envelope.message, { family: 4, source, destination });
        assert.ok(decoded.ok);
        sent.push({ advert: decoded.advert, envelope });
      },
    },
    addresses: { add: async () => undefined, remove: async () => undefined },
    announcer: { announce: () => undefined },
    clock,
    observer: { transition: () => undefined, problem: (_i, kind) => problems.push(kind) },
    announceIntervals: announceIntervalsOf(config.global),
  });
  /** An advert from PEER as keepalived would send it, sealed under `password`. */
  const ahAdvertFrom = (priority: number, sequence: number, password = 'secret') => {
    const advert: Advertisement = {
      version: 2,
      vrid: 51,
      priority,
      addresses: ['198.51.100.200'],
      advertIntervalCs: 100,
      ah: true,
    };
    const ip = { family: 4 as const, source: PEER, destination: GROUP };
    const fields = { ...ip, id: sequence, sequence, unicast: false };
    const envelope = openEnvelope(sealAdvert(encodeAdvertisement(advert, ip), fields, ahKey(password)))!;
    runtime.receive(advert, { ...ip, ttl: 255 }, envelope);
  };
  return { clock, sent, problems, runtime, ahAdvertFrom };
}

describe('VRRP instance with auth_type AH', () => {
  test('a backup that takes over numbers its AH adverts on from the master it heard', () => {
    const h = harness();
    h.runtime.start();
    for (const sequence of [41, 42, 43]) {
      h.ahAdvertFrom(200, sequence);
      h.clock.advance(1000);
    }
    assert.equal(h.runtime.state, 'BACKUP');
    assert.equal(h.runtime.status().counters.advertsReceived, 3);
    h.clock.advance(3415);
    assert.equal(h.runtime.state, 'MASTER');
    h.clock.advance(1000);
    // Master since 3414 ms after the last advert heard: one advert, and one every half interval since.
    assert.deepEqual(
      h.sent.map((s) => s.envelope.sequence),
      [44, 45, 46, 47, 48],
    );
    for (const { advert, envelope } of h.sent) {
      assert.equal(advert.ah, true, 'auth type 2');
      assert.equal(envelope.spi, 0xc633640b, 'SPI = 198.51.100.11');
      // What the peer checks: our ICV under the shared key.
      assert.deepEqual(verifyEnvelope(envelope, ahKey('secret'), false, new AhSequence()), { ok: true });
    }
    assert.notDeepEqual(verifyEnvelope(h.sent[0]!.envelope, ahKey('secreT'), false, new AhSequence()), { ok: true });
  });

  test('a wrong key, a replayed number or a bare advert is dropped and does not hold the backup back', () => {
    const h = harness();
    h.runtime.start();
    h.ahAdvertFrom(200, 7);
    h.clock.advance(1000);
    h.ahAdvertFrom(200, 8, 'guessed');
    h.ahAdvertFrom(200, 7);
    h.runtime.receive(
      { version: 2, vrid: 51, priority: 200, addresses: ['198.51.100.200'], advertIntervalCs: 100 },
      { family: 4, source: PEER, destination: GROUP, ttl: 255 },
    );
    assert.deepEqual(h.runtime.status().counters.drops, { auth_mismatch: 1, ah_replayed: 1, auth_type_mismatch: 1 });
    assert.deepEqual(h.problems, ['auth_mismatch', 'ah_replayed', 'auth_type_mismatch']);
    // Master_Down_Interval 3.4140625 s after the one good advert.
    h.clock.advance(2414);
    assert.equal(h.runtime.state, 'BACKUP');
    h.clock.advance(1);
    assert.equal(h.runtime.state, 'MASTER');
  });

  test('a master hearing a lower priority numbers above that router', () => {
    const h = harness();
    h.runtime.start();
    h.clock.advance(3415);
    assert.equal(h.runtime.state, 'MASTER');
    const before = h.sent.length;
    h.ahAdvertFrom(100, 900);
    assert.equal(h.runtime.state, 'MASTER');
    // keepalived's answer to a lower priority: an advert at once, numbered above the other's.
    assert.deepEqual(
      h.sent.slice(before).map((s) => s.envelope.sequence),
      [902],
    );
  });
});
