// Tracking verdicts with keepalived's rules, in numbers: which observations put an instance in
// FAULT, and what its effective priority is.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import {
  evaluateTracking,
  linkIsUp,
  ScriptHealth,
  type ScriptStatus,
  type TrackingVerdict,
} from '../../../src/vrrp/tracking.js';

const DEFINITIONS = `
vrrp_script chk {
  script /bin/true
}
vrrp_script chk_plus10 {
  script /bin/true
  weight 10
}
vrrp_script chk_plus10_reverse {
  script /bin/true
  weight 10 reverse
}
vrrp_script chk_init_fail {
  script /bin/true
  init_fail
}
track_file tf {
  file /run/vigil-test/tf
}
`;

/** One instance with `body` (track blocks, flags) and every definition above; then `rest` (a sync group). */
function tracking(body: string, priority = 100, rest = '') {
  const { config, diagnostics } = parseConfigText(
    `${DEFINITIONS}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${priority}
  ${body}
  virtual_ipaddress {
    198.51.100.200/24
  }
}
${rest}`,
    'k.conf',
  );
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const instance = config.instances[0]!;
  return (
    observed: {
      interfaces?: Record<string, boolean>;
      scripts?: Record<string, ScriptStatus>;
      files?: Record<string, number>;
    } = {},
  ): TrackingVerdict =>
    evaluateTracking(instance, config, {
      interfaces: new Map(Object.entries({ eth0: true, ...observed.interfaces })),
      scripts: new Map(Object.entries(observed.scripts ?? {})),
      files: new Map(Object.entries(observed.files ?? {})),
    });
}

describe('tracking: the instance interface', () => {
  const verdict = tracking('');

  test('up: no fault, the configured priority', () => {
    assert.deepEqual(verdict(), { effectivePriority: 100 });
  });

  test('down, or not there at all: FAULT naming it', () => {
    assert.deepEqual(verdict({ interfaces: { eth0: false } }), {
      fault: 'interface eth0 is down',
      effectivePriority: 100,
    });
    const gone = evaluateTracking(
      parseConfigText(
        `vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 198.51.100.200/24\n }\n}`,
        'k.conf',
      ).config!.instances[0]!,
      { scripts: [], trackFiles: [] },
      { interfaces: new Map(), scripts: new Map(), files: new Map() },
    );
    assert.equal(gone.fault, 'interface eth0 is down');
  });

  test('dont_track_primary: down is not a fault', () => {
    assert.deepEqual(tracking('dont_track_primary')({ interfaces: { eth0: false } }), { effectivePriority: 100 });
  });

  test('up means administratively up and running (carrier)', () => {
    assert.equal(linkIsUp({ up: true, running: true }), true);
    assert.equal(linkIsUp({ up: true, running: false }), false);
    assert.equal(linkIsUp({ up: false, running: true }), false);
  });
});

describe('tracking: track_interface', () => {
  test('no weight: down is FAULT, up is nothing', () => {
    const verdict = tracking('track_interface {\n eth1\n }');
    assert.deepEqual(verdict({ interfaces: { eth1: false } }), {
      fault: 'track_interface eth1 is down',
      effectivePriority: 100,
    });
    assert.deepEqual(verdict({ interfaces: { eth1: true } }), { effectivePriority: 100 });
  });

  test('weight 0 reverse: up is FAULT, down is nothing', () => {
    const verdict = tracking('track_interface {\n eth1 weight 0 reverse\n }');
    assert.deepEqual(verdict({ interfaces: { eth1: true } }), {
      fault: 'track_interface eth1 is up (weight 0 reverse)',
      effectivePriority: 100,
    });
    assert.deepEqual(verdict({ interfaces: { eth1: false } }), { effectivePriority: 100 });
  });

  test('weight 20: 100 + 20 = 120 while up, 100 while down', () => {
    const verdict = tracking('track_interface {\n eth1 weight 20\n }');
    assert.equal(verdict({ interfaces: { eth1: true } }).effectivePriority, 120);
    assert.deepEqual(verdict({ interfaces: { eth1: false } }), { effectivePriority: 100 });
  });

  test('weight -30: 100 − 30 = 70 while down, 100 while up', () => {
    const verdict = tracking('track_interface {\n eth1 weight -30\n }');
    assert.deepEqual(verdict({ interfaces: { eth1: false } }), { effectivePriority: 70 });
    assert.equal(verdict({ interfaces: { eth1: true } }).effectivePriority, 100);
  });

  test('reverse flips the sign, not the condition: weight 20 reverse is 80 while up, weight -30 reverse is 130 while down', () => {
    const plus = tracking('track_interface {\n eth1 weight 20 reverse\n }');
    assert.equal(plus({ interfaces: { eth1: true } }).effectivePriority, 80);
    assert.equal(plus({ interfaces: { eth1: false } }).effectivePriority, 100);
    const minus = tracking('track_interface {\n eth1 weight -30 reverse\n }');
    assert.equal(minus({ interfaces: { eth1: false } }).effectivePriority, 130);
    assert.equal(minus({ interfaces: { eth1: true } }).effectivePriority, 100);
  });
});

describe('tracking: track_script', () => {
  test("weight 0 (the vrrp_script's default): failed is FAULT, ok is nothing", () => {
    const verdict = tracking('track_script {\n chk\n }');
    assert.deepEqual(verdict({ scripts: { chk: 'failed' } }), {
      fault: 'vrrp_script chk failed',
      effectivePriority: 100,
    });
    assert.deepEqual(verdict({ scripts: { chk: 'ok' } }), { effectivePriority: 100 });
  });

  test('weight 0 before the first result: neither FAULT nor running — waiting, as keepalived holds the instance in INIT', () => {
    const verdict = tracking('track_script {\n chk\n }');
    const expected = { waitingFor: 'vrrp_script chk has not reported yet', effectivePriority: 100 };
    assert.deepEqual(verdict({ scripts: { chk: 'init' } }), expected);
    assert.deepEqual(verdict(), expected, 'a script with no status yet is in its initial status');
  });

  test('init_fail: FAULT from the start, before any result', () => {
    assert.deepEqual(tracking('track_script {\n chk_init_fail\n }')(), {
      fault: 'vrrp_script chk_init_fail failed',
      effectivePriority: 100,
    });
  });

  test("the vrrp_script's weight 10: 110 while ok, 100 while failed or before the first result", () => {
    const verdict = tracking('track_script {\n chk_plus10\n }');
    assert.equal(verdict({ scripts: { chk_plus10: 'ok' } }).effectivePriority, 110);
    assert.deepEqual(verdict({ scripts: { chk_plus10: 'failed' } }), { effectivePriority: 100 });
    assert.deepEqual(verdict({ scripts: { chk_plus10: 'init' } }), { effectivePriority: 100 });
  });

  test("the instance's weight overrides the script's: weight -15 is 85 while failed, 100 while ok", () => {
    const verdict = tracking('track_script {\n chk_plus10 weight -15\n }');
    assert.equal(verdict({ scripts: { chk_plus10: 'failed' } }).effectivePriority, 85);
    assert.equal(verdict({ scripts: { chk_plus10: 'ok' } }).effectivePriority, 100);
  });

  test("reverse from the vrrp_script (weight 10 reverse: 90 while ok), overridden by the instance's noreverse (110)", () => {
    assert.equal(
      tracking('track_script {\n chk_plus10_reverse\n }')({ scripts: { chk_plus10_reverse: 'ok' } }).effectivePriority,
      90,
    );
    assert.equal(
      tracking('track_script {\n chk_plus10_reverse weight 10 noreverse\n }')({ scripts: { chk_plus10_reverse: 'ok' } })
        .effectivePriority,
      110,
    );
  });

  test('weight 0 reverse: ok is FAULT, failed is nothing', () => {
    const verdict = tracking('track_script {\n chk weight 0 reverse\n }');
    assert.deepEqual(verdict({ scripts: { chk: 'ok' } }), {
      fault: 'vrrp_script chk succeeded (weight 0 reverse)',
      effectivePriority: 100,
    });
    assert.deepEqual(verdict({ scripts: { chk: 'failed' } }), { effectivePriority: 100 });
  });

  test('disabled (refused at load): dropped from tracking, so no FAULT, no waiting, no weight', () => {
    assert.deepEqual(tracking('track_script {\n chk\n }')({ scripts: { chk: 'disabled' } }), {
      effectivePriority: 100,
    });
    assert.deepEqual(tracking('track_script {\n chk_plus10\n }')({ scripts: { chk_plus10: 'disabled' } }), {
      effectivePriority: 100,
    });
  });
});

describe('tracking: track_file', () => {
  test("the track_file's weight 1: value 5 is 105, −30 is 70; a file never read counts as 0", () => {
    const verdict = tracking('track_file {\n tf\n }');
    assert.equal(verdict({ files: { tf: 5 } }).effectivePriority, 105);
    assert.equal(verdict({ files: { tf: -30 } }).effectivePriority, 70);
    assert.deepEqual(verdict(), { effectivePriority: 100 });
  });

  test('weight 0: a non-zero value is FAULT, 0 is nothing', () => {
    const verdict = tracking('track_file {\n tf weight 0\n }');
    assert.deepEqual(verdict({ files: { tf: 3 } }), {
      fault: 'track_file tf holds 3 (weight 0: non-zero means FAULT)',
      effectivePriority: 100,
    });
    assert.deepEqual(verdict({ files: { tf: 0 } }), { effectivePriority: 100 });
  });

  test('weight 0 reverse: 0 is FAULT, non-zero is nothing', () => {
    const verdict = tracking('track_file {\n tf weight 0 reverse\n }');
    assert.deepEqual(verdict({ files: { tf: 0 } }), {
      fault: 'track_file tf holds 0 (weight 0 reverse)',
      effectivePriority: 100,
    });
    assert.deepEqual(verdict({ files: { tf: 3 } }), { effectivePriority: 100 });
  });

  test('value × weight at −254 or below is FAULT: 2 × −127 = −254 is, 1 × −253 = −253 is not (priority 1)', () => {
    const verdict = tracking('track_file {\n tf weight -127\n }');
    assert.deepEqual(verdict({ files: { tf: 2 } }), {
      fault: 'track_file tf holds 2, which weighted (-127) is -254, at or below -254',
      effectivePriority: 100,
    });
    assert.deepEqual(tracking('track_file {\n tf weight -253\n }')({ files: { tf: 1 } }), { effectivePriority: 1 });
  });

  test('value × weight above 253 counts as 253: 3 × 100 at priority 1 is 1 + 253 = 254', () => {
    assert.equal(tracking('track_file {\n tf weight 100\n }', 1)({ files: { tf: 3 } }).effectivePriority, 254);
    assert.equal(tracking('track_file {\n tf weight 100\n }', 1)({ files: { tf: 2 } }).effectivePriority, 201);
  });

  test('reverse negates the product: 10 × 2 reverse is 100 − 20 = 80', () => {
    assert.equal(tracking('track_file {\n tf weight 2 reverse\n }')({ files: { tf: 10 } }).effectivePriority, 80);
  });
});

describe('tracking: effective priority', () => {
  test('weights from every kind add up: 100 + 20 (interface) + 10 (script) + 5 (file) = 135', () => {
    const verdict = tracking(
      'track_interface {\n eth1 weight 20\n }\n track_script {\n chk_plus10\n }\n track_file {\n tf\n }',
    );
    assert.deepEqual(verdict({ interfaces: { eth1: true }, scripts: { chk_plus10: 'ok' }, files: { tf: 5 } }), {
      effectivePriority: 135,
    });
  });

  test('kept within 1..254: 250 + 20 is 254, 10 − 30 is 1', () => {
    assert.equal(
      tracking('track_interface {\n eth1 weight 20\n }', 250)({ interfaces: { eth1: true } }).effectivePriority,
      254,
    );
    assert.equal(
      tracking('track_interface {\n eth1 weight -30\n }', 10)({ interfaces: { eth1: false } }).effectivePriority,
      1,
    );
  });

  test('the address owner keeps 255 whatever the weights, but still faults; its track file of weight 1 is weight 0', () => {
    const verdict = tracking('track_interface {\n eth1 weight -30\n }\n track_file {\n tf\n }', 255);
    assert.deepEqual(verdict({ interfaces: { eth1: false }, files: { tf: 0 } }), { effectivePriority: 255 });
    assert.deepEqual(verdict({ files: { tf: -50 } }), {
      fault: 'track_file tf holds -50 (weight 0: non-zero means FAULT)',
      effectivePriority: 255,
    });
    assert.deepEqual(verdict({ interfaces: { eth0: false } }), {
      fault: 'interface eth0 is down',
      effectivePriority: 255,
    });
  });

  test('every fault is named; a fault wins over waiting', () => {
    const verdict = tracking('track_script {\n chk\n chk_init_fail\n }\n track_interface {\n eth1\n }');
    assert.deepEqual(verdict({ interfaces: { eth0: false, eth1: false } }), {
      fault: 'interface eth0 is down; track_interface eth1 is down; vrrp_script chk_init_fail failed',
      effectivePriority: 100,
    });
  });
});

describe("tracking: a sync group's own entries", () => {
  const group = (body: string) => `vrrp_sync_group G {\n  group {\n    VI_1\n  }\n${body}\n}`;

  test("apply to each member, weights and all: a failed weighted script moves the member's priority", () => {
    const verdict = tracking('', 100, group('  track_script {\n    chk_plus10 weight -30\n  }'));
    assert.deepEqual(verdict({ scripts: { chk_plus10: 'failed' } }), { effectivePriority: 70 });
    assert.deepEqual(verdict({ scripts: { chk_plus10: 'ok' } }), { effectivePriority: 100 });
  });

  test('a weight-0 interface or file of the group puts the member in FAULT', () => {
    const verdict = tracking(
      '',
      100,
      group('  track_interface {\n    eth1\n  }\n  track_file {\n    tf weight 0\n  }'),
    );
    assert.equal(verdict({ interfaces: { eth1: false } }).fault, 'track_interface eth1 is down');
    assert.match(verdict({ interfaces: { eth1: true }, files: { tf: 3 } }).fault ?? '', /track_file tf holds 3/);
  });

  test("an object the member tracks with weight 0 itself stays weight 0: the group's weight does not replace it", () => {
    const verdict = tracking('track_script {\n chk\n }', 100, group('  track_script {\n    chk weight 20\n  }'));
    assert.equal(verdict({ scripts: { chk: 'failed' } }).fault, 'vrrp_script chk failed');
    assert.deepEqual(verdict({ scripts: { chk: 'ok' } }), { effectivePriority: 100 });
  });

  test("a member's own weighted interface still counts, as in Debian's keepalived (which logs that it ignores it)", () => {
    const verdict = tracking('track_interface {\n eth1 weight -30\n }', 100, group(''));
    assert.deepEqual(verdict({ interfaces: { eth1: false } }), { effectivePriority: 70 });
  });
});

describe('ScriptHealth: rise and fall', () => {
  const feed = (health: ScriptHealth, results: boolean[]) => results.map((r) => health.record(r));

  test('starts in init, and the first result decides at once either way', () => {
    const up = new ScriptHealth({ rise: 3, fall: 3, initFail: false });
    assert.equal(up.status, 'init');
    assert.equal(up.record(true), 'ok');
    const down = new ScriptHealth({ rise: 3, fall: 3, initFail: false });
    assert.equal(down.record(false), 'failed');
  });

  test('fall 2: two consecutive failures make it failed; a success in between starts the count again', () => {
    const health = new ScriptHealth({ rise: 3, fall: 2, initFail: false });
    health.record(true);
    assert.deepEqual(feed(health, [false, true, false]), [undefined, undefined, undefined]);
    assert.equal(health.status, 'ok');
    assert.equal(health.record(false), 'failed');
  });

  test('rise 3: three consecutive successes make it ok again; a failure in between starts the count again', () => {
    const health = new ScriptHealth({ rise: 3, fall: 1, initFail: false });
    health.record(false);
    assert.deepEqual(feed(health, [true, true, false, true, true]), [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    assert.equal(health.status, 'failed');
    assert.equal(health.record(true), 'ok');
  });

  test('init_fail with rise 2: failed from the start, ok after two successes', () => {
    const health = new ScriptHealth({ rise: 2, fall: 1, initFail: true });
    assert.equal(health.status, 'failed');
    assert.deepEqual(feed(health, [false, true, true]), [undefined, undefined, 'ok']);
  });
});
