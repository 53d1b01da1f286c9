// The health checker's schedule with a fake clock, fake TCP probes and a fake launcher whose
// checks finish when a test says so: warmup, delay_loop from the end of a check, retries,
// what is reported, reloads, and the concurrency limit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HealthChecker, type RealServerHealth, type RealServerTarget } from '../../../src/check/health-checker.js';
import type { TcpTarget } from '../../../src/check/tcp.js';
import type { CheckOutcome } from '../../../src/check/verdict.js';
import type { Clock } from '../../../src/clock.js';
import type { Checker, Command, FileCheck, MiscCheck, RunAs, TcpCheck, TrackFile } from '../../../src/config/index.js';
import type {
  Preparation,
  PreparedScript,
  RunOptions,
  ScriptLauncher,
  ScriptResult,
} from '../../../src/scripts/launcher.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const pos = (line = 1) => ({ file: 'k.conf', line, col: 1 });

function tcpCheck(overrides: Partial<TcpCheck> = {}): TcpCheck {
  return {
    type: 'TCP_CHECK',
    pos: pos(),
    retry: 1,
    delayBeforeRetry: 1,
    warmup: 0,
    delayLoop: 10,
    alpha: false,
    connectTimeout: 3,
    ...overrides,
  };
}

function miscCheck(overrides: Partial<MiscCheck> = {}): MiscCheck {
  return {
    type: 'MISC_CHECK',
    pos: pos(),
    retry: 0,
    delayBeforeRetry: 1,
    warmup: 0,
    delayLoop: 10,
    alpha: false,
    path: ['/check.sh'],
    timeout: 5,
    dynamic: false,
    ...overrides,
  };
}

function target(id: string, checkers: Checker[], address = '198.51.100.21', port = 80): RealServerTarget {
  return { id, address, port, weight: 1, checkers };
}

interface PendingProbe {
  target: TcpTarget;
  finish(outcome: CheckOutcome): void;
}

interface PendingRun {
  options: RunOptions;
  exit(code: number | 'timeout'): void;
}

class FakeLauncher implements ScriptLauncher {
  readonly prepared: { command: Command; runAs?: RunAs }[] = [];
  readonly runs: PendingRun[] = [];
  refusal?: string;

  async prepare(command: Command, runAs?: RunAs): Promise<Preparation> {
    this.prepared.push({ command, runAs });
    if (this.refusal) return { ok: false, reason: this.refusal };
    return { ok: true, script: { command, file: command[0]!, identity: { user: 'root', uid: 0, gid: 0 } } };
  }

  run(_script: PreparedScript, options: RunOptions): Promise<ScriptResult> {
    return new Promise((resolve) => {
      this.runs.push({
        options,
        exit: (code) =>
          resolve(
            code === 'timeout'
              ? {
                  success: false,
                  detail: `timed out after ${options.timeoutMs / 1000} s and was killed`,
                  outputTail: [],
                }
              : { success: code === 0, detail: `exited with status ${code}`, outputTail: [], exitCode: code },
          ),
      });
    });
  }
}

/** Lets promise callbacks (finished probes, preparations) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const WALL_START = 1_700_000_000_000;

function harness(
  options: { random?: () => number; maxConcurrent?: number; readTrackFile?: (file: string) => Promise<number> } = {},
) {
  const clock = new FakeClock();
  const probes: PendingProbe[] = [];
  const launcher = new FakeLauncher();
  const changes: { id: string; health: RealServerHealth; previous: RealServerHealth; at: number }[] = [];
  const checker = new HealthChecker(
    {
      clock,
      wallClock: () => WALL_START + clock.now(),
      random: options.random ?? (() => 0),
      launcher,
      probeTcp: (t) => new Promise((resolve) => probes.push({ target: t, finish: resolve })),
      ...(options.maxConcurrent !== undefined && { maxConcurrent: options.maxConcurrent }),
      ...(options.readTrackFile && { readTrackFile: options.readTrackFile }),
    },
    (id, health, previous) => changes.push({ id, health, previous, at: clock.now() }),
  );
  /** Finishes the latest probe and lets the checker take in its outcome. */
  const finishLast = async (outcome: CheckOutcome) => {
    probes.at(-1)!.finish(outcome);
    await settle();
  };
  return { clock, probes, launcher, changes, checker, finishLast };
}

const up: CheckOutcome = { ok: true, latencyMs: 4 };
const refused: CheckOutcome = { ok: false, latencyMs: 1, reason: 'connection refused' };

describe('HealthChecker', () => {
  test('the first check of each checker comes after a random part of its warmup', () => {
    const draws = [0, 0.5, 0.9999];
    const { clock, probes, checker } = harness({ random: () => draws.shift()! });
    checker.update(['a', 'b', 'c'].map((id, i) => target(id, [tcpCheck({ warmup: 10 })], `198.51.100.${i + 1}`)));
    const firstCheckAt = new Map<string, number>();
    for (let t = 0; t <= 10_000; t += 1) {
      clock.advance(t === 0 ? 0 : 1);
      for (const probe of probes)
        if (!firstCheckAt.has(probe.target.host)) firstCheckAt.set(probe.target.host, clock.now());
    }
    assert.deepEqual(
      [...firstCheckAt],
      [
        ['198.51.100.1', 0],
        ['198.51.100.2', 5000],
        ['198.51.100.3', 9999],
      ],
    );
  });

  test('connects to connect_ip/connect_port if set, else to the real server, within connect_timeout; bind_if and fwmark go along', () => {
    const { clock, probes, checker } = harness();
    checker.update([
      target('plain', [tcpCheck()]),
      target('redirected', [
        tcpCheck({ connectIp: '192.0.2.7', connectPort: 8080, bindTo: '192.0.2.1', connectTimeout: 1.5 }),
      ]),
      target('routed', [tcpCheck({ bindIf: 'eth1', fwmark: 7 })]),
    ]);
    clock.advance(0);
    assert.deepEqual(
      probes.map((p) => p.target),
      [
        { host: '198.51.100.21', port: 80, timeoutMs: 3000 },
        { host: '192.0.2.7', port: 8080, bindTo: '192.0.2.1', timeoutMs: 1500 },
        { host: '198.51.100.21', port: 80, bindIf: 'eth1', fwmark: 7, timeoutMs: 3000 },
      ],
    );
  });

  test('checks every delay_loop from the end of the last check: a slow check never overlaps the next', async () => {
    const { clock, probes, checker, finishLast } = harness();
    checker.update([target('rs', [tcpCheck({ delayLoop: 10 })])]);
    clock.advance(0);
    assert.equal(probes.length, 1);
    clock.advance(30_000);
    assert.equal(probes.length, 1, 'still running after three delay_loops: no second check');
    await finishLast({ ok: true, latencyMs: 30_000 });
    clock.advance(9_999);
    assert.equal(probes.length, 1);
    clock.advance(1);
    assert.equal(probes.length, 2, 'the next check is delay_loop after the slow one ended');
  });

  test('goes down after retry + 1 failures, retried after delay_before_retry, and reports only changes', async () => {
    const { clock, probes, changes, checker, finishLast } = harness();
    checker.update([target('rs', [tcpCheck({ retry: 2, delayBeforeRetry: 1, delayLoop: 10 })])]);
    clock.advance(0);
    await finishLast(up);
    assert.equal(changes.length, 0, 'up and still up: nothing to report');
    assert.deepEqual(checker.health('rs'), {
      alive: true,
      lastLatencyMs: 4,
      lastCheckAt: WALL_START,
      since: WALL_START,
      checked: true,
    });

    clock.advance(10_000);
    await finishLast(refused);
    clock.advance(999);
    assert.equal(probes.length, 2);
    clock.advance(1);
    assert.equal(probes.length, 3, 'the retry comes after delay_before_retry');
    await finishLast(refused);
    assert.equal(checker.health('rs')!.alive, true, 'two failures of three allowed');
    clock.advance(1000);
    await finishLast(refused);
    assert.equal(changes.length, 1);
    const down = {
      alive: false,
      reason: 'TCP_CHECK: connection refused',
      lastLatencyMs: 1,
      lastCheckAt: WALL_START + 12_000,
      since: WALL_START + 12_000,
      checked: true,
    };
    assert.deepEqual(changes[0], {
      id: 'rs',
      health: down,
      previous: { alive: true, lastLatencyMs: 1, lastCheckAt: WALL_START + 11_000, since: WALL_START, checked: true },
      at: 12_000,
    });

    clock.advance(1000);
    assert.equal(probes.length, 4, 'down: no more retries');
    clock.advance(9000);
    assert.equal(probes.length, 5, 'checked every delay_loop while down');
    await finishLast({ ok: false, latencyMs: 3000, reason: 'timed out after 3 s' });
    assert.equal(changes.length, 1, 'down and still down: nothing to report');
    assert.equal(checker.health('rs')!.reason, 'TCP_CHECK: timed out after 3 s', 'the reason follows the last failure');
    clock.advance(10_000);
    await finishLast(up);
    assert.equal(changes.length, 2);
    assert.deepEqual(changes[1]!.health, {
      alive: true,
      lastLatencyMs: 4,
      lastCheckAt: WALL_START + 32_000,
      since: WALL_START + 32_000,
      checked: true,
    });
  });

  test('alpha: the real server starts down and comes up on its first passing check', async () => {
    const { clock, changes, checker, finishLast } = harness();
    checker.update([target('rs', [tcpCheck({ alpha: true })])]);
    assert.deepEqual(checker.health('rs'), {
      alive: false,
      reason: 'TCP_CHECK: not checked yet (alpha: down until a check passes)',
      since: WALL_START,
      checked: true,
    });
    clock.advance(0);
    await finishLast(up);
    assert.deepEqual(
      changes.map((c) => [c.previous.alive, c.health.alive]),
      [[false, true]],
    );
  });

  test('a real server is alive only while every one of its checkers is up', async () => {
    const { clock, probes, launcher, changes, checker } = harness();
    checker.update([target('rs', [tcpCheck({ retry: 0 }), miscCheck()])]);
    clock.advance(0);
    await settle();
    assert.equal(probes.length, 1);
    assert.equal(launcher.runs.length, 1);
    launcher.runs[0]!.exit(1);
    probes[0]!.finish(up);
    await settle();
    assert.deepEqual(checker.health('rs')!.reason, 'MISC_CHECK: exited with status 1');
    assert.equal(changes.length, 1);
  });

  test('misc_dynamic: exit 2..255 sets the weight (code − 2), exit 0 clears it, exit 1 fails; the script is prepared once', async () => {
    const { clock, launcher, changes, checker } = harness();
    checker.update([target('rs', [miscCheck({ dynamic: true, timeout: 4, user: { user: 'nobody' } })])]);
    const step = async (code: number) => {
      clock.advance(10_000);
      await settle();
      launcher.runs.at(-1)!.exit(code);
      await settle();
    };
    clock.advance(0);
    await settle();
    assert.equal(launcher.runs[0]!.options.timeoutMs, 4000);
    launcher.runs[0]!.exit(7);
    await settle();
    await step(7);
    await step(0);
    await step(1);
    await step(12);
    assert.deepEqual(
      changes.map(({ health }) => [health.alive, health.weight]),
      [
        [true, 5],
        [true, undefined],
        [false, undefined],
        [true, 10],
      ],
    );
    assert.equal(changes[2]!.health.reason, 'MISC_CHECK: exited with status 1');
    assert.deepEqual(launcher.prepared, [{ command: ['/check.sh'], runAs: { user: 'nobody' } }]);
  });

  test('a script the launcher refuses fails every check with the reason', async () => {
    const { clock, launcher, checker } = harness();
    launcher.refusal = '/check.sh is not executable by root';
    checker.update([target('rs', [miscCheck()])]);
    clock.advance(0);
    await settle();
    assert.equal(launcher.runs.length, 0);
    assert.deepEqual(checker.health('rs')!.reason, 'MISC_CHECK: /check.sh is not executable by root');
  });

  test('a real server without checkers is alive, unchecked, and never probed', () => {
    const { clock, probes, launcher, checker } = harness();
    checker.update([target('bare', [])]);
    clock.advance(60_000);
    assert.equal(probes.length + launcher.runs.length, 0);
    assert.deepEqual(checker.health('bare'), { alive: true, since: WALL_START, checked: false });
  });

  test('reload: unchanged targets keep their state and schedule, changed ones start afresh, removed ones report nothing', async () => {
    const { clock, probes, changes, checker } = harness();
    checker.update([
      target('kept', [tcpCheck({ retry: 0 })], '198.51.100.1'),
      target('changed', [tcpCheck({ retry: 0 })], '198.51.100.2'),
      target('removed', [tcpCheck({ retry: 0 })], '198.51.100.3'),
    ]);
    clock.advance(0);
    assert.equal(probes.length, 3);
    probes[0]!.finish(refused);
    probes[1]!.finish(refused);
    await settle();
    assert.deepEqual(
      changes.map((c) => [c.id, c.health.alive]),
      [
        ['kept', false],
        ['changed', false],
      ],
    );
    clock.advance(4000);

    checker.update([
      // Another source position is not another definition.
      target('kept', [tcpCheck({ retry: 0, pos: pos(42) })], '198.51.100.1'),
      target('changed', [tcpCheck({ retry: 0, connectPort: 8080 })], '198.51.100.2'),
      target('new', [tcpCheck({ alpha: true })], '198.51.100.4'),
    ]);
    assert.equal(checker.health('kept')!.alive, false, 'kept its state');
    assert.equal(checker.health('changed')!.alive, true, 'started afresh');
    assert.equal(checker.health('new')!.alive, false, 'alpha honoured');
    assert.equal(checker.health('removed'), undefined);

    probes[2]!.finish(refused);
    await settle();
    assert.equal(changes.length, 2, 'the removed target’s check ended unreported');

    clock.advance(0);
    assert.deepEqual(
      probes.slice(3).map((p) => `${p.target.host}:${p.target.port}`),
      ['198.51.100.2:8080', '198.51.100.4:80'],
    );
    clock.advance(5999);
    assert.equal(probes.length, 5);
    clock.advance(1);
    assert.deepEqual(
      probes.slice(5).map((p) => p.target.host),
      ['198.51.100.1'],
      'the kept target’s check comes on its old schedule',
    );
  });

  test('stop: no more checks, and those in flight report nothing', async () => {
    const { clock, probes, changes, checker } = harness({ random: () => 0.5 });
    checker.update([
      target('a', [tcpCheck({ retry: 0 })], '198.51.100.1'),
      target('b', [tcpCheck({ warmup: 10 })], '198.51.100.2'),
    ]);
    clock.advance(0);
    checker.stop();
    probes[0]!.finish(refused);
    await settle();
    clock.advance(60_000);
    assert.equal(probes.length, 1);
    assert.equal(changes.length, 0);
  });

  test('at most maxConcurrent checks at once, the rest in FIFO order, and all 10,000 get checked', async () => {
    // The shared fake clock sorts every timer at each step; this test needs only "fire what is due".
    const pending: (() => void)[] = [];
    let now = 0;
    const clock: Clock = {
      now: () => now,
      after: (_ms, fn) => {
        pending.push(fn);
        return () => undefined;
      },
    };
    let inFlight = 0;
    let maxInFlight = 0;
    const started: string[] = [];
    const checker = new HealthChecker(
      {
        clock,
        wallClock: () => WALL_START,
        random: () => 0,
        launcher: new FakeLauncher(),
        maxConcurrent: 256,
        probeTcp: async (t) => {
          started.push(t.host);
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await settle();
          inFlight--;
          return up;
        },
      },
      () => assert.fail('nothing changes'),
    );
    const hosts = Array.from({ length: 10_000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    checker.update(hosts.map((host) => target(host, [tcpCheck()], host)));
    for (const fire of pending.splice(0)) fire();
    assert.equal(inFlight, 256);
    for (let rounds = 0; started.length < hosts.length || inFlight > 0; rounds++) {
      assert.ok(rounds < 1000, 'checks stopped making progress');
      await settle();
    }
    assert.equal(maxInFlight, 256);
    assert.deepEqual(started, hosts, 'each host once, in the order they became due');
    // A delay_loop later, every one of them is checked again.
    now = 60_000;
    for (const fire of pending.splice(0)) fire();
    for (let rounds = 0; started.length < 2 * hosts.length || inFlight > 0; rounds++) {
      assert.ok(rounds < 1000, 'the second round stopped making progress');
      await settle();
    }
    assert.deepEqual(started.slice(hosts.length), hosts, 'every checker had its next check scheduled');
    checker.stop();
  });
});

function fileCheck(track: FileCheck['track']['name'] = 'maint', weight?: number): FileCheck {
  return {
    type: 'FILE_CHECK',
    pos: pos(),
    track: { name: track, pos: pos(), ...(weight !== undefined && { weight }) },
  };
}

const maintFile = (weight = 0): TrackFile => ({
  name: 'maint',
  pos: pos(),
  file: '/run/maint',
  weight,
  weightReverse: false,
});

describe('HealthChecker FILE_CHECK', () => {
  test('the verdict follows the file at once, without retries, and starts from the value handed in first', () => {
    const { checker, changes, clock } = harness();
    checker.trackFileChanged(maintFile(), 1);
    checker.update([target('rs', [fileCheck()])]);
    assert.deepEqual(
      [checker.health('rs')?.alive, checker.health('rs')?.reason],
      [false, 'FILE_CHECK: track_file maint holds 1 (weight 0: non-zero means down)'],
    );
    clock.advance(3_000);
    checker.trackFileChanged(maintFile(), 0);
    assert.deepEqual(
      changes.map((c) => [c.id, c.health.alive, c.health.since]),
      [['rs', true, WALL_START + 3_000]],
    );
  });

  test('a weighted file adds to the configured weight, which a reload may change without resetting the check', () => {
    const { checker, changes } = harness();
    checker.trackFileChanged(maintFile(2), 0);
    checker.update([{ ...target('rs', [fileCheck()]), weight: 10 }]);
    assert.equal(checker.health('rs')?.weight, undefined);
    checker.trackFileChanged(maintFile(2), -3);
    assert.deepEqual(
      changes.map((c) => [c.health.alive, c.health.weight]),
      [[true, 4]],
    );
    checker.update([{ ...target('rs', [fileCheck()]), weight: 20 }]);
    assert.equal(checker.health('rs')?.weight, 14);
    checker.trackFileChanged(maintFile(2), -30);
    assert.equal(checker.health('rs')?.weight, 0, 'never below 0');
  });

  test('a FILE_CHECK down keeps the real server down even when its TCP_CHECK passes', async () => {
    const { checker, clock, finishLast } = harness();
    checker.trackFileChanged(maintFile(), 1);
    checker.update([target('rs', [tcpCheck(), fileCheck()])]);
    clock.advance(0);
    await finishLast(up);
    assert.equal(checker.health('rs')?.alive, false);
    assert.match(checker.health('rs')?.reason ?? '', /^FILE_CHECK: /);
  });
});

describe('HealthChecker.checkNow', () => {
  test('probes every checker at once and reports each, leaving the verdict, the retries and the schedule alone', async () => {
    const { checker, clock, probes, finishLast, changes } = harness();
    checker.update([target('rs', [tcpCheck({ retry: 1, delayLoop: 10, delayBeforeRetry: 1 })])]);
    clock.advance(0);
    await finishLast(up);
    clock.advance(10_000);
    await finishLast(refused); // the first failure of a server that passed: one retry left, due in 1 s
    assert.equal(probes.length, 2);
    const now = checker.checkNow('rs');
    assert.ok(now);
    assert.equal(probes.length, 3, 'probed at once, not at the next check');
    assert.equal(checker.checkNow('rs'), now, 'a second request joins the first');
    await finishLast(refused);
    assert.deepEqual(await now, {
      alive: false,
      checkers: [{ type: 'TCP_CHECK', ok: false, latencyMs: 1, reason: 'TCP_CHECK: connection refused' }],
    });
    assert.equal(checker.health('rs')?.alive, true, 'the --now failure did not use up the retry');
    assert.deepEqual(changes, []);
    clock.advance(999);
    assert.equal(probes.length, 3);
    clock.advance(1);
    assert.equal(probes.length, 4, 'the retry comes when the schedule said');
    await finishLast(up);
  });

  test('a passing run does not bring a down server up: the schedule does', async () => {
    const { checker, clock, finishLast } = harness();
    checker.update([target('rs', [tcpCheck({ retry: 0 })])]);
    clock.advance(0);
    await finishLast(refused);
    assert.equal(checker.health('rs')?.alive, false);
    const now = checker.checkNow('rs')!;
    await finishLast(up);
    assert.equal((await now).alive, true);
    assert.equal(checker.health('rs')?.alive, false);
  });

  test('a FILE_CHECK reads its file again, and the watched value stays its verdict; an unknown server is undefined', async () => {
    const reads: string[] = [];
    const { checker } = harness({
      readTrackFile: async (file) => {
        reads.push(file);
        return 7;
      },
    });
    checker.trackFileChanged(maintFile(), 0);
    checker.update([target('rs', [fileCheck()])]);
    const result = await checker.checkNow('rs')!;
    assert.deepEqual(reads, ['/run/maint']);
    assert.deepEqual(
      result.checkers.map((c) => [c.type, c.ok, c.reason]),
      [['FILE_CHECK', false, 'FILE_CHECK: track_file maint holds 7 (weight 0: non-zero means down)']],
    );
    assert.equal(checker.health('rs')?.alive, true);
    assert.equal(checker.checkNow('nope'), undefined);
  });
});
