// The instance runtime with fake ports and a fake clock: what goes on the wire and onto the
// interface, and when.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Vip } from '../../../src/config/index.js';
import {
  announceIntervalsOf,
  emptyCounters,
  type Transition,
  VrrpInstanceRuntime,
} from '../../../src/vrrp/instance.js';
import { type Advertisement, decodeAdvertisement } from '../../../src/vrrp/packet.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { configWith, instanceOn } from '../../helpers/vrrp-instance.js';

const SELF = '198.51.100.11';
const PEER = '198.51.100.12';

const instanceConfig = (extra = '') => instanceOn('eth0', extra);

/** `extra` goes into the instance, `globals` into global_defs. */
function harness(extra = '', globals = '') {
  const config = configWith('eth0', extra, globals);
  const clock = new FakeClock();
  const sent: { advert: Advertisement; destination: string; at: number }[] = [];
  const log: string[] = [];
  const transitions: Transition[] = [];
  const onInterface = new Set<string>();
  const runtime = new VrrpInstanceRuntime(config.instances[0]!, {
    link: {
      sourceAddress: SELF,
      send(payload, destination, source) {
        assert.equal(source, SELF, 'adverts leave from the address their checksum covers');
        const decoded = decodeAdvertisement(payload, { family: 4, source, destination });
        assert.ok(decoded.ok, 'the runtime sends adverts that decode');
        sent.push({ advert: decoded.advert, destination, at: clock.now() });
      },
    },
    addresses: {
      add: async (vips: readonly Vip[]) => {
        log.push(`add ${vips.map((v) => v.address).join(',')} @${clock.now()}`);
        for (const v of vips) onInterface.add(v.address);
      },
      remove: async (vips: readonly Vip[]) => {
        log.push(`remove @${clock.now()}`);
        for (const v of vips) onInterface.delete(v.address);
      },
    },
    announcer: { announce: (vips) => log.push(`announce ${vips.length} @${clock.now()}`) },
    clock,
    observer: {
      transition: (t) => transitions.push(t),
      problem: (_i, _kind, message) => log.push(`problem ${message}`),
    },
    announceIntervals: announceIntervalsOf(config.global),
  });
  /** Lets queued VIP changes (promises) settle. */
  const settle = () => new Promise((r) => setImmediate(r));
  const advertFrom = (source: string, priority: number, overrides: Partial<Advertisement> = {}, ttl = 255) =>
    runtime.receive(
      { version: 2, vrid: 51, priority, addresses: ['198.51.100.200'], advertIntervalCs: 100, ...overrides },
      { family: 4, source, destination: '224.0.0.18', ttl },
    );
  const announces = () => log.filter((l) => l.startsWith('announce')).length;
  /** Started, master, and past the gratuitous-ARP bursts of becoming master. */
  const settledMaster = async () => {
    runtime.start();
    clock.advance(3415);
    await settle();
    clock.advance(10_000);
  };
  return { clock, sent, log, transitions, onInterface, runtime, settle, advertFrom, announces, settledMaster };
}

describe('VRRP instance runtime', () => {
  test('becomes master after Master_Down_Interval: advert first, then VIPs, then gratuitous ARP bursts', async () => {
    const h = harness();
    h.runtime.start();
    assert.equal(h.runtime.state, 'BACKUP');
    // v2, priority 150: 3 × 1 s + (256 − 150) / 256 s = 3.4140625 s
    h.clock.advance(3414);
    assert.equal(h.runtime.state, 'BACKUP');
    h.clock.advance(1);
    assert.equal(h.runtime.state, 'MASTER');
    assert.deepEqual(
      h.sent.map((s) => [s.advert.priority, s.destination]),
      [[150, '224.0.0.18']],
    );
    await h.settle();
    // VIPs and excluded VIPs both go on the interface; only the VIPs are advertised.
    assert.deepEqual([...h.onInterface].sort(), ['198.51.100.200', '2001:db8::200']);
    assert.deepEqual(h.sent[0]!.advert.addresses, ['198.51.100.200']);
    // garp_master_repeat 5 at once, 5 more after garp_master_delay 5 s (keepalived's defaults).
    assert.equal(h.log.filter((l) => l.startsWith('announce')).length, 5);
    h.clock.advance(5000);
    assert.equal(h.log.filter((l) => l.startsWith('announce')).length, 10);
    // Adverts every advert_int while master, each repeated half an interval later.
    const start = h.sent[0]!.at;
    assert.deepEqual(
      h.sent.map((x) => x.at - start),
      [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000],
    );
    assert.equal(h.transitions.at(-1)?.to, 'MASTER');
    assert.match(h.transitions.at(-1)!.reason, /master down timer expired/);
  });

  test('a higher-priority advert makes the master step down and remove exactly its VIPs', async () => {
    const h = harness();
    h.runtime.start();
    h.clock.advance(3415);
    await h.settle();
    h.advertFrom(PEER, 200);
    await h.settle();
    assert.equal(h.runtime.state, 'BACKUP');
    assert.deepEqual([...h.onInterface], []);
    assert.equal(h.runtime.status().masterAddress, PEER);
    const announced = h.log.filter((l) => l.startsWith('announce')).length;
    for (let i = 0; i < 10; i++) {
      h.clock.advance(1000);
      h.advertFrom(PEER, 200);
    }
    assert.equal(h.runtime.state, 'BACKUP');
    assert.equal(
      h.log.filter((l) => l.startsWith('announce')).length,
      announced,
      'no more gratuitous ARPs after leaving master',
    );
  });

  test('stop as master sends priority 0 and removes the VIPs', async () => {
    const h = harness();
    h.runtime.start();
    h.clock.advance(3415);
    await h.settle();
    await h.runtime.stop();
    // The resignation goes out twice: a lost one would cost the backups a Master_Down_Interval.
    assert.deepEqual(
      h.sent.slice(-2).map((x) => x.advert.priority),
      [0, 0],
    );
    assert.deepEqual([...h.onInterface], []);
    assert.equal(h.runtime.state, 'INIT');
    assert.equal(h.runtime.status().counters.priorityZeroSent, 2);
    const sent = h.sent.length;
    h.clock.advance(5000);
    assert.equal(h.sent.length, sent, 'nothing more after stop, not even a pending repeat');
  });

  test("leaving MASTER counts as keepalived's release_master; clearing the counters zeroes them all", async () => {
    const h = harness();
    h.runtime.start();
    h.clock.advance(3415);
    await h.settle();
    h.advertFrom(PEER, 200);
    await h.settle();
    const { counters } = h.runtime.status();
    assert.deepEqual([counters.becameMaster, counters.releasedMaster, counters.advertsReceived], [1, 1, 1]);
    h.runtime.clearCounters();
    assert.deepEqual(h.runtime.status().counters, emptyCounters());
  });

  test('a master hearing a lower-priority master (a healed partition) answers at once and announces its VIPs again, as often as on becoming master', async () => {
    const h = harness();
    await h.settledMaster();
    const before = { adverts: h.sent.length, announces: h.announces() };
    h.advertFrom(PEER, 100);
    assert.equal(h.runtime.state, 'MASTER');
    assert.equal(h.sent.length, before.adverts + 1, 'an advert goes out at once');
    // keepalived's garp_lower_prio_repeat and _delay default to garp_master_repeat and _delay: 5, and 5 more after 5 s.
    assert.equal(h.announces(), before.announces + 5);
    h.clock.advance(5000);
    assert.equal(h.announces(), before.announces + 10);
  });

  test('vrrp_garp_lower_prio_repeat and _delay set the answer to a lower-priority master; an instance may override them', async () => {
    const h = harness('', 'vrrp_garp_lower_prio_repeat 2\n  vrrp_garp_lower_prio_delay 3');
    await h.settledMaster();
    const before = h.announces();
    h.advertFrom(PEER, 100);
    assert.equal(h.announces(), before + 2);
    h.clock.advance(2999);
    assert.equal(h.announces(), before + 2);
    h.clock.advance(1);
    assert.equal(h.announces(), before + 4);

    const own = harness('garp_lower_prio_repeat 0', 'vrrp_garp_lower_prio_repeat 2');
    await own.settledMaster();
    const adverts = own.sent.length;
    const announced = own.announces();
    own.advertFrom(PEER, 100);
    own.clock.advance(10_000);
    assert.equal(own.announces(), announced, 'garp_lower_prio_repeat 0: no gratuitous ARP');
    assert.equal(own.sent.length - adverts, 1 + 20, 'the answer, then the regular adverts and their repeats');
  });

  test('vrrp_lower_prio_no_advert: a lower-priority master gets no advert in answer, but the VIPs are announced again', async () => {
    const h = harness('', 'vrrp_lower_prio_no_advert\n  vrrp_garp_lower_prio_delay 0');
    await h.settledMaster();
    const before = { adverts: h.sent.length, announces: h.announces() };
    h.advertFrom(PEER, 100);
    assert.equal(h.sent.length, before.adverts);
    assert.equal(h.announces(), before.announces + 5);

    const instance = harness('lower_prio_no_advert off', 'vrrp_lower_prio_no_advert');
    await instance.settledMaster();
    const adverts = instance.sent.length;
    instance.advertFrom(PEER, 100);
    assert.equal(instance.sent.length, adverts + 1, "the instance's own setting wins");
  });

  test('vrrp_min_garp: one round of gratuitous ARP on becoming master, and none 5 s later', async () => {
    const h = harness('', 'vrrp_min_garp');
    h.runtime.start();
    h.clock.advance(3415);
    await h.settle();
    assert.equal(h.announces(), 1);
    h.clock.advance(10_000);
    assert.equal(h.announces(), 1);
    // Also for the answer to a lower-priority master, which defaults to the master values.
    h.advertFrom(PEER, 100);
    h.clock.advance(10_000);
    assert.equal(h.announces(), 2);
  });

  test('vrrp_garp_interval spaces the IPv4 rounds of a burst, vrrp_gna_interval the IPv6 ones', async () => {
    const h = harness(
      'garp_master_repeat 3\n  garp_master_delay 0',
      'vrrp_garp_interval 0.1\n  vrrp_gna_interval 0.25',
    );
    h.runtime.start();
    h.clock.advance(3415);
    await h.settle();
    h.clock.advance(1000);
    // The VIP is IPv4, the excluded VIP IPv6: one address per round, each family on its own pace.
    const at = h.log.filter((l) => l.startsWith('announce')).map((l) => Number(l.split('@')[1]) - 3415);
    assert.deepEqual(at, [0, 0, 100, 200, 250, 500]);
  });

  test('vrrp_down_timer_adverts: a backup takes over after that many silent intervals, an instance may say otherwise', () => {
    const h = harness('', 'vrrp_down_timer_adverts 1');
    h.runtime.start();
    // 1 × 1 s + (256 − 150) / 256 s
    h.clock.advance(1414);
    assert.equal(h.runtime.state, 'BACKUP');
    h.clock.advance(1);
    assert.equal(h.runtime.state, 'MASTER');

    const own = harness('down_timer_adverts 5', 'vrrp_down_timer_adverts 1');
    own.runtime.start();
    own.clock.advance(5414);
    assert.equal(own.runtime.state, 'BACKUP');
    own.clock.advance(1);
    assert.equal(own.runtime.state, 'MASTER');
  });

  test("vrrp_check_unicast_src: adverts from outside the unicast peers are dropped, a peer's still count", () => {
    const h = harness(`unicast_peer {\n ${PEER}\n }`, 'vrrp_check_unicast_src');
    h.runtime.start();
    h.advertFrom('198.51.100.66', 200);
    assert.deepEqual(h.runtime.status().counters.drops, { unknown_unicast_source: 1 });
    assert.match(h.log.at(-1)!, /198\.51\.100\.66 dropped: not one of the unicast peers/);
    h.advertFrom(PEER, 200);
    assert.equal(h.runtime.status().masterAddress, PEER);

    const unchecked = harness(`unicast_peer {\n ${PEER}\n }`);
    unchecked.runtime.start();
    unchecked.advertFrom('198.51.100.66', 200);
    assert.equal(unchecked.runtime.status().masterAddress, '198.51.100.66', 'without it, any source is heard');
    const instance = harness(`check_unicast_src\n unicast_peer {\n ${PEER}\n }`);
    instance.runtime.start();
    instance.advertFrom('198.51.100.66', 200);
    assert.deepEqual(instance.runtime.status().counters.drops, { unknown_unicast_source: 1 }, 'per instance too');
  });

  test("a unicast peer's min_ttl / max_ttl: adverts arriving outside them are dropped as bad_ttl (they turn check_unicast_src on)", () => {
    const h = harness(`unicast_peer {\n ${PEER} min_ttl 250 max_ttl 254\n }`);
    h.runtime.start();
    h.advertFrom(PEER, 200, {}, 255);
    h.advertFrom(PEER, 200, {}, 249);
    assert.deepEqual(h.runtime.status().counters.drops, { bad_ttl: 2 });
    assert.match(h.log.at(-1)!, /TTL 249 is outside its peer's min_ttl 250 \.\. max_ttl 254/);
    h.advertFrom(PEER, 200, {}, 252);
    assert.equal(h.runtime.status().masterAddress, PEER);
    h.advertFrom('198.51.100.66', 220);
    assert.equal(h.runtime.status().counters.drops.unknown_unicast_source, 1);
  });

  test('3,000 lower-priority adverts in a second from three sources: three answers, not 3,000 adverts and GARP rounds', async () => {
    const h = harness();
    await h.settledMaster();
    const { announces } = h;
    const before = { adverts: h.sent.length, announces: announces() };
    for (let i = 0; i < 3000; i++) {
      h.advertFrom(`198.51.100.${20 + (i % 3)}`, 100);
      h.clock.advance(1 / 3);
    }
    assert.equal(h.runtime.state, 'MASTER');
    assert.equal(h.runtime.status().counters.advertsReceived, 3000);
    // Three answers, the first at once, and the repeat of the last half an interval later; they
    // stand in for the regular advert of that second, which they pushed back.
    assert.equal(h.sent.length - before.adverts, 3 + 1);
    // Each answer's gratuitous ARPs: keepalived's 5 rounds at once (and 5 more 5 s later).
    assert.equal(announces() - before.announces, 3 * 5);
  });

  test('an address owner advertising other addresses is reported under one kind, whatever the list', () => {
    const clock = new FakeClock();
    const kinds: string[] = [];
    const runtime = new VrrpInstanceRuntime(instanceConfig(), {
      link: { sourceAddress: SELF, send: () => undefined },
      addresses: { add: async () => undefined, remove: async () => undefined },
      announcer: { announce: () => undefined },
      clock,
      observer: { transition: () => undefined, problem: (_i, kind) => kinds.push(kind) },
      announceIntervals: { 4: 0, 6: 0 },
    });
    runtime.start();
    for (const last of [1, 2, 3])
      runtime.receive(
        { version: 2, vrid: 51, priority: 255, addresses: [`203.0.113.${last}`], advertIntervalCs: 100 },
        { family: 4, source: PEER, destination: '224.0.0.18', ttl: 255 },
      );
    assert.deepEqual(kinds, Array(3).fill('address_mismatch_from_owner'));
  });

  test('adverts that fail the instance checks are counted by reason and change nothing', () => {
    const h = harness('authentication {\n auth_type PASS\n auth_pass secret\n }');
    h.runtime.start();
    h.advertFrom(PEER, 200, { password: 'wrong' });
    h.advertFrom(PEER, 200, { password: 'secret', advertIntervalCs: 200 });
    h.advertFrom(PEER, 200, { password: 'secret', addresses: ['198.51.100.9'] });
    const { counters } = h.runtime.status();
    assert.deepEqual(counters.drops, { auth_mismatch: 1, interval_mismatch: 1, address_mismatch: 1 });
    assert.equal(counters.advertsReceived, 0);
    // None of them reset the Master_Down_Timer: it takes over on time.
    h.clock.advance(3415);
    assert.equal(h.runtime.state, 'MASTER');
  });

  test('an advert with a TTL other than 255 is dropped as bad_ttl without unicast peers', () => {
    const h = harness();
    h.runtime.start();
    h.advertFrom(PEER, 200, {}, 64);
    assert.deepEqual(h.runtime.status().counters.drops, { bad_ttl: 1 });
    assert.match(h.log.at(-1)!, /advert from 198\.51\.100\.12 dropped: TTL 64, expected 255/);
    h.clock.advance(3415);
    assert.equal(h.runtime.state, 'MASTER');
  });

  test('with unicast peers, an advert is accepted whatever its TTL (keepalived sends IPv6 unicast with 64)', () => {
    const h = harness(`unicast_peer {\n ${PEER}\n }`);
    h.runtime.start();
    h.advertFrom(PEER, 200, {}, 64);
    const { counters } = h.runtime.status();
    assert.deepEqual([counters.drops, counters.advertsReceived], [{}, 1]);
    assert.equal(h.runtime.status().masterAddress, PEER);
  });

  test('unicast peers get the adverts instead of the multicast group', () => {
    const h = harness(`unicast_peer {\n ${PEER}\n 198.51.100.13\n }`);
    h.runtime.start();
    h.clock.advance(3415);
    assert.deepEqual(
      h.sent.map((s) => s.destination),
      [PEER, '198.51.100.13'],
    );
  });
});
