// vigild against the signals keepalived's operators and exporters send, and against a bug that
// escapes every handler. It runs in a lab namespace of its own, so that a TCP listener there
// (Node's inspector on 9229) can only be vigild's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { rssMiB } from '../../lab/proc-usage.js';
import { DaemonProcess, vigil, waitFor, waitUntil } from '../../lab/processes.js';
import { nativeConstants } from '../../src/net/native.js';
import { MASTER_VIP, ONE_MASTER } from '../helpers/daemon-configs.js';
import { skipWithout } from '../helpers/needs.js';

const VIP = MASTER_VIP;

/** keepalived's own number for a signal function (`keepalived --signum=NAME`), when it is installed. */
function keepalivedSignum(name: string): number | undefined {
  const { status, stdout } = spawnSync('keepalived', [`--signum=${name}`], { encoding: 'utf8' });
  return status === 0 ? Number(stdout.trim()) : undefined;
}

describe('vigild and the signals keepalived operators send', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  before(() => lab.up(1));
  after(() => lab.down());

  const tcpListeners = async () => (await lab.exec('r1', ['ss', '-Hltn'])).stdout.trim();

  test('dump signals write their dumps, they and SIGPIPE neither stop vigild nor open a debugger, and SIGTERM still stops it cleanly', async () => {
    const daemon = new DaemonProcess({ netns: lab.ns('r1') });
    // keepalived's dumps go to TMPDIR: the daemon's own directory, so that tests never share them.
    Object.assign(daemon.env, { TMPDIR: daemon.dir });
    try {
      // With an instance: keepalived writes no JSON dump without one.
      daemon.writeConfig(ONE_MASTER);
      await daemon.start();
      await waitUntil('vigild to hold the VIP as master', () => lab.holds('r1', VIP));
      const { SIGRTMIN, SIGRTMAX } = nativeConstants();
      const dumps: [NodeJS.Signals | number, string, string][] = [
        ['SIGUSR1', 'SIGUSR1', 'keepalived.data'],
        ['SIGUSR2', 'SIGUSR2', 'keepalived.stats'],
        [keepalivedSignum('JSON') ?? SIGRTMIN + 2, 'SIGRTMIN+2', 'keepalived.json'],
        [keepalivedSignum('STATS_CLEAR') ?? SIGRTMAX - 1, 'SIGRTMAX-1', 'keepalived.stats'],
      ];
      for (const [signal, name, file] of dumps) {
        const written = path.join(daemon.dir, file);
        rmSync(written, { force: true });
        process.kill(daemon.child.pid!, signal);
        await waitFor(`${name} to write ${file}`, () => existsSync(written));
      }
      // SIGRTMAX-1 wrote the counters as they were, then zeroed them, as keepalived's STATS_CLEAR.
      const stats = path.join(daemon.dir, 'keepalived.stats');
      assert.match(readFileSync(stats, 'utf8'), /^ {2}Became master: 1$/m);
      rmSync(stats);
      daemon.signal('SIGUSR2');
      await waitFor('SIGUSR2 to write keepalived.stats', () => existsSync(stats));
      assert.match(readFileSync(stats, 'utf8'), /^ {2}Became master: 0$/m);
      // A storm: each signal costs a flag, and the writes of the storm come to one more dump.
      const rssBefore = rssMiB(daemon.child.pid!);
      for (let i = 0; i < 5000; i++) process.kill(daemon.child.pid!, 'SIGUSR2');
      const storm = await vigil(['status', '--socket', daemon.socket]);
      assert.equal(storm.code, 0, storm.stderr);
      const grown = rssMiB(daemon.child.pid!) - rssBefore;
      assert.ok(grown < 30, `vigild grew by ${grown.toFixed(1)} MiB during 5,000 dump signals`);
      daemon.signal('SIGPIPE');
      // vigil status takes a few hundred ms: time enough for an inspector to have opened.
      const status = await vigil(['status', '--socket', daemon.socket]);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(daemon.child.exitCode, null, 'vigild is still running');
      assert.doesNotMatch(daemon.log, /Debugger listening/);
      assert.equal(await tcpListeners(), '', 'nothing listens on TCP in vigild’s namespace (Node’s inspector: 9229)');

      assert.equal(await daemon.stop(), 0);
      assert.equal(existsSync(daemon.socket), false);
      assert.equal(existsSync(daemon.pidFile), false);
    } finally {
      await daemon.cleanup();
    }
  });

  for (const [mode, what] of [
    ['throw', 'uncaught exception'],
    ['reject', 'unhandled promise rejection'],
  ] as const) {
    test(`an ${what} is logged with its stack, the master resigns its VIP, and vigild exits 70`, async () => {
      // The failure is injected from outside, by a module Node preloads into vigild: it throws
      // (or rejects) once the test creates the trigger file.
      const daemon = new DaemonProcess({ netns: lab.ns('r1') });
      const trigger = path.join(daemon.dir, 'fail-now');
      const preload = path.join(daemon.dir, 'fail-on-trigger.cjs');
      writeFileSync(
        preload,
        `const { existsSync } = require('node:fs');
const timer = setInterval(() => {
  if (!existsSync(${JSON.stringify(trigger)})) return;
  clearInterval(timer);
  ${mode === 'throw' ? "throw new Error('injected by the test')" : "Promise.reject(new Error('injected by the test'))"};
}, 20);
timer.unref();
`,
      );
      Object.assign(daemon.env, { NODE_OPTIONS: `--require ${preload}` });
      try {
        daemon.writeConfig(ONE_MASTER);
        await daemon.start();
        await waitUntil('vigild to hold the VIP as master', () => lab.holds('r1', VIP));
        writeFileSync(trigger, '');
        assert.equal(await daemon.exited, 70, daemon.log);
        assert.match(daemon.log, new RegExp(`"msg":"${what}: resigning and exiting with 70`));
        assert.match(daemon.log, /"stack":"Error: injected by the test\\n {4}at /);
        assert.match(daemon.log, /vigild stopped/);
        assert.equal(await lab.holds('r1', VIP), false, 'the VIP is released');
        assert.equal(existsSync(daemon.socket), false);
        assert.equal(existsSync(daemon.pidFile), false);
      } finally {
        await daemon.cleanup();
      }
    });
  }
});
