// The guard between rtnetlink's address events and the instances' VIPs: what it puts back, when,
// what it announces and what it logs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Vip } from '../../../src/config/index.js';
import { RestoreBackoff, VipGuard } from '../../../src/daemon/vip-guard.js';
import type { InterfaceAddress } from '../../../src/net/rtnetlink.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeHost, loInstance } from '../../helpers/fake-vip-host.js';

const settle = () => new Promise((r) => setImmediate(r));

function removed(address: string, prefix: number, ifindex = 1): { kind: 'removed'; address: InterfaceAddress } {
  const family = address.includes(':') ? 6 : 4;
  return {
    kind: 'removed',
    address: {
      ifindex,
      family,
      address,
      prefix,
      scope: 'global',
      secondary: false,
      tentative: false,
      dadFailed: false,
      flags: 0,
    },
  };
}

/**
 * `reread`: the guard knows the instance from a config read again, as after a reload;
 * `noTrack`: the first VIP's line says `no_track`.
 */
async function harness(extra = 'garp_master_repeat 2\n  garp_master_delay 1', reread = false, noTrack = false) {
  const clock = new FakeClock();
  const host = new FakeHost();
  const instance = loInstance(extra);
  if (noTrack) instance.vips[0]!.noTrack = true;
  const announced: string[] = [];
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const log = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  } as never;
  const guard = new VipGuard({
    instances: [reread ? loInstance(extra) : instance],
    announceIntervals: { 4: 0.1, 6: 0.1 },
    announce: (ifname: string, vips: readonly Vip[]) =>
      announced.push(`${ifname} ${vips.map((v) => v.address).join(',')} @${clock.now()}`),
    clock,
    log,
  });
  const addresses = guard.guard(host.addresses());
  const vips = [...instance.vips, ...instance.excludedVips];
  await addresses.add(vips);
  return { clock, host, guard, addresses, vips, announced, warnings };
}

describe('VipGuard', () => {
  test('a held VIP deleted by someone: put back at once, announced on the instance schedule, one warning naming it', async () => {
    const h = await harness();
    h.host.deleteByHand('198.51.100.200', 24);
    h.guard.onEvent(removed('198.51.100.200', 24));
    await settle();
    assert.ok(h.host.onInterfaces.has('1 198.51.100.200/24'), 'back on the interface without waiting for time');
    h.clock.advance(2000);
    // garp_master_repeat 2, vrrp_garp_interval 0.1 s, then the same again after garp_master_delay 1 s.
    assert.deepEqual(h.announced, [
      'lo 198.51.100.200 @0',
      'lo 198.51.100.200 @100',
      'lo 198.51.100.200 @1000',
      'lo 198.51.100.200 @1100',
    ]);
    assert.equal(h.warnings.length, 1);
    assert.deepEqual(h.warnings[0]!.fields, { instance: 'VI_1', interface: 'lo', address: '198.51.100.200/24' });
    assert.equal(h.warnings[0]!.message, 'VI_1: VIP 198.51.100.200/24 on lo was deleted while MASTER; putting it back');
  });

  test('a no_track VIP deleted by someone stays deleted, as keepalived leaves it', async () => {
    const h = await harness(undefined, false, true);
    h.host.deleteByHand('198.51.100.200', 24);
    h.guard.onEvent(removed('198.51.100.200', 24));
    await settle();
    h.clock.advance(10_000);
    assert.ok(!h.host.onInterfaces.has('1 198.51.100.200/24'));
    assert.deepEqual([h.announced, h.warnings], [[], []]);
  });

  test('after a reload that left the instance as it was, a deleted VIP is still put back and announced', async () => {
    const h = await harness('garp_master_repeat 1', true);
    h.host.deleteByHand('198.51.100.200', 24);
    h.guard.onEvent(removed('198.51.100.200', 24));
    await settle();
    assert.ok(h.host.onInterfaces.has('1 198.51.100.200/24'));
    assert.deepEqual(h.announced, ['lo 198.51.100.200 @0']);
    assert.match(h.warnings[0]!.message, /^VI_1: VIP 198\.51\.100\.200\/24 on lo was deleted while MASTER/);
  });

  test('an address not held is left alone: no re-add, no announcement, no log', async () => {
    const h = await harness();
    const before = h.host.requests.length;
    h.guard.onEvent(removed('198.51.100.11', 24));
    h.guard.onEvent(removed('198.51.100.200', 32));
    h.guard.onEvent({ kind: 'added', address: removed('198.51.100.200', 24).address });
    await settle();
    h.clock.advance(5000);
    assert.equal(h.host.requests.length, before);
    assert.deepEqual(h.announced, []);
    assert.deepEqual(h.warnings, []);
  });

  test('once the instance has left master, its own removals are no deletions to undo', async () => {
    const h = await harness();
    await h.addresses.remove(h.vips);
    h.guard.onEvent(removed('198.51.100.200', 24));
    h.guard.onEvent(removed('2001:db8::200', 64));
    await settle();
    assert.equal(h.host.onInterfaces.size, 0);
    assert.deepEqual(h.warnings, []);
  });

  test('a tool that keeps deleting: 0, 250, 500, 1000 ms … up to 5 s between re-adds, and one log line a minute', async () => {
    const h = await harness();
    const readdTimes: number[] = [];
    for (let i = 0; i < 8; i++) {
      // Wait for the VIP to be back, then delete it again at once.
      for (let t = 0; t < 10_000 && !h.host.onInterfaces.has('1 198.51.100.200/24'); t += 10) {
        h.clock.advance(10);
        await settle();
      }
      readdTimes.push(h.clock.now());
      h.host.deleteByHand('198.51.100.200', 24);
      h.guard.onEvent(removed('198.51.100.200', 24));
      await settle();
    }
    const gaps = readdTimes.slice(2).map((t, i) => t - readdTimes[i + 1]!);
    assert.deepEqual(gaps, [250, 500, 1000, 2000, 4000, 5000]);
    assert.equal(h.warnings.length, 1);
  });

  test('a delayed re-add does not happen if the instance left master meanwhile', async () => {
    const h = await harness();
    for (let i = 0; i < 2; i++) {
      h.host.deleteByHand('198.51.100.200', 24);
      h.guard.onEvent(removed('198.51.100.200', 24));
      await settle();
    }
    await h.addresses.remove(h.vips);
    h.clock.advance(1000);
    await settle();
    assert.ok(!h.host.onInterfaces.has('1 198.51.100.200/24'));
  });

  test('announcements stop when the instance gives the VIP up', async () => {
    const h = await harness();
    h.host.deleteByHand('2001:db8::200', 64);
    h.guard.onEvent(removed('2001:db8::200', 64));
    await settle();
    await h.addresses.remove(h.vips);
    h.clock.advance(2000);
    assert.deepEqual(h.announced, ['lo 2001:db8::200 @0']);
  });

  test('after lost notifications, a resync that lacks a held VIP puts it back', async () => {
    const h = await harness();
    h.host.deleteByHand('2001:db8::200', 64);
    h.guard.onEvent({ kind: 'resync', addresses: [removed('198.51.100.200', 24).address] });
    await settle();
    assert.ok(h.host.onInterfaces.has('1 2001:db8::200/64'));
  });
});

describe('RestoreBackoff', () => {
  test('at once the first time; doubling from 250 ms while deletions come within 10 s of each other, to 5 s; at once again after a quiet spell', () => {
    const backoff = new RestoreBackoff();
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => backoff.next('vip', s * 1000).delayMs);
    assert.deepEqual(delays, [0, 250, 500, 1000, 2000, 4000, 5000, 5000]);
    assert.deepEqual(backoff.next('vip', 17_001), { delayMs: 0, streak: 0 });
    assert.deepEqual(backoff.next('other', 17_001), { delayMs: 0, streak: 0 });
  });
});
