// vrrp_track_process and track_process read as keepalived 2.2.7 reads them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors, warningsOf } from './assert-diagnostics.js';

const instance = (tracks: string) => `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  track_process {
${tracks}
  }
  virtual_ipaddress {
    198.51.100.200/24
  }
}`;

const load = (definition: string, tracks = '    proc') =>
  parseConfigText(`vrrp_track_process proc {\n${definition}\n}\n${instance(tracks)}`, 'k.conf');

describe('vrrp_track_process', () => {
  it('reads a process name with keepalived defaults: weight 0, quorum 1, no upper bound, no delays', () => {
    const config = expectLoaded(load('  process haproxy'));
    assert.equal(warningsOf(load('  process haproxy')).length, 0);
    const tp = config.trackProcesses[0]!;
    assert.deepEqual(
      [tp.process, tp.fullCommand, tp.paramMatch, tp.weight, tp.quorum, tp.quorumMax, tp.forkDelay, tp.terminateDelay],
      ['haproxy', false, 'none', 0, 1, undefined, 0, 0],
    );
    assert.deepEqual(
      config.instances[0]!.trackProcesses.map((r) => r.name),
      ['proc'],
    );
  });

  it('parameters match the command line exactly unless param_match says otherwise', () => {
    const exact = expectLoaded(load('  process /usr/sbin/haproxy -f "/etc/a b.cfg"')).trackProcesses[0]!;
    assert.deepEqual(
      [exact.process, exact.params, exact.paramMatch, exact.fullCommand],
      ['/usr/sbin/haproxy', ['-f', '/etc/a b.cfg'], 'exact', true],
    );
    const initial = expectLoaded(load('  param_match initial\n  process nginx -c')).trackProcesses[0]!;
    assert.equal(initial.paramMatch, 'initial');
    const none = expectLoaded(load('  process sshd\n  param_match')).trackProcesses[0]!;
    assert.deepEqual([none.paramMatch, none.fullCommand, none.params], ['exact', true, []]);
  });

  it('reads weight, quorums and delays; delay sets both delays', () => {
    const tp = expectLoaded(
      load('  process nginx\n  weight -20 reverse\n  quorum 2\n  quorum_max 4\n  delay 1.5\n  fork_delay 0.25'),
    ).trackProcesses[0]!;
    assert.deepEqual(
      [tp.weight, tp.weightReverse, tp.quorum, tp.quorumMax, tp.forkDelay, tp.terminateDelay],
      [-20, true, 2, 4, 0.25, 1.5],
    );
    assert.equal(expectLoaded(load('  process x\n  quorum_max 0')).trackProcesses[0]!.quorum, 0);
  });

  it('reports what keepalived rejects, at the value', () => {
    expectOnlyErrors(load('  process x\n  weight 255'), [['k.conf:3:10', '`weight` must be between -254 and 254']]);
    expectOnlyErrors(load('  process x\n  quorum_max 2\n  quorum 3'), [
      ['k.conf:4:10', '`quorum 3` is greater than `quorum_max 2`'],
    ]);
    expectOnlyErrors(load('  process x\n  quorum 3\n  quorum_max 2'), [
      ['k.conf:4:14', '`quorum_max 2` is less than `quorum 3`'],
    ]);
    expectOnlyErrors(load('  process x\n  delay 0'), [['k.conf:3:9', '`delay` must be between 0.000001 and 3600']]);
    expectOnlyErrors(load('  process x\n  param_match full'), [['k.conf:3:15', '`param_match` takes']]);
    expectOnlyErrors(load('  weight 2'), [['k.conf:1:20', 'needs a `process`']]);
  });

  it('warns of a name no process can have, and ignores a second process as keepalived does', () => {
    const long = load('  process a-very-long-daemon-name');
    expectDiagnostic(long, 'warning', 'k.conf:2:11', 'longer than the 15 bytes');
    const twice = load('  process one\n  process two');
    expectDiagnostic(twice, 'warning', 'k.conf:3:3', 'keeps the first');
    assert.equal(expectLoaded(twice).trackProcesses[0]!.process, 'one');
  });

  it('track_process lines take a weight of their own; unknown names are errors', () => {
    const config = expectLoaded(load('  process x\n  weight 5', '    proc weight -30 reverse'));
    assert.deepEqual(
      config.instances[0]!.trackProcesses.map((r) => [r.weight, r.reverse]),
      [[-30, true]],
    );
    expectOnlyErrors(load('  process x', '    prco'), [
      ['k.conf:10:5', 'track_process `prco` is not defined; did you mean `proc`?'],
    ]);
  });

  it('a sync group tracks processes for its members', () => {
    const result = parseConfigText(
      `vrrp_track_process proc {\n  process x\n}\n${instance('    proc')}\nvrrp_sync_group G {\n  group {\n    VI_1\n  }\n  track_process {\n    proc weight 10\n  }\n}`,
      'k.conf',
    );
    const config = expectLoaded(result);
    assert.equal(warningsOf(result).length, 0);
    assert.deepEqual(
      config.syncGroups[0]!.trackProcesses.map((r) => [r.name, r.weight]),
      [['proc', 10]],
    );
  });
});
