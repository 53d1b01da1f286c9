// `vigil monitor` as installed: the CLI bundle stays without the TUI (every other command loads
// it), the command refuses a pipe with a pointer to what works there, and on a terminal it
// loads the TUI from dist/src, follows a real vigild, and gives the terminal back on q.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../lab/paths.js';
import { DaemonProcess, vigil, vigilBin, waitFor } from '../../lab/processes.js';
import { noInstances } from '../helpers/daemon-configs.js';

describe('vigil monitor', () => {
  it('the CLI bundle holds neither Ink nor React nor yoga', () => {
    const bundle = readFileSync(path.join(repoRoot, 'dist', 'vigil.cjs'), 'utf8');
    // Strings each library keeps when minified: React's element tag, Ink's root node and the
    // yoga layout node on every Ink element.
    for (const marker of ['react.transitional.element', 'ink-root', 'yogaNode']) {
      assert.ok(!bundle.includes(marker), `dist/vigil.cjs holds ${marker}`);
    }
  });

  it('without a terminal: exit 2, pointing to vigil status --watch', async () => {
    const result = await vigil(['monitor', '--socket', '/nonexistent/vigil.sock']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /vigil monitor needs a terminal; for a pipe or a log, use `vigil status --watch`/);
  });

  describe('on a terminal (script(1) gives it one)', () => {
    const daemon = new DaemonProcess();
    before(async () => {
      daemon.writeConfig(noInstances('monitor-test'));
      await daemon.start();
    });
    after(() => daemon.cleanup());

    it('shows vigild live, and q quits with the screen and cursor given back', async () => {
      const command = `${vigilBin} monitor --socket ${daemon.socket}`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], {
        env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '100', LINES: '30' },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      let screen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString('utf8');
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        await waitFor('the monitor to show vigild live', () => screen.includes('● live'), 20_000);
        assert.match(screen, /vigild \S+ pid \d+/);
        child.stdin.write('q');
        assert.equal(await exited, 0);
        assert.ok(screen.includes('\u001B[?1049h'), 'it took the alternate screen');
        assert.ok(screen.lastIndexOf('\u001B[?1049l') > screen.lastIndexOf('● live'), 'and gave it back last');
        assert.ok(screen.lastIndexOf('\u001B[?25h') > screen.lastIndexOf('\u001B[?25l'), 'the cursor is shown again');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
