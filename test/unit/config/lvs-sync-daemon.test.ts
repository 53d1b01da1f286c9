// lvs_sync_daemon as keepalived 2.2.7 reads it: its options, its old form, its defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });
const INSTANCE =
  'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n';
const withDaemon = (line: string) => `global_defs {\n  ${line}\n}\n${INSTANCE}`;
const daemonOf = (line: string) => {
  const { pos: _pos, ...daemon } = expectLoaded(load(withDaemon(line))).global.lvsSyncDaemon ?? { pos: undefined };
  return daemon;
};

describe('lvs_sync_daemon', () => {
  it('follows the instance named, with its VRID as sync id unless `id` says; every option read', () => {
    assert.deepEqual(daemonOf('lvs_sync_daemon eth0 inst VI_1'), { interface: 'eth0', instance: 'VI_1', syncId: 51 });
    assert.deepEqual(daemonOf('lvs_sync_daemon eth1 inst VI_1 id 7 maxlen 1400 port 9000 ttl 2 group 239.1.2.3'), {
      interface: 'eth1',
      instance: 'VI_1',
      syncId: 7,
      maxlen: 1400,
      port: 9000,
      ttl: 2,
      group: '239.1.2.3',
    });
  });

  it('without an instance, sync id 0; the old form names the instance and then the sync id, with a warning for the id', () => {
    assert.deepEqual(daemonOf('lvs_sync_daemon eth0'), { interface: 'eth0', syncId: 0 });
    assert.deepEqual(daemonOf('lvs_sync_daemon eth0 VI_1'), { interface: 'eth0', instance: 'VI_1', syncId: 51 });
    const old = load(withDaemon('lvs_sync_daemon eth0 VI_1 9'));
    expectDiagnostic(old, 'warning', 'mem.conf:2:29', 'write `id N`');
    assert.equal(expectLoaded(old).global.lvsSyncDaemon?.syncId, 9);
  });

  it('an instance that is not defined: no sync daemon, as in keepalived, with a warning', () => {
    const result = load(withDaemon('lvs_sync_daemon eth0 inst VI_9'));
    expectDiagnostic(result, 'warning', 'mem.conf:2:3', 'vrrp_instance `VI_9`, which is not defined');
    assert.equal(expectLoaded(result).global.lvsSyncDaemon, undefined);
  });

  it('refuses values out of range, a group that is not multicast, an unknown option and a long interface name', () => {
    expectDiagnostic(load(withDaemon('lvs_sync_daemon eth0 id 256')), 'error', 'mem.conf:2:27', 'between 0 and 255');
    expectDiagnostic(
      load(withDaemon('lvs_sync_daemon eth0 group 198.51.100.1')),
      'error',
      'mem.conf:2:30',
      'must be a multicast',
    );
    expectDiagnostic(
      load(withDaemon('lvs_sync_daemon eth0 VI_1 9 fast')),
      'error',
      'mem.conf:2:31',
      'has no option `fast`',
    );
    expectDiagnostic(load(withDaemon('lvs_sync_daemon averyveryverylong')), 'error', 'mem.conf:2:19', 'longer than');
    expectDiagnostic(load(withDaemon('lvs_sync_daemon eth0 port')), 'error', 'mem.conf:2:24', '`port` needs a value');
  });

  it('a second one is ignored with a warning, as keepalived ignores it', () => {
    const result = load(withDaemon('lvs_sync_daemon eth0 inst VI_1\n  lvs_sync_daemon eth1'));
    expectDiagnostic(result, 'warning', 'mem.conf:3:3', 'is given already');
    assert.equal(expectLoaded(result).global.lvsSyncDaemon?.interface, 'eth0');
    assert.equal(warningsOf(result).length, 1);
  });

  it("keepalived 1.x's lvs_sync_daemon_interface in an instance: that instance and interface, sync id 0 (as 2.2.7 leaves it), with a warning", () => {
    const text = INSTANCE.replace('  interface eth0\n', '  interface eth0\n  lvs_sync_daemon_interface eth1\n');
    const result = load(text);
    expectDiagnostic(result, 'warning', 'mem.conf:3:3', '`lvs_sync_daemon_interface` in an instance is deprecated');
    const { pos: _pos, ...daemon } = expectLoaded(result).global.lvsSyncDaemon!;
    assert.deepEqual(daemon, { interface: 'eth1', instance: 'VI_1', syncId: 0 });
    const both = load(`${text}global_defs {\n  lvs_sync_daemon eth0 inst VI_1\n}\n`);
    expectDiagnostic(both, 'warning', 'mem.conf:10:3', 'the sync daemon is given already');
    assert.equal(expectLoaded(both).global.lvsSyncDaemon?.interface, 'eth1', 'the first written wins');
  });
});
