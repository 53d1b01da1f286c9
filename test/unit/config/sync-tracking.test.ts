// Tracking in sync groups and of the address owner, as keepalived 2.2.7 corrects it once the file
// is read: a weight that would move one member alone is ignored or dropped with a warning, and the
// group's own track_* entries are read and checked like an instance's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });

const DEFINITIONS = `vrrp_script chk {
  script /bin/true
}
vrrp_script chk_weighted {
  script /bin/true
  weight -20
}
vrrp_track_file tf {
  file /run/tf
}
vrrp_track_process web {
  process nginx
  weight 10
}
`;
/** Line 18 on: VI_1 with `tracks`, then a group of VI_1 with `groupBody`. */
const config = (tracks: string, groupBody = '', priority = 100) => `${DEFINITIONS}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${priority}
${tracks}
  virtual_ipaddress {
    198.51.100.200/24
  }
}
vrrp_sync_group G {
  group {
    VI_1
  }
${groupBody}
}
`;
const MEMBER_TRACKS = `  track_interface {
    eth1 weight -30
    eth2
  }
  track_script {
    chk weight 10
    chk_weighted
    chk
  }
  track_file {
    tf
    tf weight 5
  }
  track_process {
    web
  }`;

describe('tracking in sync groups', () => {
  it("a member's own weights go as Debian's keepalived drops them: weighted scripts and files are not tracked, a file of weight 1 is weight 0; interfaces and processes keep theirs", () => {
    const result = load(config(MEMBER_TRACKS));
    const instance = expectLoaded(result).instances[0]!;
    assert.deepEqual(
      instance.trackInterfaces.map((r) => [r.name, r.weight]),
      [
        ['eth1', -30],
        ['eth2', undefined],
      ],
    );
    assert.deepEqual(
      instance.trackScripts.map((r) => r.name),
      ['chk'],
    );
    assert.deepEqual(
      instance.trackFiles.map((r) => [r.name, r.weight]),
      [['tf', 0]],
    );
    assert.deepEqual(
      instance.trackProcesses.map((r) => r.name),
      ['web'],
      'track_process keeps its weight',
    );
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:25:5',
      'track_script chk is not tracked, having a weight: weights do not apply in sync group `G`',
    );
    expectDiagnostic(result, 'warning', 'mem.conf:26:5', 'track_script chk_weighted is not tracked');
    expectDiagnostic(result, 'warning', 'mem.conf:30:5', 'track_file tf is tracked with weight 0, not its default 1');
    expectDiagnostic(result, 'warning', 'mem.conf:31:5', 'track_file tf is not tracked, having weight 5');
    assert.equal(warningsOf(result).length, 4);
  });

  it('sync_group_tracking_weight keeps them; global_tracking means the same, with a warning that it is deprecated', () => {
    const kept = load(config(MEMBER_TRACKS, '  sync_group_tracking_weight'));
    assert.deepEqual(warningsOf(kept), []);
    assert.equal(expectLoaded(kept).instances[0]!.trackScripts.length, 3);
    const old = load(config(MEMBER_TRACKS, '  global_tracking'));
    expectDiagnostic(old, 'warning', 'mem.conf:44:3', '`global_tracking` is deprecated');
    assert.equal(expectLoaded(old).syncGroups[0]!.trackingWeight, true);
  });

  it("reads the group's own track_interface, track_script and track_file, and checks what they name", () => {
    const body =
      '  track_interface {\n    eth1 weight -30\n  }\n  track_script {\n    chk_weighted\n  }\n  track_file {\n    tf weight 2\n  }';
    const group = expectLoaded(load(config('', body))).syncGroups[0]!;
    assert.deepEqual(
      [group.trackInterfaces, group.trackScripts, group.trackFiles].map((refs) => refs.map((r) => [r.name, r.weight])),
      [[['eth1', -30]], [['chk_weighted', undefined]], [['tf', 2]]],
    );
    const unknown = load(config('', '  track_script {\n    chk_missing\n  }'));
    expectDiagnostic(unknown, 'error', 'mem.conf:30:5', 'track_script `chk_missing` is not defined');
  });

  it("a group with the address owner among its members has no weights: the group's become 0, the owner's own go", () => {
    const body = '  track_script {\n    chk_weighted\n  }\n  track_process {\n    web\n  }';
    const result = load(config('  track_script {\n    chk_weighted\n  }', body, 255));
    const loaded = expectLoaded(result);
    assert.deepEqual(
      [loaded.syncGroups[0]!.trackScripts[0]!.weight, loaded.syncGroups[0]!.trackProcesses[0]!.weight],
      [0, 0],
    );
    assert.deepEqual(loaded.instances[0]!.trackScripts, []);
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:21:5',
      'track_script chk_weighted is not tracked, having a weight: the address owner (priority 255) has no weights',
    );
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:32:5',
      'track_script chk_weighted has weight 0, since member `VI_1` is the address owner',
    );
  });
});
