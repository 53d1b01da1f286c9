// The scheduling of vrrp_scripts and the queueing of notify scripts, with a fake clock and a
// fake launcher whose runs finish when a test says so; and who scripts run as.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command, RunAs, VrrpScript } from '../../../src/config/index.js';
import {
  describeResult,
  isExecutableBy,
  type Preparation,
  type PreparedScript,
  type RunOptions,
  resolveScriptIdentity,
  type ScriptLauncher,
  type ScriptResult,
} from '../../../src/scripts/launcher.js';
import { type NotifyFailure, NotifyRunner } from '../../../src/scripts/notify.js';
import { TrackScriptScheduler } from '../../../src/vrrp/track-scripts.js';
import { FakeClock } from '../../helpers/fake-clock.js';

interface FakeRun {
  argv: Command;
  options: RunOptions;
  finish(success: boolean, detail?: string, outputTail?: string[]): void;
}

class FakeLauncher implements ScriptLauncher {
  readonly prepared: { command: Command; runAs?: RunAs }[] = [];
  readonly runs: FakeRun[] = [];
  /** argv[0] → why preparation refuses it. */
  readonly refusals = new Map<string, string>();

  async prepare(command: Command, runAs?: RunAs): Promise<Preparation> {
    this.prepared.push({ command, runAs });
    const refusal = this.refusals.get(command[0]!);
    if (refusal) return { ok: false, reason: refusal };
    return { ok: true, script: { command, file: command[0]!, identity: { user: 'root', uid: 0, gid: 0 } } };
  }

  run(script: PreparedScript, options: RunOptions): Promise<ScriptResult> {
    return new Promise((resolve) => {
      this.runs.push({
        argv: script.command,
        options,
        finish: (success, detail = `exited with status ${success ? 0 : 1}`, outputTail = []) =>
          resolve({ success, detail, outputTail }),
      });
    });
  }
}

/** Lets promise callbacks (preparation, finished runs) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function vrrpScript(name: string, overrides: Partial<VrrpScript> = {}): VrrpScript {
  return {
    name,
    pos: { file: 'k.conf', line: 1, col: 1 },
    script: [`/scripts/${name}`],
    interval: 2,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
    ...overrides,
  };
}

function scheduler(scripts: VrrpScript[]) {
  const clock = new FakeClock();
  const launcher = new FakeLauncher();
  const events: string[] = [];
  const tracker = new TrackScriptScheduler(scripts, {
    launcher,
    clock,
    observer: {
      statusChanged: (name, status, detail) => events.push(`${name} ${status}: ${detail} @${clock.now()}`),
      runSkipped: (name, detail) => events.push(`${name} skipped: ${detail} @${clock.now()}`),
    },
  });
  return { clock, launcher, events, tracker };
}

describe('TrackScriptScheduler', () => {
  test('runs each script at start and then every interval, reporting only changes of status', async () => {
    const { clock, launcher, events, tracker } = scheduler([vrrpScript('chk')]);
    assert.equal(tracker.statuses().get('chk'), 'init');
    tracker.start();
    await settle();
    assert.equal(launcher.runs.length, 1, 'the first run is at start');
    assert.equal(launcher.runs[0]!.options.timeoutMs, 2000, 'no timeout configured: the interval, as keepalived');
    launcher.runs[0]!.finish(true);
    await settle();
    assert.deepEqual(events, ['chk ok: exited with status 0 @0']);
    assert.equal(tracker.statuses().get('chk'), 'ok');

    clock.advance(1999);
    assert.equal(launcher.runs.length, 1);
    clock.advance(1);
    assert.equal(launcher.runs.length, 2);
    launcher.runs[1]!.finish(true);
    await settle();
    assert.equal(events.length, 1, 'still ok: nothing to report');

    clock.advance(2000);
    launcher.runs[2]!.finish(false, 'exited with status 3', ['backend down', 'giving up']);
    await settle();
    assert.equal(events[1], 'chk failed: exited with status 3; last output: backend down | giving up @4000');
    assert.equal(tracker.statuses().get('chk'), 'failed');
  });

  test('rise and fall count consecutive runs: fall 2 needs two failures', async () => {
    const { clock, launcher, events, tracker } = scheduler([vrrpScript('chk', { interval: 1, timeout: 0.5, fall: 2 })]);
    tracker.start();
    await settle();
    assert.equal(launcher.runs[0]!.options.timeoutMs, 500);
    launcher.runs[0]!.finish(true);
    await settle();
    for (const success of [false, true, false, false]) {
      clock.advance(1000);
      launcher.runs.at(-1)!.finish(success);
      await settle();
    }
    assert.deepEqual(events, ['chk ok: exited with status 0 @0', 'chk failed: exited with status 1 @4000']);
  });

  test('a run still going when the next is due is skipped and noted: never two at once', async () => {
    const { clock, launcher, events, tracker } = scheduler([vrrpScript('slow', { interval: 1, timeout: 5 })]);
    tracker.start();
    await settle();
    clock.advance(1000);
    clock.advance(1000);
    assert.equal(launcher.runs.length, 1);
    assert.deepEqual(events, [
      'slow skipped: the previous run is still going after 1 s @1000',
      'slow skipped: the previous run is still going after 1 s @2000',
    ]);
    launcher.runs[0]!.finish(true);
    await settle();
    clock.advance(1000);
    assert.equal(launcher.runs.length, 2, 'the next due run goes ahead once the last has finished');
  });

  test('a script its preparation refuses is disabled and never runs; the others carry on', async () => {
    const { clock, launcher, events, tracker } = scheduler([vrrpScript('unsafe'), vrrpScript('fine')]);
    launcher.refusals.set('/scripts/unsafe', 'enable_script_security: /scripts is writable by everyone');
    tracker.start();
    await settle();
    assert.deepEqual(events, ['unsafe disabled: enable_script_security: /scripts is writable by everyone @0']);
    assert.equal(tracker.statuses().get('unsafe'), 'disabled');
    clock.advance(10_000);
    assert.ok(launcher.runs.every((run) => run.argv[0] === '/scripts/fine'));
  });

  test("a script's user goes to preparation; init_fail scripts start failed", async () => {
    const { launcher, tracker } = scheduler([vrrpScript('as_nobody', { user: { user: 'nobody' }, initFail: true })]);
    assert.equal(tracker.statuses().get('as_nobody'), 'failed');
    tracker.start();
    await settle();
    assert.deepEqual(launcher.prepared, [{ command: ['/scripts/as_nobody'], runAs: { user: 'nobody' } }]);
  });

  test('stop() kills the run in flight, ignores its result and runs nothing more', async () => {
    const { clock, launcher, events, tracker } = scheduler([vrrpScript('chk')]);
    tracker.start();
    await settle();
    tracker.stop();
    assert.equal(launcher.runs[0]!.options.signal?.aborted, true);
    launcher.runs[0]!.finish(false, 'killed: vigild is stopping');
    await settle();
    clock.advance(10_000);
    assert.equal(launcher.runs.length, 1);
    assert.deepEqual(events, []);
  });
});

function notifier(timeoutMs?: number) {
  const launcher = new FakeLauncher();
  const failures: NotifyFailure[] = [];
  const runner = new NotifyRunner({
    launcher,
    onFailure: (f) => failures.push(f),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { launcher, failures, runner };
}

describe('NotifyRunner', () => {
  test('MASTER: notify_master as configured, then notify with INSTANCE, name, state and priority appended — one after the other', async () => {
    const { launcher, runner } = notifier();
    const done = runner.notifyInstance(
      'VI_1',
      { master: ['/n/master.sh'], backup: ['/n/backup.sh'], any: ['/n/notify.sh', '--verbose'] },
      'MASTER',
      150,
    );
    await settle();
    assert.deepEqual(
      launcher.runs.map((r) => r.argv),
      [['/n/master.sh']],
    );
    launcher.runs[0]!.finish(true);
    await settle();
    assert.deepEqual(launcher.runs[1]!.argv, ['/n/notify.sh', '--verbose', 'INSTANCE', 'VI_1', 'MASTER', '150']);
    assert.equal(launcher.runs[1]!.options.timeoutMs, 10_000, 'the default limit');
    launcher.runs[1]!.finish(true);
    await done;
  });

  test('a group: notify_backup, then notify with GROUP and priority 0', async () => {
    const { launcher, runner } = notifier(3000);
    void runner.notifyGroup('VG_1', { backup: ['/n/group-backup.sh'], any: ['/n/notify.sh'] }, 'BACKUP');
    await settle();
    launcher.runs[0]!.finish(true);
    await settle();
    assert.deepEqual(
      launcher.runs.map((r) => r.argv),
      [['/n/group-backup.sh'], ['/n/notify.sh', 'GROUP', 'VG_1', 'BACKUP', '0']],
    );
    assert.equal(launcher.runs[0]!.options.timeoutMs, 3000);
  });

  test('STOP runs notify_stop; a state without its own script runs only notify', async () => {
    const { launcher, runner } = notifier();
    void runner.notifyInstance('VI_1', { stop: ['/n/stop.sh'], any: ['/n/notify.sh'] }, 'FAULT', 100);
    await settle();
    assert.deepEqual(launcher.runs[0]!.argv, ['/n/notify.sh', 'INSTANCE', 'VI_1', 'FAULT', '100']);
    launcher.runs[0]!.finish(true);
    void runner.notifyInstance('VI_1', { stop: ['/n/stop.sh'], any: ['/n/notify.sh'] }, 'STOP', 100);
    await settle();
    assert.deepEqual(launcher.runs[1]!.argv, ['/n/stop.sh']);
  });

  test("one instance's transitions queue in order; other instances do not wait for them", async () => {
    const { launcher, runner } = notifier();
    void runner.notifyInstance('VI_1', { any: ['/n/notify.sh'] }, 'MASTER', 150);
    void runner.notifyInstance('VI_1', { any: ['/n/notify.sh'] }, 'BACKUP', 150);
    void runner.notifyInstance('VI_2', { any: ['/n/notify.sh'] }, 'FAULT', 90);
    await settle();
    const running = () => launcher.runs.map((r) => r.argv.slice(2, 4).join(' '));
    assert.deepEqual(running(), ['VI_1 MASTER', 'VI_2 FAULT']);
    launcher.runs[1]!.finish(true);
    await settle();
    assert.deepEqual(running(), ['VI_1 MASTER', 'VI_2 FAULT'], 'VI_1 BACKUP waits for VI_1 MASTER');
    launcher.runs[0]!.finish(true);
    await settle();
    assert.deepEqual(running(), ['VI_1 MASTER', 'VI_2 FAULT', 'VI_1 BACKUP']);
  });

  test('failures and refusals are reported, and the queue goes on', async () => {
    const { launcher, failures, runner } = notifier();
    launcher.refusals.set('/n/unsafe.sh', 'enable_script_security: /n is writable by everyone');
    void runner.notifyInstance('VI_1', { fault: ['/n/unsafe.sh'], any: ['/n/notify.sh'] }, 'FAULT', 100);
    await settle();
    launcher.runs[0]!.finish(false, 'timed out after 10 s and was killed', ['still waiting']);
    await runner.idle();
    assert.deepEqual(failures, [
      {
        subject: 'INSTANCE VI_1',
        state: 'FAULT',
        command: ['/n/unsafe.sh'],
        detail: 'not run: enable_script_security: /n is writable by everyone',
      },
      {
        subject: 'INSTANCE VI_1',
        state: 'FAULT',
        command: ['/n/notify.sh', 'INSTANCE', 'VI_1', 'FAULT', '100'],
        detail: 'timed out after 10 s and was killed; last output: still waiting',
      },
    ]);
  });

  test('idle() waits for everything queued', async () => {
    const { launcher, runner } = notifier();
    void runner.notifyInstance('VI_1', { any: ['/n/notify.sh'] }, 'STOP', 100);
    void runner.notifyGroup('VG_1', { any: ['/n/notify.sh'] }, 'STOP');
    let idle = false;
    void runner.idle().then(() => (idle = true));
    await settle();
    launcher.runs[0]!.finish(true);
    await settle();
    assert.equal(idle, false);
    launcher.runs[1]!.finish(true);
    await settle();
    assert.equal(idle, true);
  });
});

describe('script users', () => {
  const accounts = {
    passwd: [
      'root:x:0:0:root:/root:/bin/bash',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      '# a comment',
      'damaged:x::7::/:/bin/sh',
      '',
    ].join('\n'),
    group: 'root:x:0:\nwheel:x:10:alice\nnogroup:x:65534:\n',
  };
  const withScriptUser = { ...accounts, passwd: `${accounts.passwd}keepalived_script:x:990:991::/:/sbin/nologin\n` };
  const root = { uid: 0, gid: 0 };
  const insecure = { enableScriptSecurity: false };

  test("the script's own user, with its primary group or the group named", () => {
    assert.deepEqual(resolveScriptIdentity({ user: 'nobody' }, insecure, accounts, root), {
      user: 'nobody',
      uid: 65534,
      gid: 65534,
    });
    assert.deepEqual(resolveScriptIdentity({ user: 'nobody', group: 'wheel' }, insecure, accounts, root), {
      user: 'nobody:wheel',
      uid: 65534,
      gid: 10,
    });
  });

  test('then global script_user, then keepalived_script if it exists, then the daemon’s own user', () => {
    assert.deepEqual(
      resolveScriptIdentity(undefined, { ...insecure, scriptUser: { user: 'nobody' } }, withScriptUser, root),
      { user: 'nobody', uid: 65534, gid: 65534 },
    );
    assert.deepEqual(resolveScriptIdentity(undefined, insecure, withScriptUser, root), {
      user: 'keepalived_script',
      uid: 990,
      gid: 991,
    });
    assert.deepEqual(resolveScriptIdentity(undefined, insecure, accounts, root), { user: 'root', uid: 0, gid: 0 });
  });

  test('enable_script_security does not fall back to the daemon’s user silently', () => {
    const result = resolveScriptIdentity(undefined, { enableScriptSecurity: true }, accounts, root);
    assert.ok(
      'error' in result && result.error.includes('set `script_user USER` in global_defs'),
      JSON.stringify(result),
    );
    assert.deepEqual(
      resolveScriptIdentity(undefined, { enableScriptSecurity: true, scriptUser: { user: 'root' } }, accounts, root),
      { user: 'root', uid: 0, gid: 0 },
    );
  });

  test('unknown users and groups are errors; a damaged uid field is not read as 0', () => {
    assert.deepEqual(resolveScriptIdentity({ user: 'ghost' }, insecure, accounts, root), {
      error: 'user `ghost` does not exist (not in /etc/passwd)',
    });
    assert.deepEqual(resolveScriptIdentity({ user: 'nobody', group: 'ghosts' }, insecure, accounts, root), {
      error: 'group `ghosts` does not exist (not in /etc/group)',
    });
    assert.deepEqual(resolveScriptIdentity({ user: 'damaged' }, insecure, accounts, root), {
      error: 'user `damaged` does not exist (not in /etc/passwd)',
    });
  });

  test("execute permission as execve decides it: root needs any x bit, others their own class's", () => {
    const file = (mode: number) => ({ mode: 0o100000 | mode, uid: 1000, gid: 100 });
    assert.equal(isExecutableBy(file(0o001), { uid: 0, gid: 0 }), true);
    assert.equal(isExecutableBy(file(0o644), { uid: 0, gid: 0 }), false);
    assert.equal(isExecutableBy(file(0o011), { uid: 1000, gid: 100 }), false, 'the owner uses the owner bits only');
    assert.equal(
      isExecutableBy(file(0o010), { uid: 2000, gid: 100 }),
      true,
      'a member of the group uses the group bits',
    );
    assert.equal(isExecutableBy(file(0o001), { uid: 2000, gid: 100 }), false);
    assert.equal(isExecutableBy(file(0o001), { uid: 2000, gid: 200 }), true, 'anyone else uses the other bits');
  });

  test('a failed result is described with its last output', () => {
    assert.equal(
      describeResult({ success: false, detail: 'exited with status 2', outputTail: ['a', 'b'] }),
      'exited with status 2; last output: a | b',
    );
    assert.equal(
      describeResult({ success: true, detail: 'exited with status 0', outputTail: ['noise'] }),
      'exited with status 0',
    );
  });
});
