// vrrp_mcast_group4 / vrrp_mcast_group6 and mcast_dst_ip as keepalived 2.2.7 reads them: where an
// instance's adverts go, and which other instances may then share its VRID.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { errorsOf, expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });

const INSTANCE = (name: string, body: string, vip = '198.51.100.10/24', vrid = 51) =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n${body}\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
const GLOBAL = (body: string) => `global_defs {\n${body}\n}\n`;
const groupsOf = (text: string) => expectLoaded(load(text)).instances.map((i) => i.multicastGroup);

describe('VRRP multicast groups', () => {
  it('sends to the standard groups unless global_defs names others; each family takes its own', () => {
    assert.deepEqual(groupsOf(INSTANCE('A', '') + INSTANCE('B', '', '2001:db8::10/64', 52)), [
      '224.0.0.18',
      'ff02::12',
    ]);
    const configured = GLOBAL('  vrrp_mcast_group4 224.0.0.19\n  vrrp_mcast_group6 FF02::0013');
    assert.deepEqual(groupsOf(configured + INSTANCE('A', '') + INSTANCE('B', '', '2001:db8::10/64', 52)), [
      '224.0.0.19',
      'ff02::13',
    ]);
  });

  it('mcast_dst_ip sets one instance apart; unicast peers have no group, and the word is ignored with a warning', () => {
    assert.deepEqual(groupsOf(INSTANCE('A', '  mcast_dst_ip 224.0.0.20')), ['224.0.0.20']);
    const unicast = load(INSTANCE('A', '  mcast_dst_ip 224.0.0.20\n  unicast_peer {\n    198.51.100.12\n  }'));
    expectDiagnostic(unicast, 'warning', 'mem.conf:4:16', 'does not apply to an instance with unicast peers');
    assert.equal(expectLoaded(unicast).instances[0]!.multicastGroup, undefined);
  });

  it('refuses what is no multicast address of the family, at the value', () => {
    expectDiagnostic(
      load(GLOBAL('  vrrp_mcast_group4 198.51.100.1')),
      'error',
      'mem.conf:2:21',
      'expects an IPv4 multicast address',
    );
    expectDiagnostic(
      load(GLOBAL('  vrrp_mcast_group4 ff02::12')),
      'error',
      'mem.conf:2:21',
      'expects an IPv4 multicast',
    );
    expectDiagnostic(
      load(GLOBAL('  vrrp_mcast_group6 224.0.0.18')),
      'error',
      'mem.conf:2:21',
      'expects an IPv6 multicast',
    );
    expectDiagnostic(
      load(INSTANCE('A', '  mcast_dst_ip ff02::13')),
      'error',
      'mem.conf:4:16',
      'must be an IPv4 multicast',
    );
    expectDiagnostic(
      load(INSTANCE('A', '  mcast_dst_ip 198.51.100.9')),
      'error',
      'mem.conf:4:16',
      'must be an IPv4 multicast',
    );
    const site = load(INSTANCE('A', '  mcast_dst_ip ff05::13', '2001:db8::10/64'));
    expectDiagnostic(site, 'error', 'mem.conf:4:16', 'must be a link-local IPv6 multicast address (ff02::/16)');
  });

  it('warns of a global IPv6 group beyond the link, as keepalived does, and uses it', () => {
    const result = load(GLOBAL('  vrrp_mcast_group6 ff05::12') + INSTANCE('A', '', '2001:db8::10/64'));
    expectDiagnostic(result, 'warning', 'mem.conf:2:21', 'not link-local multicast');
    assert.equal(expectLoaded(result).instances[0]!.multicastGroup, 'ff05::12');
  });

  it('one VRID on one interface twice is refused unless the two multicast to different groups', () => {
    const apart = load(INSTANCE('A', '') + INSTANCE('B', '  mcast_dst_ip 224.0.0.19', '198.51.100.11/24'));
    assert.deepEqual(errorsOf(apart), []);
    assert.deepEqual(warningsOf(apart), []);
    const together = load(
      INSTANCE('A', '  mcast_dst_ip 224.0.0.19') + INSTANCE('B', '  mcast_dst_ip 224.0.0.19', '198.51.100.11/24'),
    );
    expectDiagnostic(together, 'error', 'mem.conf:11:21', 'virtual_router_id 51 is already used');
    // The standard group written out is the standard group.
    const spelled = load(INSTANCE('A', '') + INSTANCE('B', '  mcast_dst_ip 224.0.0.18', '198.51.100.11/24'));
    expectDiagnostic(spelled, 'error', 'mem.conf:11:21', 'virtual_router_id 51 is already used');
  });
});
