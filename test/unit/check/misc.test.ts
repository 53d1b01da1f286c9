// MISC_CHECK with real scripts run by the real launcher: exit codes, misc_dynamic weights,
// timeouts and scripts that cannot run.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { probeMisc } from '../../../src/check/misc.js';
import { ChildProcessLauncher } from '../../../src/scripts/launcher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-misc-'));
// The launcher may pick another user (keepalived_script) to run them: it must reach them.
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));

function writeScript(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

const launcher = new ChildProcessLauncher({ enableScriptSecurity: false });

async function check(body: string, options: { dynamic?: boolean; timeoutMs?: number } = {}) {
  const preparation = await launcher.prepare([writeScript(`check-${Math.random().toString(36).slice(2)}.sh`, body)]);
  assert.ok(preparation.ok, preparation.ok ? '' : preparation.reason);
  return probeMisc(launcher, preparation, { timeoutMs: options.timeoutMs ?? 5000, dynamic: options.dynamic ?? false });
}

/** The outcome without its timing, which varies. */
function verdict(outcome: Awaited<ReturnType<typeof probeMisc>>) {
  const { latencyMs, ...rest } = outcome;
  assert.ok(latencyMs >= 0);
  return rest;
}

describe('probeMisc', () => {
  test('exit 0 passes', async () => {
    assert.deepEqual(verdict(await check('exit 0')), { ok: true });
  });

  test('exit 1 fails, with what the script said', async () => {
    assert.deepEqual(verdict(await check('echo backend unhealthy\nexit 1')), {
      ok: false,
      reason: 'exited with status 1; last output: backend unhealthy',
    });
  });

  test('without misc_dynamic any other exit status fails too', async () => {
    assert.deepEqual(verdict(await check('exit 7')), { ok: false, reason: 'exited with status 7' });
  });

  test('misc_dynamic: exit 7 passes with weight 5; exit 0 passes without a weight; exit 1 fails', async () => {
    assert.deepEqual(verdict(await check('exit 7', { dynamic: true })), { ok: true, weight: 5 });
    assert.deepEqual(verdict(await check('exit 2', { dynamic: true })), { ok: true, weight: 0 });
    assert.deepEqual(verdict(await check('exit 0', { dynamic: true })), { ok: true });
    assert.deepEqual(verdict(await check('exit 1', { dynamic: true })), { ok: false, reason: 'exited with status 1' });
  });

  test('a script still running at misc_timeout is killed and fails, even with misc_dynamic', async () => {
    const started = performance.now();
    const outcome = await check('sleep 5', { timeoutMs: 300, dynamic: true });
    assert.deepEqual(verdict(outcome), { ok: false, reason: 'timed out after 0.3 s and was killed' });
    assert.ok(performance.now() - started < 2000);
  });

  test('a script the launcher refused fails with its reason, without running', async () => {
    const preparation = await launcher.prepare([path.join(dir, 'missing.sh')]);
    assert.equal(preparation.ok, false);
    const outcome = await probeMisc(launcher, preparation, { timeoutMs: 1000, dynamic: false });
    assert.deepEqual(outcome, { ok: false, latencyMs: 0, reason: preparation.ok ? '' : preparation.reason });
  });
});
