// bin/vigil runs `vigil status` and `vigil check` without booting oclif (src/cli/lean.ts): for
// every form it takes, it must print what the oclif command prints, and exit the same.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../../lab/paths.js';
import { DaemonProcess, run, vigil } from '../../lab/processes.js';
import { noInstances } from '../helpers/daemon-configs.js';

/** The same command through oclif only, as bin/vigil ran every command before the lean path. */
const viaOclif = (args: string[], env?: NodeJS.ProcessEnv) =>
  run(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(path.join(repoRoot, 'dist', 'vigil.cjs'))}).run(${JSON.stringify(repoRoot)})`,
      'vigil',
      ...args,
    ],
    env,
  );

// Times in the renderings (uptime) move between two runs.
const steady = (text: string) =>
  text.replace(/up \d+[hms\d]*/g, 'up T').replace(/"uptimeSeconds": [\d.]+/g, '"uptimeSeconds": T');

describe('the lean path prints what oclif prints', () => {
  const daemon = new DaemonProcess();
  before(async () => {
    daemon.writeConfig(noInstances('lean-test'));
    await daemon.start();
  });
  after(() => daemon.cleanup());

  const forms: [string, () => string[], NodeJS.ProcessEnv?][] = [
    ['status', () => ['status', '--socket', daemon.socket]],
    ['status --json', () => ['status', '--json', `--socket=${daemon.socket}`]],
    ['status -s, --json last', () => ['status', '-s', daemon.socket, '--json']],
    ['status with VIGIL_SOCKET', () => ['status'], { VIGIL_SOCKET: daemon.socket }],
    ['check', () => ['check', '--socket', daemon.socket]],
    ['check --json', () => ['check', '--json', '--socket', daemon.socket]],
    ['status, no daemon', () => ['status', '--socket', path.join(daemon.dir, 'none.sock')]],
    ['status --json, no daemon', () => ['status', '--json', '--socket', path.join(daemon.dir, 'none.sock')]],
  ];
  for (const [name, args, env] of forms) {
    test(name, async () => {
      const [lean, oclif] = await Promise.all([vigil(args(), env), viaOclif(args(), env)]);
      assert.equal(steady(lean.stdout), steady(oclif.stdout));
      assert.equal(lean.stderr, oclif.stderr);
      assert.equal(lean.code, oclif.code);
    });
  }

  test('--help and anything the lean path does not take still reach oclif', async () => {
    const help = await vigil(['status', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /USAGE/);
    const unknown = await vigil(['status', '--bogus', '--socket', daemon.socket]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Nonexistent flag: --bogus/);
  });
});
