// use_vmac's plan, decided as keepalived 2.2.7 decides it: names, MACs, which link already
// there is used, which is replaced, and the sysctls of the vmac and its lower device.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Link } from '../../../src/net/rtnetlink-codec.js';
import { planVmacs, type VmacRequest, virtualMac } from '../../../src/net/vmac-plan.js';

const link = (index: number, name: string, extra: Partial<Link> = {}): Link => ({
  index,
  name,
  up: true,
  running: true,
  lowerUp: true,
  flags: 0,
  ...extra,
});
const eth0 = link(2, 'eth0', { mac: '02:00:00:00:00:01', kind: 'veth' });
const want = (extra: Partial<VmacRequest> = {}): VmacRequest => ({
  instance: 'VI_1',
  base: 'eth0',
  family: 4,
  vrid: 7,
  ...extra,
});
const macvlan = (index: number, name: string, mac: string, extra: Partial<Link> = {}) =>
  link(index, name, { mac, kind: 'macvlan', macvlanMode: 1, parentIndex: 2, ...extra });

describe('use_vmac plan', () => {
  test('the RFC 5798 virtual MAC: 00:00:5e:00:01:VRID for IPv4, 02 for IPv6, VRID in hex', () => {
    assert.equal(virtualMac(4, 7), '00:00:5e:00:01:07');
    assert.equal(virtualMac(6, 255), '00:00:5e:00:02:ff');
  });

  test('a new vmac is vrrp.VRID, with the sysctls keepalived sets on it and its lower device', () => {
    const [plan] = planVmacs([want()], [eth0]).links;
    assert.equal(plan?.name, 'vrrp.7');
    assert.equal(plan?.mac, '00:00:5e:00:01:07');
    assert.equal(plan?.adopt, undefined);
    assert.deepEqual(
      plan?.sysctls.map((s) => `${s.path}=${s.value}`),
      [
        'net/ipv4/conf/vrrp.7/arp_ignore=1',
        'net/ipv4/conf/vrrp.7/accept_local=1',
        'net/ipv4/conf/vrrp.7/rp_filter=0',
        'net/ipv4/conf/vrrp.7/promote_secondaries=1',
        'net/ipv6/conf/vrrp.7/addr_gen_mode=1',
        'net/ipv6/conf/vrrp.7/disable_ipv6=1',
      ],
    );
    assert.deepEqual(
      plan?.baseSysctls.map((s) => `${s.path}=${s.value}`),
      ['net/ipv4/conf/eth0/arp_ignore=1', 'net/ipv4/conf/eth0/arp_filter=1'],
    );
  });

  test('an IPv6 vmac keeps IPv6 and leaves the lower device alone', () => {
    const [plan] = planVmacs([want({ family: 6 })], [eth0]).links;
    assert.equal(plan?.mac, '00:00:5e:00:02:07');
    assert.deepEqual(plan?.sysctls, [{ path: 'net/ipv6/conf/vrrp.7/addr_gen_mode', value: 1 }]);
    assert.deepEqual(plan?.baseSysctls, []);
  });

  test('names in use are skipped as keepalived does: IPv4 vrrp1.7 next, IPv6 vrrp6.7', () => {
    const names = planVmacs(
      [want(), want({ instance: 'VI_2', base: 'eth1' }), want({ instance: 'VI_6', family: 6 })],
      [eth0, link(3, 'eth1')],
    ).links.map((p) => p.name);
    assert.deepEqual(names, ['vrrp.7', 'vrrp1.7', 'vrrp6.7']);
  });

  test('vmac_prefix starts the name, cut to fit 15 bytes', () => {
    assert.equal(planVmacs([want()], [eth0], 'vip').links[0]?.name, 'vip.7');
    assert.equal(planVmacs([want({ vrid: 200 })], [eth0], 'averyverylongprefix').links[0]?.name, 'averyverylo.200');
  });

  test('a link that already is the vmac is used whatever its name (a previous run left it)', () => {
    const [plan] = planVmacs([want({ name: 'mine' })], [eth0, macvlan(9, 'old', '00:00:5e:00:01:07')]).links;
    assert.equal(plan?.name, 'old');
    assert.equal(plan?.adopt, 9);
  });

  test('a macvlan that is not the vmac is no match: on another device, in another mode, or with another MAC', () => {
    for (const other of [
      macvlan(9, 'vrrp.7', '00:00:5e:00:01:07', { parentIndex: 3 }),
      macvlan(9, 'vrrp.7', '00:00:5e:00:01:07', { macvlanMode: 4 }),
      macvlan(9, 'vrrp.7', '00:00:5e:00:01:08'),
    ]) {
      const [plan] = planVmacs([want({ name: 'vrrp.7' })], [eth0, other]).links;
      assert.equal(plan?.adopt, undefined);
      assert.equal(plan?.replace, 9, 'the configured name is a macvlan: replaced');
    }
  });

  test('a configured name held by another kind of link is given up, with a warning', () => {
    const plan = planVmacs([want({ name: 'eth0' })], [eth0]);
    assert.equal(plan.links[0]?.name, 'vrrp.7');
    assert.equal(plan.links[0]?.replace, undefined);
    assert.match(plan.warnings[0] ?? '', /eth0 exists and is not a macvlan/);
  });

  test("a name another instance's vmac has is dropped for a made-up one, never taken from it", () => {
    const twice = planVmacs([want({ name: 'v' }), want({ instance: 'VI_2', vrid: 8, name: 'v' })], [eth0]);
    assert.deepEqual(
      twice.links.map((p) => p.name),
      ['v', 'vrrp.8'],
    );
    assert.match(twice.warnings[0] ?? '', /VI_2: vmac name v is another instance's/);
    const running = planVmacs([want({ name: 'v' })], [eth0, macvlan(9, 'v', '00:00:5e:00:01:08')], 'vrrp', ['v']);
    assert.equal(running.links[0]?.name, 'vrrp.7');
    assert.equal(running.links[0]?.replace, undefined);
  });
});
