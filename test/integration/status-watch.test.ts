// `vigil status --watch` against a real vigild: a new status after each change vigild announces
// (here a reload), none in between, and a watch that outlives a vigild restart.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { DaemonProcess, vigilBin, waitFor } from '../../lab/processes.js';
import { noInstances } from '../helpers/daemon-configs.js';

class Watch {
  stdout = '';
  stderr = '';
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(vigilBin, ['status', '--watch', ...args]);
    this.child.stdout.on('data', (d) => (this.stdout += d));
    this.child.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The renderings so far (not a terminal: each after a blank line). */
  renderings = () => this.stdout.split(/\n\n(?=vigild )/).filter(Boolean);

  stop(): Promise<number | null> {
    this.child.kill('SIGINT');
    return this.exited;
  }
}

async function withDaemon(body: (daemon: DaemonProcess) => Promise<void>): Promise<void> {
  const daemon = new DaemonProcess();
  try {
    daemon.writeConfig(noInstances('watch-test'));
    await daemon.start();
    await body(daemon);
  } finally {
    await daemon.cleanup();
  }
}

/** Runs vigil in a pseudo-terminal (python3's pty module), so that ^C written to it is Ctrl-C. */
function inTerminal(args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', vigilBin, ...args]);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  return { child, output: () => output };
}

describe('vigil status --watch', () => {
  test('prints the status, then a new one after a reload, and exits 0 on Ctrl-C', async () => {
    await withDaemon(async (daemon) => {
      const watch = new Watch(['--socket', daemon.socket]);
      try {
        await waitFor(
          'the first status',
          () => watch.renderings().length === 1 && watch.stdout.includes('generation 1'),
        );
        // No event, no redraw: the watch does not poll.
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(watch.renderings().length, 1);
        daemon.signal('SIGHUP');
        await waitFor(`a status of generation 2; got:\n${watch.stdout}`, () =>
          watch.renderings().at(-1)?.includes('generation 2'),
        );
        assert.match(watch.renderings()[0]!, /^vigild \S+ {2}pid \d+/);
      } finally {
        assert.equal(await watch.stop(), 0);
      }
      assert.equal(watch.stderr, '');
    });
  });

  test('--json: one status per line; says when vigild goes away and follows the next one', async () => {
    await withDaemon(async (daemon) => {
      const watch = new Watch(['--json', '--socket', daemon.socket]);
      const statuses = () =>
        watch.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { daemon: { pid: number }; config: { generation: number } });
      try {
        await waitFor('the first status', () => statuses().length === 1);
        const first = daemon.child.pid;
        assert.equal(statuses()[0]!.daemon.pid, first);
        assert.equal(await daemon.stop(), 0);
        await waitFor(`a note that vigild is gone; stderr: ${watch.stderr}`, () => watch.stderr.includes('retrying'));
        await daemon.start();
        await waitFor('a status from the new vigild', () => statuses().at(-1)?.daemon.pid === daemon.child.pid);
        assert.notEqual(daemon.child.pid, first);
        assert.match(watch.stderr, /connected to vigild again/);
      } finally {
        assert.equal(await watch.stop(), 0);
      }
    });
  });

  test('on a terminal: the screen redrawn, the cursor hidden while watching and shown again after Ctrl-C', async () => {
    await withDaemon(async (daemon) => {
      const { child, output } = inTerminal(['status', '--watch', '--socket', daemon.socket]);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await waitFor('the first status', () => output().includes('generation 1'));
        child.stdin.write('\x03');
        assert.equal(await exited, 0);
        assert.ok(output().startsWith('\x1b[?25l\x1b[H\x1b[2Jvigild '), JSON.stringify(output().slice(0, 40)));
        assert.ok(output().endsWith('\x1b[?25h'), JSON.stringify(output().slice(-40)));
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
