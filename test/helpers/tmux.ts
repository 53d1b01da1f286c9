// A program on a real terminal for end-to-end tests of full-screen UIs: tmux runs it in a
// detached session on its own server (`tmux -S` with a socket in a temp directory of its own,
// so the tests never touch a user's tmux or each other's, and leave no socket behind), keys go
// in with send-keys and the screen comes out as text with capture-pane.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SESSION = 'screen';
/** Between two keys: longer than a read of the terminal takes, shorter than anyone types. */
const KEY_GAP_MS = 100;

export class TmuxScreen {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'vigil-tmux-'));
  private readonly socket = path.join(this.dir, 'tmux.sock');
  private lastScreen = '';

  /** Runs argv (no shell) in a cols x rows terminal; the pane stays when it exits, to be read. */
  async start(argv: string[], { cols = 100, rows = 30, cwd = process.cwd(), env = {} as Record<string, string> } = {}) {
    // No status line (every row is the program's), and a program that exits leaves its last screen.
    const conf = path.join(this.dir, 'tmux.conf');
    writeFileSync(conf, 'set -g status off\nset -g remain-on-exit on\n');
    const size = ['-x', String(cols), '-y', String(rows)];
    const environment = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
    await this.tmux(['-f', conf, 'new-session', '-d', '-s', SESSION, '-c', cwd, ...size, ...environment, ...argv]);
  }

  /** The program's process id. */
  async pid(): Promise<number> {
    return Number(await this.pane('#{pane_pid}'));
  }

  /** The screen as text, one line per row (trailing blanks trimmed by tmux). */
  async capture(): Promise<string> {
    this.lastScreen = (await this.tmux(['capture-pane', '-p', '-t', SESSION])).stdout;
    return this.lastScreen;
  }

  /**
   * Keys as tmux names them ('j', 'Down', 'Enter', 'C-c'), one at a time as a person types them:
   * sent at once they reach the program as one read, which a UI takes for a paste.
   */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.tmux(['send-keys', '-t', SESSION, key]);
      await new Promise((r) => setTimeout(r, KEY_GAP_MS));
    }
  }

  /** Polls the screen until it matches every pattern at once; fails with what it showed last. */
  async waitFor(what: string, patterns: RegExp | RegExp[], timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const all = [patterns].flat();
    for (;;) {
      const screen = await this.capture();
      if (all.every((pattern) => pattern.test(screen))) return screen;
      if (Date.now() > deadline)
        throw new Error(`after ${timeoutMs} ms the screen does not show ${what} (${all.join(' and ')}):\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The screen as last captured, for failure messages. */
  get last(): string {
    return this.lastScreen;
  }

  /** Ends the tmux server (and the program in it) and removes its files. Never throws. */
  async kill(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async pane(format: string): Promise<string> {
    return (await this.tmux(['display-message', '-p', '-t', SESSION, format])).stdout.trim();
  }

  private tmux(args: string[]): Promise<{ stdout: string }> {
    // Run from inside a tmux session too: $TMUX would make new-session refuse to nest.
    const { TMUX: _inside, ...env } = process.env;
    return run('tmux', ['-S', this.socket, ...args], { env });
  }
}
