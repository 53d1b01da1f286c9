// What a track_process does to an instance: keepalived's weights and faults, sync groups included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { evaluateTracking } from '../../../src/vrrp/tracking.js';

function setup(weight: string, tracks: string, group = '') {
  const { config, diagnostics } = parseConfigText(
    `vrrp_track_process web {
  process nginx
  ${weight}
}
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
}
${group}`,
    'k.conf',
  );
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return (up: boolean) =>
    evaluateTracking(config.instances[0]!, config, {
      interfaces: new Map([['eth0', true]]),
      scripts: new Map(),
      files: new Map(),
      processes: new Map([['web', up]]),
    });
}

describe('track_process verdicts', () => {
  it('weight 0 (the default): FAULT without the quorum, naming the process; reverse: FAULT with it', () => {
    const plain = setup('', 'web');
    assert.equal(plain(true).fault, undefined);
    assert.equal(plain(false).fault, 'track_process web lost its quorum of at least 1 processes named nginx');
    const reverse = setup('weight 0 reverse', 'web');
    assert.equal(reverse(false).fault, undefined);
    assert.match(reverse(true).fault ?? '', /track_process web has its quorum/);
  });

  it('a positive weight adds while up, a negative one subtracts while down; reverse flips the sign', () => {
    assert.deepEqual(
      [true, false].map((up) => setup('weight 20', 'web')(up).effectivePriority),
      [120, 100],
    );
    assert.deepEqual(
      [true, false].map((up) => setup('weight -20', 'web')(up).effectivePriority),
      [100, 80],
    );
    assert.deepEqual(
      [true, false].map((up) => setup('weight 20 reverse', 'web')(up).effectivePriority),
      [80, 100],
    );
    // The line's weight replaces the definition's.
    assert.equal(setup('weight 20', 'web weight -5')(false).effectivePriority, 95);
  });

  it("a sync group's track_process applies to its members, and its weights still count there", () => {
    const group = `vrrp_sync_group G {
  group {
    VI_1
  }
  track_process {
    web weight -30
  }
}`;
    const verdict = setup('weight 0', '', group)(false);
    assert.equal(verdict.fault, undefined);
    assert.equal(verdict.effectivePriority, 70);
  });
});
