import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type LoadOptions, loadConfig, parseConfigText } from '../../../src/config/index.js';
import { fixture } from '../../helpers/paths.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors, warningsOf } from './assert-diagnostics.js';

/** Loads test/fixtures/config/NAME and returns it with a `file:line:col` builder for it. */
function broken(name: string, opts?: LoadOptions) {
  const file = fixture('config', name);
  return { result: loadConfig(file, opts), at: (line: number, col: number) => `${file}:${line}:${col}` };
}

describe('validation: VRRP instances', () => {
  it('virtual_router_id must be 1..255', () => {
    const { result, at } = broken('vrid-range.conf');
    expectOnlyErrors(result, [[at(3, 23), '`virtual_router_id` must be between 1 and 255, got 256']]);
  });

  it('priority must be 1..255', () => {
    const { result, at } = broken('priority-range.conf');
    expectOnlyErrors(result, [[at(4, 14), '`priority` must be between 1 and 255, got 0']]);
  });

  it('priority 255 requires the interface to own every VIP', () => {
    const notOwner = broken('priority-owner.conf', { interfaces: new Map([['eth0', ['198.51.100.5']]]) });
    expectOnlyErrors(notOwner.result, [
      [
        notOwner.at(5, 14),
        'priority 255 is reserved for the address owner, but `198.51.100.10` is not an address of `eth0`; use a priority from 1 to 254',
      ],
    ]);

    const owner = broken('priority-owner.conf', { interfaces: new Map([['eth0', ['198.51.100.5', '198.51.100.10']]]) });
    assert.equal(expectLoaded(owner.result).instances[0]!.priority, 255);

    // keepalived starts an owner without `state` as MASTER; `state BACKUP` still holds it back.
    const owner255 = (state: string) =>
      expectLoaded(
        parseConfigText(
          `vrrp_instance V {\n ${state}\n interface eth0\n virtual_router_id 1\n priority 255\n virtual_ipaddress {\n  198.51.100.10\n }\n}\n`,
          'k.conf',
        ),
      ).instances[0]!.initialState;
    assert.equal(owner255(''), 'MASTER');
    assert.equal(owner255('state BACKUP'), 'BACKUP');
  });

  it('an unknown interface is a warning when the host interfaces are given', () => {
    const { result, at } = broken('priority-owner.conf', { interfaces: new Map([['lo', ['127.0.0.1']]]) });
    expectDiagnostic(result, 'warning', at(3, 15), 'interface `eth0` does not exist on this host');
    // Without the interface, ownership cannot be judged: only the warning is reported.
    assert.deepEqual(result.diagnostics.length, 1);
    assert.ok(result.config);
  });

  it('advert_int is whole seconds 1..255 for VRRPv2', () => {
    const { result, at } = broken('advert-int-v2.conf');
    expectOnlyErrors(result, [
      [at(4, 16), '`advert_int` for VRRPv2 must be a whole number of seconds from 1 to 255, got 0.5'],
    ]);
  });

  it('advert_int is 0.01..40.95 in centiseconds for VRRPv3', () => {
    const { result, at } = broken('advert-int-v3.conf');
    expectOnlyErrors(result, [
      [at(7, 16), '`advert_int` for VRRPv3 must be from 0.01 to 40.95 seconds in steps of 0.01, got 0.005'],
      [at(15, 16), 'got 41'],
    ]);
  });

  it('preempt_delay is 0..1000', () => {
    const { result, at } = broken('preempt-delay-range.conf');
    expectOnlyErrors(result, [[at(4, 19), '`preempt_delay` must be between 0 and 1000, got 1001']]);
  });

  it('rejects bad numbers, addresses, prefixes, ports and weights at the offending token', () => {
    const { result, at } = broken('bad-values.conf');
    expectOnlyErrors(result, [
      [at(3, 12), '`weight` must be between -253 and 253, got 300'],
      [at(7, 23), '`virtual_router_id` expects a whole number, got `fifty`'],
      [at(9, 9), '`198.51.100.300/24` is not an IPv4 or IPv6 address'],
      [at(10, 9), 'prefix `/33` must be between 0 and 32 for an IPv4 address'],
      [at(11, 9), 'prefix `/129` must be between 0 and 128 for an IPv6 address'],
      [at(14, 21), '`weight` must be between -253 and 253, got -254'],
      [at(17, 30), '`70000` is not a port (1-65535)'],
      [at(21, 16), '`weight` must be between 0 and 2147483646, got -1'],
    ]);
  });

  it('every virtual_ipaddress must share the family of the first; excluded ones may differ', () => {
    const { result, at } = broken('vip-family-mix.conf');
    expectOnlyErrors(result, [
      [
        at(7, 9),
        `\`virtual_ipaddress\` cannot mix address families: \`2001:db8::10\` is IPv6 but \`198.51.100.10\` at ${at(6, 9)} is IPv4`,
      ],
    ]);
  });

  it('an IPv6 instance needs VRRP version 3, whether 2 comes from global_defs or the instance', () => {
    const global = broken('ipv6-v2-global.conf');
    expectOnlyErrors(global.result, [
      [global.at(8, 9), `but \`vrrp_version 2\` is set in global_defs at ${global.at(2, 5)}`],
    ]);
    const own = broken('ipv6-v2-instance.conf');
    expectOnlyErrors(own.result, [
      [own.at(4, 13), 'vrrp_instance `VI_6` has IPv6 addresses, which need VRRP version 3; set `version 3`'],
    ]);
  });

  it('unicast_src_ip and unicast_peer must match the instance family', () => {
    const { result, at } = broken('unicast-family.conf');
    expectOnlyErrors(result, [
      [at(4, 20), '`unicast_src_ip` `2001:db8::2` is IPv6 but the instance is IPv4'],
      [at(7, 9), '`unicast_peer` `2001:db8::3` is IPv6 but the instance is IPv4'],
    ]);
  });

  it('an instance needs an interface; without a virtual_ipaddress only a VRRPv2 IPv4 one runs, with a warning', () => {
    const { result, at } = broken('missing-parts.conf');
    expectOnlyErrors(result, [[at(1, 15), 'vrrp_instance `VI_NOIF` needs an `interface`']]);
    expectDiagnostic(
      result,
      'warning',
      at(7, 15),
      'vrrp_instance `VI_NOVIP` has no `virtual_ipaddress`: it elects a master',
    );
    const v3 = parseConfigText(
      'vrrp_instance VI_3 {\n  interface eth0\n  virtual_router_id 52\n  version 3\n}\n',
      'v3.conf',
    );
    expectDiagnostic(v3, 'error', 'v3.conf:1:15', 'VRRPv3 needs at least one');
    const strict = parseConfigText(
      'vrrp_instance VI_S {\n  interface eth0\n  virtual_router_id 52\n  strict_mode\n}\n',
      's.conf',
    );
    expectDiagnostic(strict, 'error', 's.conf:1:15', 'strict mode needs at least one');
  });

  it('VRIDs are unique per interface and family, and instance names are unique', () => {
    const { result, at } = broken('duplicates.conf');
    expectOnlyErrors(result, [
      [at(10, 23), `virtual_router_id 51 is already used on \`eth0\` (IPv4) by vrrp_instance \`VI_1\` at ${at(1, 1)}`],
      [at(15, 15), `vrrp_instance \`VI_1\` is already defined at ${at(1, 1)}`],
    ]);
  });

  it('nopreempt requires state BACKUP', () => {
    const { result, at } = broken('nopreempt-master.conf');
    expectOnlyErrors(result, [
      [at(5, 5), '`nopreempt` needs `state BACKUP`: an instance that starts as MASTER always preempts'],
    ]);
  });

  it('state is MASTER or BACKUP', () => {
    const { result, at } = broken('bad-state.conf');
    expectOnlyErrors(result, [[at(2, 11), '`state` must be one of `MASTER`, `BACKUP`; got `PRIMARY`']]);
  });
});

describe('validation: authentication', () => {
  it("AH is keepalived's IPsec AH, keyed with auth_pass; it makes a `state MASTER` start as BACKUP", () => {
    const instance = (state: string, priority: number) =>
      `vrrp_instance V {\n interface eth0\n virtual_router_id 1\n ${state}\n priority ${priority}\n authentication {\n  auth_type AH\n  auth_pass secret\n }\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n`;
    const master = parseConfigText(instance('state MASTER', 100), 'k.conf');
    expectDiagnostic(master, 'warning', 'k.conf:4:2', '`state MASTER` does not go with `auth_type AH`');
    assert.equal(expectLoaded(master).instances[0]!.initialState, 'BACKUP');
    // The address owner does not wait for anyone's sequence number.
    const backup = parseConfigText(instance('state BACKUP', 100), 'k.conf');
    assert.deepEqual(warningsOf(backup), []);
    assert.deepEqual(expectLoaded(backup).instances[0]!.auth, { type: 'AH', password: 'secret' });
    const owner = parseConfigText(instance('state MASTER', 255), 'k.conf');
    assert.deepEqual(warningsOf(owner), []);
    assert.equal(expectLoaded(owner).instances[0]!.initialState, 'MASTER');
    const noPass = parseConfigText(instance('state BACKUP', 100).replace('  auth_pass secret\n', ''), 'k.conf');
    expectOnlyErrors(noPass, [['k.conf:6:2', '`auth_type AH` needs an `auth_pass` of 1 to 8 bytes']]);
  });

  it('a PASS password over 8 characters is truncated with a warning; VRRPv3 ignores authentication', () => {
    const { result, at } = broken('auth-pass.conf');
    const config = expectLoaded(result);
    expectDiagnostic(result, 'warning', at(6, 19), 'keepalived uses only the first 8 (`longpass`)');
    expectDiagnostic(result, 'warning', at(16, 5), 'VRRPv3 has no authentication');
    assert.equal(warningsOf(result).length, 2);
    assert.deepEqual(config.instances[0]!.auth, { type: 'PASS', password: 'longpass' });
    assert.equal(config.instances[1]!.auth, undefined);
  });

  it('auth_pass is limited to the 8 bytes of the wire field, never splitting a character', () => {
    const instance = (pass: string) =>
      `vrrp_instance V {\n interface eth0\n virtual_router_id 1\n authentication {\n  auth_type PASS\n  auth_pass ${pass}\n }\n virtual_ipaddress {\n  198.51.100.1\n }\n}\n`;
    const fits = parseConfigText(instance('pässwöx'), 'k.conf');
    expectDiagnostic(
      fits,
      'warning',
      'k.conf:6:13',
      'longer than 8 bytes; keepalived uses only the first 8 (`pässwö`)',
    );
    assert.deepEqual(expectLoaded(fits).instances[0]!.auth, { type: 'PASS', password: 'pässwö' });
    const splits = parseConfigText(instance('ppässwörd'), 'k.conf');
    expectOnlyErrors(splits, [['k.conf:6:13', 'would split a character; use at most 8 bytes']]);
  });
});

describe('validation: references', () => {
  it('track_script and track_file must name defined vrrp_script / track_file blocks', () => {
    const { result, at } = broken('undefined-refs.conf');
    expectOnlyErrors(result, [
      [at(11, 9), 'track_script `chk_ngnix` is not defined; did you mean `chk_nginx`?'],
      [at(14, 9), 'track_file `maintenance` is not defined; define it with `track_file maintenance { ... }`'],
    ]);
  });

  it('sync group members must be instances, each in at most one group', () => {
    const { result, at } = broken('sync-groups.conf');
    expectOnlyErrors(result, [
      [at(3, 14), 'vrrp_sync_group `SG_1` lists `VI_X`, which is not a vrrp_instance; did you mean `VI_1`?'],
      [at(8, 9), `vrrp_instance \`VI_1\` is already in vrrp_sync_group \`SG_1\` (${at(3, 9)})`],
    ]);
  });

  it('reads instances named straight in a sync group as keepalived 2.2.7 does: ignored, and the empty group removed', () => {
    // keepalived 2.2.7 on its own sample: "Unknown keyword 'VI_2'", then "Sync group VG1 has
    // no virtual router(s). removing"; the instances then run on their own.
    const sample = '/usr/share/doc/keepalived/samples/keepalived.conf.vrrp.lvs_syncd';
    const text = `vrrp_sync_group VG1 {\n  VI_2\n  VI_3 VI_1\n}\n${['VI_1', 'VI_2', 'VI_3'].map((n, i) => `vrrp_instance ${n} {\n interface eth0\n virtual_router_id ${i + 1}\n virtual_ipaddress {\n  198.51.100.${i + 1}\n }\n}\n`).join('')}`;
    const result = parseConfigText(text, sample);
    const config = expectLoaded(result);
    assert.deepEqual(config.syncGroups, []);
    assert.equal(config.instances.length, 3);
    expectDiagnostic(result, 'warning', `${sample}:1:17`, 'has no members, so keepalived 2.2.7 removes it');
    expectDiagnostic(result, 'warning', `${sample}:2:3`, 'ignores `VI_2` here');
    expectDiagnostic(result, 'warning', `${sample}:3:3`, 'list them in `group { VI_3 VI_1 }`');
  });

  it("loads keepalived's lvs_syncd sample, which lists its sync group's instances straight", (t) => {
    const sample = '/usr/share/doc/keepalived/samples/keepalived.conf.vrrp.lvs_syncd';
    if (!existsSync(sample)) return t.skip('keepalived samples are not installed');
    assert.deepEqual(expectLoaded(loadConfig(sample)).syncGroups, []);
  });

  it('still reports a mistyped keyword in a sync group', () => {
    const result = parseConfigText('vrrp_sync_group VG1 {\n  group { VI_1 }\n  smtp_alrt\n}\n', 'k.conf');
    expectOnlyErrors(result, [
      ['k.conf:2:11', 'not a vrrp_instance'],
      ['k.conf:3:3', 'did you mean `smtp_alert`?'],
    ]);
  });

  it('virtual server groups must exist; real and sorry servers match the family; a repeated real server is dropped', () => {
    const { result, at } = broken('lvs-refs.conf');
    expectOnlyErrors(result, [
      [at(6, 16), 'virtual_server_group `WBE` is not defined; did you mean `WEB`?'],
      [at(12, 18), 'sorry_server `2001:db8::99` is IPv6 but virtual_server `198.51.100.80 80` is IPv4'],
      [at(13, 17), 'real_server `2001:db8::21` is IPv6 but virtual_server `198.51.100.80 80` is IPv4'],
    ]);
    expectDiagnostic(
      result,
      'warning',
      at(17, 17),
      `real_server \`198.51.100.22 80\` is already listed at ${at(15, 5)} in this virtual_server: keepalived removes this second one`,
    );
  });
});

describe('validation: timing', () => {
  it('interval, timeout, delay_loop and connect_timeout are positive; rise and fall at least 1', () => {
    const { result, at } = broken('timing-ranges.conf');
    expectOnlyErrors(result, [
      [at(3, 14), '`interval` must be greater than 0, got 0'],
      [at(4, 13), '`timeout` must be greater than 0, got -1'],
      [at(5, 10), '`rise` must be between 1 and'],
      [at(6, 10), '`fall` must be between 1 and'],
      [at(9, 16), '`delay_loop` must be greater than 0, got 0'],
      [at(12, 29), '`connect_timeout` must be greater than 0, got 0'],
    ]);
  });
});

describe('keywords: unknown, misplaced and not implemented', () => {
  it('suggests the intended keyword for typos', () => {
    const { result, at } = broken('did-you-mean.conf');
    expectDiagnostic(
      result,
      'error',
      at(4, 5),
      'unknown keyword `priorty` in `vrrp_instance`; did you mean `priority`?',
    );
    expectDiagnostic(
      result,
      'error',
      at(5, 5),
      'unknown keyword `nopreemt` in `vrrp_instance`; did you mean `nopreempt`?',
    );
    expectDiagnostic(
      result,
      'error',
      at(6, 5),
      'unknown keyword `virtual_ipadress` in `vrrp_instance`; did you mean `virtual_ipaddress`?',
    );
    assert.equal(result.config, undefined);
  });

  it('names the block where a misplaced keyword belongs', () => {
    const { result, at } = broken('wrong-block.conf');
    expectOnlyErrors(result, [
      [at(2, 5), '`priority` is not valid in `virtual_server`; it belongs in `vrrp_instance`'],
      [at(4, 9), '`url` is not valid in `real_server`; it belongs in `HTTP_GET` or in `SSL_GET`'],
    ]);
  });

  it('warns about keepalived keywords vigil does not implement yet and ignores them', () => {
    const { result, at } = broken('not-implemented.conf');
    const config = expectLoaded(result);
    expectDiagnostic(
      result,
      'warning',
      at(2, 5),
      '`vrrp_garp_extra_if` is accepted but not implemented by vigil yet; ignored',
    );
    expectDiagnostic(result, 'warning', at(5, 5), '`dynamic_interfaces` is accepted');
    expectDiagnostic(
      result,
      'warning',
      at(10, 5),
      '`use_vmac_addr` is accepted but not implemented by vigil yet; ignored',
    );
    expectDiagnostic(result, 'warning', at(12, 44), '`peer` is accepted');
    assert.equal(warningsOf(result).length, 4);
    assert.equal(config.instances[0]!.vips[0]!.noTrack, true, '`no_track` is read, not warned about');
    assert.deepEqual(
      config.instances[0]!.vips.map((v) => [v.address, v.dev]),
      [['198.51.100.10', 'eth0']],
    );
  });

  it('checks the number of arguments and whether a block is expected', () => {
    const { result, at } = broken('arity.conf');
    expectOnlyErrors(result, [
      [at(4, 5), '`priority` needs a value'],
      [at(5, 15), '`nopreempt` takes no arguments (found `yes`)'],
      [at(6, 18), 'unexpected argument `MASTER` after `state`'],
      [at(7, 23), '`virtual_ipaddress` takes no arguments'],
    ]);
  });

  it('reports an unterminated quote and still reads the rest', () => {
    const { result, at } = broken('unterminated-quote.conf');
    expectOnlyErrors(result, [[at(2, 12), 'unterminated quoted string']]);
  });
});
