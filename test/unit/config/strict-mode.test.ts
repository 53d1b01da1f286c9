import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const noFiles = createMemoryReader({});
const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: noFiles });
const loaded = (text: string): Config => expectLoaded(load(text));

const STRICT = 'global_defs {\n  vrrp_strict\n}\n';
/** An instance whose body starts on line 7 of a STRICT file. */
const instance = (body: string, vip = '198.51.100.10/24') =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
const only = (text: string) => loaded(text).instances[0]!;

describe('vrrp_strict and strict_mode', () => {
  it('resets what strict mode forbids, as keepalived 2.2.7 does, with a warning where each was written', () => {
    const text = `${STRICT}${instance(
      [
        '  state MASTER',
        '  priority 100',
        '  preempt_delay 5',
        '  down_timer_adverts 5',
        '  garp_lower_prio_repeat 3',
        '  garp_lower_prio_delay 3',
        '  lower_prio_no_advert false',
        '  higher_prio_send_advert',
        '  authentication {\n    auth_type PASS\n    auth_pass secret\n  }',
      ].join('\n'),
    )}`;
    const result = load(text);
    const vi = expectLoaded(result).instances[0]!;
    assert.deepEqual(
      [
        vi.strict,
        vi.initialState,
        vi.preemptDelay,
        vi.downTimerAdverts,
        vi.garpLowerPrioRepeat,
        vi.garpLowerPrioDelay,
        vi.lowerPrioNoAdvert,
        vi.higherPrioSendAdvert,
        vi.auth,
      ],
      [true, 'BACKUP', 0, 3, 0, 0, true, false, undefined],
    );
    expectDiagnostic(result, 'warning', 'mem.conf:7:3', 'only the address owner (priority 255) starts as MASTER');
    expectDiagnostic(result, 'warning', 'mem.conf:9:3', '`preempt_delay` is not allowed');
    expectDiagnostic(result, 'warning', 'mem.conf:10:3', '`down_timer_adverts` must be 3');
    expectDiagnostic(result, 'warning', 'mem.conf:11:3', 'no repeated gratuitous ARP');
    expectDiagnostic(result, 'warning', 'mem.conf:12:3', 'no delayed gratuitous ARP');
    expectDiagnostic(result, 'warning', 'mem.conf:13:3', 'no advert in answer to a lower priority');
    expectDiagnostic(result, 'warning', 'mem.conf:14:3', '`higher_prio_send_advert` must be off');
    expectDiagnostic(result, 'warning', 'mem.conf:15:3', 'authentication is not allowed');
  });

  it("implies keepalived's strict defaults whatever global_defs says, without a word", () => {
    const text = `global_defs {\n  vrrp_strict\n  vrrp_garp_lower_prio_repeat 4\n  vrrp_higher_prio_send_advert\n}\n${instance('')}`;
    const result = load(text);
    const vi = expectLoaded(result).instances[0]!;
    assert.deepEqual(
      [vi.garpLowerPrioRepeat, vi.garpLowerPrioDelay, vi.lowerPrioNoAdvert, vi.higherPrioSendAdvert],
      [0, 0, true, false],
    );
    assert.deepEqual(warningsOf(result), []);
  });

  it('strict_mode decides per instance, over vrrp_strict, and takes an on/off word', () => {
    assert.equal(only(`${STRICT}${instance('  strict_mode off\n  preempt_delay 5')}`).preemptDelay, 5);
    const own = only(instance('  strict_mode\n  preempt_delay 5'));
    assert.deepEqual([own.strict, own.preemptDelay], [true, 0]);
    assert.equal(only(instance('')).strict, false);
  });

  it('runs an IPv6 instance asked to run VRRPv2 as version 3, and wants a link-local first VIP', () => {
    const result = load(`${STRICT}${instance('  version 2', '2001:db8::10/64')}`);
    assert.equal(expectLoaded(result).instances[0]!.version, 3);
    expectDiagnostic(result, 'warning', 'mem.conf:7:3', 'IPv6 cannot run VRRP version 2');
    expectDiagnostic(result, 'warning', 'mem.conf:9:5', 'the first IPv6 VIP must be link-local');
  });

  it('leaves unicast peers alone, as 2.2.7 does (its check runs before the peers count)', () => {
    const result = load(`${STRICT}${instance('  unicast_peer {\n    198.51.100.9\n  }')}`);
    assert.equal(expectLoaded(result).instances[0]!.unicastPeers.length, 1);
    assert.deepEqual(warningsOf(result), []);
  });
});

describe('accept and no_accept', () => {
  const accept = (text: string) => only(text).accept;

  it('default: on without strict mode, off in it, on for the address owner', () => {
    assert.equal(accept(instance('')), true);
    assert.equal(accept(`${STRICT}${instance('')}`), false);
    assert.equal(accept(`${STRICT}${instance('  priority 255')}`), true);
  });

  it('the later of accept and no_accept wins; strict VRRPv2 turns accept off, VRRPv3 keeps it', () => {
    assert.equal(accept(instance('  accept\n  no_accept')), false);
    assert.equal(accept(instance('  no_accept\n  accept')), true);
    assert.equal(accept(`${STRICT}${instance('  version 3\n  accept')}`), true);
    const result = load(`${STRICT}${instance('  accept')}`);
    assert.equal(expectLoaded(result).instances[0]!.accept, false);
    expectDiagnostic(result, 'warning', 'mem.conf:7:3', 'VRRPv2 (RFC 3768) has no accept mode');
  });
});

describe('nftables settings', () => {
  const nft = (lines: string) => loaded(`global_defs {\n${lines}\n}\n`).global.nftables;

  it("defaults to keepalived's: table keepalived, priority -1, no counters, names for untracked link-local VIPs", () => {
    assert.deepEqual(nft(''), { named: false, table: 'keepalived', priority: -1, counters: false, ifindex: false });
  });

  it('reads nftables [TABLE], nftables_priority, nftables_counters and nftables_ifindex', () => {
    assert.deepEqual(nft('  nftables vt\n  nftables_priority -5\n  nftables_counters\n  nftables_ifindex'), {
      named: true,
      table: 'vt',
      priority: -5,
      counters: true,
      ifindex: true,
    });
    assert.equal(nft('  nftables').table, 'keepalived');
  });

  it('refuses a table name nft would read as more than a name', () => {
    const result = load('global_defs {\n  nftables x;flush\n}\n');
    expectDiagnostic(result, 'error', 'mem.conf:2:12', 'which reads only a letter then letters');
  });

  it('keeps the first nftables, as keepalived does, and warns about the second', () => {
    const result = load('global_defs {\n  nftables one\n  nftables two\n}\n');
    assert.equal(expectLoaded(result).global.nftables.table, 'one');
    expectDiagnostic(result, 'warning', 'mem.conf:3:3', '`nftables` is already set');
  });

  it('draws no "not implemented" warning any more', () => {
    const result = load(
      `global_defs {\n  vrrp_strict\n  nftables\n  nftables_priority 2\n  nftables_counters\n  nftables_ifindex\n}\n${instance('  strict_mode on\n  no_accept')}`,
    );
    assert.deepEqual(
      warningsOf(result).filter((w) => w.message.includes('not implemented')),
      [],
    );
  });
});
