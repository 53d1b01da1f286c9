import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NftablesSettings } from '../../../src/config/index.js';
import {
  dropElement,
  dropTablesScript,
  elementsScript,
  linkLocalSetScript,
  staleTablesScript,
  tableScript,
} from '../../../src/net/nft-ruleset.js';

const SETTINGS: NftablesSettings = { named: false, table: 'keepalived', priority: -1, counters: false, ifindex: false };

describe('the nftables ruleset of the VIP drop rules', () => {
  it("IPv4: keepalived's vips set and drop rules in output and input base chains at its priority", () => {
    assert.deepEqual(tableScript(SETTINGS, 'ip'), [
      'add table ip keepalived',
      'add set ip keepalived vips { type ipv4_addr; }',
      'add chain ip keepalived out { type filter hook output priority -1; policy accept; }',
      'add chain ip keepalived in { type filter hook input priority -1; policy accept; }',
      'add rule ip keepalived out ip saddr @vips drop',
      'add rule ip keepalived in ip daddr @vips drop',
    ]);
  });

  it('IPv6: neighbour discovery passes, link-local goes to its own chains, then the vips drop; counters when asked', () => {
    const lines = tableScript({ ...SETTINGS, table: 'vt', priority: 5, counters: true }, 'ip6');
    assert.ok(lines.includes('add chain ip6 vt in { type filter hook input priority 5; policy accept; }'));
    assert.deepEqual(
      lines.filter((l) => l.startsWith('add rule ip6 vt in ')),
      [
        'add rule ip6 vt in icmpv6 type @neighbor-discovery counter accept',
        'add rule ip6 vt in ip6 daddr fe80::/10 counter goto in_link_local',
        'add rule ip6 vt in ip6 daddr @vips counter drop',
      ],
    );
    assert.ok(lines.some((l) => l.includes('set ip6 vt neighbor-discovery') && l.includes('nd-neighbor-advert')));
  });

  it('a link-local VIP is matched with its interface: by index, or by name when the instance does not track it', () => {
    assert.deepEqual(dropElement({ address: '198.51.100.1', family: 4 }, 'eth0', true), {
      family: 'ip',
      set: 'vips',
      key: '198.51.100.1',
    });
    assert.equal(dropElement({ address: '2001:db8::1', family: 6 }, 'eth0', true).set, 'vips');
    assert.deepEqual(dropElement({ address: 'fe80::1', family: 6 }, 'eth0', false), {
      family: 'ip6',
      set: 'vips_link_local',
      key: 'fe80::1 . "eth0"',
    });
    assert.equal(dropElement({ address: 'fe80::1', family: 6 }, 'eth0', true).set, 'vips_link_local_name');
    // On another interface than the instance's, keepalived keeps the index.
    assert.equal(dropElement({ address: 'fe80::1', family: 6, dev: 'eth1' }, 'eth0', true).set, 'vips_link_local');
    assert.deepEqual(linkLocalSetScript(SETTINGS, 'vips_link_local_name'), [
      'add set ip6 keepalived vips_link_local_name { type ipv6_addr . ifname; }',
      'add rule ip6 keepalived in_link_local ip6 daddr . iifname @vips_link_local_name drop',
      'add rule ip6 keepalived out_link_local ip6 saddr . oifname @vips_link_local_name drop',
    ]);
  });

  it('elements go one command per set; stale tables are added then deleted so that a missing one is no error', () => {
    const elements = [
      dropElement({ address: '198.51.100.1', family: 4 }, 'eth0', false),
      dropElement({ address: '198.51.100.2', family: 4 }, 'eth0', false),
      dropElement({ address: 'fe80::1', family: 6 }, 'eth0', false),
    ];
    assert.deepEqual(elementsScript(SETTINGS, 'delete', elements), [
      'delete element ip keepalived vips { 198.51.100.1, 198.51.100.2 }',
      'delete element ip6 keepalived vips_link_local { fe80::1 . "eth0" }',
    ]);
    assert.deepEqual(staleTablesScript(SETTINGS), [
      'add table ip keepalived',
      'delete table ip keepalived',
      'add table ip6 keepalived',
      'delete table ip6 keepalived',
    ]);
    assert.deepEqual(dropTablesScript(SETTINGS, ['ip6']), ['delete table ip6 keepalived']);
  });
});
