// The monitor borrows the terminal and gives it back: the alternate screen and a hidden cursor
// while it runs, both restored when the operator quits and when a signal ends it.
import './force-color.js';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { loadScreen } from '../../../src/tui/load-screen.js';
import { MonitorModel } from '../../../src/tui/model.js';
import { FakeClient } from './fake-client.js';
import { NOW, status } from './fixtures.js';

const ALTERNATE_ON = '\u001B[?1049h';
const ALTERNATE_OFF = '\u001B[?1049l';
const CURSOR_HOME = '\u001B[H';
const CURSOR_HIDDEN = '\u001B[?25l';
const CURSOR_SHOWN = '\u001B[?25h';

/** A terminal's two ends as Ink uses them: keys in (raw mode), frames out. */
class FakeTerminal {
  readonly stdout = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns: 100,
    rows: 30,
    written: '',
    write(text: string, done?: () => void) {
      this.written += text;
      done?.();
      return true;
    },
  });
  private key: string | null = null;
  readonly stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    setRawMode: () => {},
    setEncoding: () => {},
    ref: () => {},
    unref: () => {},
    resume: () => {},
    pause: () => {},
    read: () => {
      const key = this.key;
      this.key = null;
      return key;
    },
  });

  type(key: string): void {
    this.key = key;
    this.stdin.emit('readable');
  }

  async until(text: string): Promise<void> {
    for (let waited = 0; !this.stdout.written.includes(text); waited += 10) {
      if (waited > 2000) throw new Error(`never drawn: ${text}\n${this.stdout.written}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

// As the monitor loads it: under CI=true too, Ink must draw as on a terminal.
const { runScreen } = await loadScreen();

// A test that failed before its quit would leave the screen running, and node with it.
let last: FakeTerminal | undefined;
afterEach(() => last?.type('q'));

function start(terminal: FakeTerminal) {
  last = terminal;
  const model = new MonitorModel('/run/vigil/vigil.sock');
  model.apply({ kind: 'status', at: NOW, status: status() });
  return runScreen({
    feed: { model, onChange: () => () => {} },
    client: new FakeClient(),
    stdin: terminal.stdin as unknown as NodeJS.ReadStream,
    stdout: terminal.stdout as unknown as NodeJS.WriteStream,
  });
}

function assertRestored(written: string): void {
  assert.ok(
    written.startsWith(`${ALTERNATE_ON}${CURSOR_HOME}${CURSOR_HIDDEN}`),
    'the alternate screen first, drawn from its top line (not from where the shell left the cursor), cursor hidden',
  );
  assert.ok(written.endsWith(`${CURSOR_SHOWN}${ALTERNATE_OFF}`), 'the cursor and the screen given back last');
}

describe('the terminal', () => {
  it('q quits, giving back the screen and the cursor', async () => {
    const terminal = new FakeTerminal();
    const running = start(terminal);
    await terminal.until('VI_1');
    terminal.type('q');
    await running;
    assertRestored(terminal.stdout.written);
  });

  it('Ctrl-C quits the same way (raw mode makes it a key)', async () => {
    const terminal = new FakeTerminal();
    const running = start(terminal);
    await terminal.until('VI_1');
    terminal.type('\u0003');
    await running;
    assertRestored(terminal.stdout.written);
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} ends it and restores the terminal`, async () => {
      const listeners = process.listenerCount(signal);
      const terminal = new FakeTerminal();
      const running = start(terminal);
      await terminal.until('VI_1');
      process.emit(signal, signal);
      await running;
      assertRestored(terminal.stdout.written);
      assert.equal(process.listenerCount(signal), listeners, 'its handlers are gone');
    });
  }
});
