// Real scripts in real processes: exit codes, timeouts that kill the whole process group,
// running as another user, enable_script_security, the generic notify's argv, and track files
// noticed as they change.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '../../lab/processes.js';
import type { Clock } from '../../src/clock.js';
import type { Command } from '../../src/config/index.js';
import { ChildProcessLauncher, type ScriptPolicy } from '../../src/scripts/launcher.js';
import { type NotifyFailure, NotifyRunner } from '../../src/scripts/notify.js';
import { startupScriptWarnings } from '../../src/scripts/script-audit.js';
import { TrackFileWatcher } from '../../src/track-file.js';
import { TrackScriptScheduler } from '../../src/vrrp/track-scripts.js';

const skipUnlessRoot =
  process.getuid?.() === 0 ? false : 'needs root: runs scripts as another user and checks root-owned paths';

const realClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-scripts-'));
// Others (nobody) must be able to reach the scripts in here.
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));

function writeScript(name: string, body: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

async function runScript(command: Command, timeoutMs = 5000, policy: ScriptPolicy = { enableScriptSecurity: false }) {
  const launcher = new ChildProcessLauncher(policy);
  const preparation = await launcher.prepare(command);
  assert.ok(preparation.ok, preparation.ok ? '' : preparation.reason);
  return launcher.run(preparation.script, { timeoutMs });
}

/** Gone, or a zombie nobody has reaped yet: either way it runs no more. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

describe('running scripts', () => {
  test('exit status 0 is success', async () => {
    const result = await runScript([writeScript('ok.sh', 'echo all good\nexit 0')]);
    assert.deepEqual(result, { success: true, detail: 'exited with status 0', outputTail: ['all good'], exitCode: 0 });
  });

  test('any other exit status is failure, with the last lines of output kept', async () => {
    const script = writeScript(
      'fail.sh',
      'for i in 1 2 3 4 5 6 7; do echo "line $i"; done\necho "to stderr" >&2\nexit 3',
    );
    const result = await runScript([script, 'an argument']);
    assert.equal(result.success, false);
    assert.equal(result.detail, 'exited with status 3');
    assert.deepEqual(result.outputTail.slice(0, 3), ['line 4', 'line 5', 'line 6']);
    assert.deepEqual(new Set(result.outputTail.slice(3)), new Set(['line 7', 'to stderr']));
  });

  test('arguments reach the script as they are, without a shell', async () => {
    const out = path.join(dir, 'args.out');
    await runScript([
      writeScript('args.sh', 'for a in "$@"; do echo "$a"; done > "$1.out"'),
      path.join(dir, 'args'),
      '$HOME; rm -rf /',
      "it's",
    ]);
    assert.deepEqual(readFileSync(out, 'utf8').split('\n'), [path.join(dir, 'args'), '$HOME; rm -rf /', "it's", '']);
  });

  test('a timeout kills the script and everything it started, promptly, and counts as failure', async () => {
    const pids = path.join(dir, 'sleepers.pids');
    const script = writeScript('hang.sh', `echo $$ > "${pids}"\nsleep 30 &\necho $! >> "${pids}"\nsleep 30`);
    const started = performance.now();
    const result = await runScript([script], 300);
    const elapsed = performance.now() - started;
    assert.equal(result.success, false);
    assert.equal(result.detail, 'timed out after 0.3 s and was killed');
    assert.ok(elapsed < 300 + 400, `took ${elapsed.toFixed(0)} ms`);
    const [shell, background] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    await waitFor('the script and its background sleep to be gone', () => isGone(shell!) && isGone(background!), 2000);
  });

  test('with a grace period, a timeout sends SIGTERM first: the script may finish its work, and is killed after the grace', async () => {
    const out = path.join(dir, 'graceful.out');
    const launcher = new ChildProcessLauncher({ enableScriptSecurity: false });
    const run = async (body: string) => {
      const preparation = await launcher.prepare([writeScript('graceful.sh', body)]);
      assert.ok(preparation.ok);
      return launcher.run(preparation.script, { timeoutMs: 200, termGraceMs: 500 });
    };
    const tidy = await run(`trap 'echo tidied > "${out}"; exit 5' TERM\nsleep 30 & wait`);
    assert.deepEqual([tidy.detail, readFileSync(out, 'utf8')], ['exited with status 5', 'tidied\n']);
    const started = performance.now();
    const stubborn = await run(`trap '' TERM\nsleep 3`);
    assert.equal(stubborn.detail, 'timed out after 0.2 s and was killed');
    assert.ok(performance.now() - started < 200 + 500 + 400);
  });

  test('a missing or non-executable script is refused when prepared, saying why', async () => {
    const launcher = new ChildProcessLauncher({ enableScriptSecurity: false });
    const missing = await launcher.prepare([path.join(dir, 'no-such-script')]);
    assert.ok(!missing.ok && missing.reason.includes('no-such-script'), JSON.stringify(missing));
    const notExecutable = await launcher.prepare([writeScript('plain.sh', 'exit 0', 0o644)]);
    assert.ok(
      !notExecutable.ok && notExecutable.reason.includes('is not executable by'),
      JSON.stringify(notExecutable),
    );
  });

  test('a script gone by the time it runs is a failure saying why', async () => {
    const launcher = new ChildProcessLauncher({ enableScriptSecurity: false });
    const script = writeScript('vanishing.sh', 'exit 0');
    const preparation = await launcher.prepare([script]);
    assert.ok(preparation.ok);
    rmSync(script);
    const result = await launcher.run(preparation.script, { timeoutMs: 5000 });
    assert.equal(result.success, false);
    assert.match(result.detail, /^could not start .*vanishing\.sh: .*ENOENT/);
  });

  test('a bare name is found in PATH', async () => {
    const result = await runScript(['true']);
    assert.equal(result.success, true);
  });

  // keepalived 2.2.7 executes the file under the name it was called by, next to where its
  // symlinks lead, when that is the same file; else where they lead. That path is argv[0].
  test('runs a symlinked script as keepalived does: under its own name where that is the same file', async () => {
    const out = path.join(dir, 'zero.out');
    const real = writeScript('zero.sh', `echo "$0" >> "${out}"`);
    symlinkSync(real, path.join(dir, 'alias.sh'));
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync(real, path.join(dir, 'elsewhere', 'other.sh'));
    await runScript([path.join(dir, 'alias.sh')]);
    await runScript([path.join(dir, 'elsewhere', 'other.sh')]);
    assert.deepEqual(readFileSync(out, 'utf8').split('\n'), [path.join(dir, 'alias.sh'), real, '']);
  });

  // keepalived hands `</file` to /bin/sh (system(3)) and checks no file for it.
  test('a `</file` command runs in /bin/sh as keepalived runs it: it succeeds when the file opens', async () => {
    const policy: ScriptPolicy = { enableScriptSecurity: true, scriptUser: { user: 'root' } };
    assert.equal((await runScript([`</${writeScript('readable.sh', 'exit 0')}`], 5000, policy)).success, true);
    const missing = await runScript([`</${dir}/no-such-file`]);
    assert.deepEqual(
      [missing.success, missing.exitCode],
      [false, spawnSync('/bin/sh', ['-c', '</no/such/file']).status],
    );
    // /dev/tcp is bash's: under dash (Debian's /bin/sh) the sample's port checks always fail.
    const port = await runScript(['</dev/tcp/127.0.0.1/1']);
    assert.equal(port.success, spawnSync('/bin/sh', ['-c', '</dev/tcp/127.0.0.1/1']).status === 0);
  });

  test('runs as the configured user: nobody', { skip: skipUnlessRoot }, async () => {
    const outDir = path.join(dir, 'for-nobody');
    mkdirSync(outDir);
    chmodSync(outDir, 0o777);
    const script = writeScript('whoami.sh', `id -u > "${outDir}/uid"\nid -g > "${outDir}/gid"`);
    const launcher = new ChildProcessLauncher({ enableScriptSecurity: false });
    const preparation = await launcher.prepare([script], { user: 'nobody' });
    assert.ok(preparation.ok, preparation.ok ? '' : preparation.reason);
    const result = await launcher.run(preparation.script, { timeoutMs: 5000 });
    assert.equal(result.success, true, result.detail);
    const nobody = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('nobody:'))!
      .split(':');
    assert.equal(readFileSync(path.join(outDir, 'uid'), 'utf8').trim(), nobody[2]);
    assert.equal(readFileSync(path.join(outDir, 'gid'), 'utf8').trim(), nobody[3]);
  });

  test('a tracked script scheduled for real reports ok', async () => {
    const events: string[] = [];
    const scheduler = new TrackScriptScheduler(
      [
        {
          name: 'chk',
          pos: { file: 'k.conf', line: 1, col: 1 },
          script: [writeScript('chk.sh', 'exit 0')],
          interval: 1,
          weight: 0,
          weightReverse: false,
          rise: 1,
          fall: 1,
          initFail: false,
        },
      ],
      {
        launcher: new ChildProcessLauncher({ enableScriptSecurity: false }),
        clock: realClock,
        observer: {
          statusChanged: (name, status, detail) => events.push(`${name} ${status} ${detail}`),
          runSkipped: () => {},
        },
      },
    );
    scheduler.start();
    try {
      await waitFor('the first result', () => events.length > 0, 5000);
      assert.deepEqual(events, ['chk ok exited with status 0']);
    } finally {
      scheduler.stop();
    }
  });
});

describe('enable_script_security', { skip: skipUnlessRoot }, () => {
  const policy: ScriptPolicy = { enableScriptSecurity: true, scriptUser: { user: 'root' } };
  const launcher = new ChildProcessLauncher(policy);

  test('refuses a world-writable script that would run as root', async () => {
    const script = writeScript('world-writable.sh', 'exit 0', 0o777);
    const preparation = await launcher.prepare([script]);
    assert.deepEqual(preparation, {
      ok: false,
      reason: `enable_script_security: ${script} would run with root privileges but ${script} is writable by everyone; make it and every directory above it owned and writable by root only`,
    });
  });

  test('refuses a script in a directory others can write to, unless it has the sticky bit', async () => {
    const open = path.join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    writeFileSync(path.join(open, 'check.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const refused = await launcher.prepare([path.join(open, 'check.sh')]);
    assert.ok(!refused.ok && refused.reason.includes(`${open} is writable by everyone`), JSON.stringify(refused));
    chmodSync(open, 0o1777);
    assert.equal((await launcher.prepare([path.join(open, 'check.sh')])).ok, true);
  });

  test('runs a script only root can change', async () => {
    const result = await runScript([writeScript('safe.sh', 'exit 0', 0o755)], 5000, policy);
    assert.equal(result.success, true);
  });

  // keepalived 2.2.7 logs "Unsafe permissions found for script" and "SECURITY VIOLATION -
  // scripts are being executed but script_security not enabled. There are insecure scripts."
  test('when it is off, a script others could change still runs, and the start-up warnings say so', async () => {
    const off = new ChildProcessLauncher({ enableScriptSecurity: false, scriptUser: { user: 'root' } });
    const loose = writeScript('loose.sh', 'exit 0', 0o777);
    const scripts = [
      { command: [loose] },
      { command: [writeScript('tight.sh', 'exit 0')] },
      { command: ['</dev/null'] },
    ];
    const warnings = await startupScriptWarnings(off, scripts, false);
    assert.deepEqual(warnings, [
      `unsafe permissions for script ${loose}: ${loose} would run with root privileges but ${loose} is writable by everyone`,
      'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts. ' +
        'Set enable_script_security in global_defs to refuse scripts that others could change',
    ]);
    assert.deepEqual(await startupScriptWarnings(off, [{ command: ['</dev/null'] }], false), []);
    assert.deepEqual(await startupScriptWarnings(launcher, scripts.slice(1), true), []);
  });

  test('the same script as nobody is not root’s business', async () => {
    const preparation = await launcher.prepare([writeScript('harmless.sh', 'exit 0', 0o777)], { user: 'nobody' });
    assert.equal(preparation.ok, true);
  });
});

describe('notify scripts', () => {
  test('the generic notify gets INSTANCE, the name, the state and the priority after its own arguments', async () => {
    const out = path.join(dir, 'notify.out');
    const script = writeScript('notify.sh', `for a in "$@"; do echo "$a"; done > "${out}"`);
    const failures: NotifyFailure[] = [];
    const runner = new NotifyRunner({
      launcher: new ChildProcessLauncher({ enableScriptSecurity: false }),
      onFailure: (f) => failures.push(f),
    });
    await runner.notifyInstance('VI_1', { any: [script, 'extra arg'] }, 'MASTER', 150);
    assert.deepEqual(readFileSync(out, 'utf8').split('\n'), ['extra arg', 'INSTANCE', 'VI_1', 'MASTER', '150', '']);
    assert.deepEqual(failures, []);
  });
});

describe('track files', () => {
  test('a change is noticed within 100 ms (by the watch: the re-read is a minute away)', async () => {
    const file = path.join(dir, 'weight');
    writeFileSync(file, '0\n');
    const changes: { value: number; at: number }[] = [];
    const problems: string[] = [];
    const watcher = new TrackFileWatcher(
      [{ name: 'weight', pos: { file: 'k.conf', line: 1, col: 1 }, file, weight: 1, weightReverse: false }],
      {
        clock: realClock,
        rereadIntervalMs: 60_000,
        observer: {
          valueChanged: (_name, value) => changes.push({ value, at: performance.now() }),
          problem: (m) => problems.push(m),
        },
      },
    );
    await watcher.start();
    try {
      const written = performance.now();
      writeFileSync(file, '42\n');
      await waitFor('the new value', () => changes.length > 0, 1000);
      assert.equal(changes[0]!.value, 42);
      assert.ok(changes[0]!.at - written < 100, `noticed after ${(changes[0]!.at - written).toFixed(1)} ms`);
      assert.deepEqual(watcher.values(), new Map([['weight', 42]]));
      rmSync(file);
      await waitFor('removal read as 0', () => changes.length > 1, 1000);
      assert.equal(changes[1]!.value, 0);
      assert.deepEqual(problems, []);
    } finally {
      watcher.stop();
    }
  });

  test('a file in a directory that did not exist at start is still picked up by the periodic re-read', async () => {
    const later = path.join(dir, 'created-later');
    const changes: number[] = [];
    const problems: string[] = [];
    const watcher = new TrackFileWatcher(
      [
        {
          name: 'late',
          pos: { file: 'k.conf', line: 1, col: 1 },
          file: path.join(later, 'value'),
          weight: 1,
          weightReverse: false,
        },
      ],
      {
        clock: realClock,
        rereadIntervalMs: 50,
        observer: { valueChanged: (_name, value) => changes.push(value), problem: (m) => problems.push(m) },
      },
    );
    await watcher.start();
    try {
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /cannot watch .*created-later\/value.*read every 50 ms instead/);
      mkdirSync(later);
      writeFileSync(path.join(later, 'value'), '-7\n');
      await waitFor('the value', () => changes.length > 0, 1000);
      assert.deepEqual(changes, [-7]);
    } finally {
      watcher.stop();
    }
  });
});
