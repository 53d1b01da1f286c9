// A command in a pseudo-terminal of a fixed size, through util-linux script(1), with what it
// draws counted as it comes: bytes, and frames. Ink starts every frame it writes with the
// synchronized-update mark ESC[?2026h (on a TTY, and only outside CI: with CI set it draws
// nothing until it exits, so the child's environment drops CI); `vigil status --watch` starts
// each of its redraws with ESC[H ESC[2J. Counting both marks counts frames of either.
import { type ChildProcess, spawn } from 'node:child_process';
import { processTree } from '../lab/proc-usage.js';

const FRAME_MARKS = ['\x1b[?2026h', '\x1b[H\x1b[2J'];
const LONGEST_MARK = Math.max(...FRAME_MARKS.map((m) => m.length));
/** Enough to hold one whole frame of a large terminal. */
const LAST_FRAME_LIMIT = 1 << 20;

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export interface PtySize {
  columns: number;
  rows: number;
}

export class PtyProcess {
  frames = 0;
  bytes = 0;
  /** ms from the start to the first frame. */
  firstFrameMs: number | undefined;
  /** What was written since the last frame mark: the screen as last drawn. */
  lastFrame = '';
  readonly exited: Promise<number | null>;
  private readonly script: ChildProcess;
  private readonly started = performance.now();
  /** The end of the previous chunk, in case a mark is split across two. */
  private tail = '';

  constructor(command: string[], size: PtySize, env: NodeJS.ProcessEnv) {
    const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...inherited } = process.env;
    const line = `stty rows ${size.rows} cols ${size.columns} && exec ${command.map(shellQuote).join(' ')}`;
    this.script = spawn('script', ['-qfec', line, '/dev/null'], {
      env: { ...inherited, TERM: 'xterm-256color', ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.script.stdout!.setEncoding('latin1').on('data', (chunk: string) => this.take(chunk));
    this.exited = new Promise((resolve) => this.script.once('exit', (code) => resolve(code)));
  }

  /** The command's process (script's child: the shell execs it), once it runs. */
  commandPid(): number | undefined {
    return this.script.pid === undefined ? undefined : processTree(this.script.pid)[1];
  }

  /** Keys as if typed on the terminal. */
  type(keys: string): void {
    this.script.stdin!.write(keys);
  }

  /** Ends script and the command, as a closed terminal would. */
  kill(): void {
    const pid = this.commandPid();
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    this.script.kill('SIGTERM');
  }

  private take(chunk: string): void {
    this.bytes += chunk.length;
    const text = this.tail + chunk;
    let last = -1;
    for (const mark of FRAME_MARKS) {
      for (let at = text.indexOf(mark); at >= 0; at = text.indexOf(mark, at + mark.length)) {
        // One that ends inside the tail was counted with the previous chunk.
        if (at + mark.length <= this.tail.length) continue;
        this.frames++;
        last = Math.max(last, at);
      }
    }
    if (last >= 0) {
      this.firstFrameMs ??= performance.now() - this.started;
      this.lastFrame = text.slice(last);
    } else {
      this.lastFrame = (this.lastFrame + chunk).slice(-LAST_FRAME_LIMIT);
    }
    this.tail = text.slice(-(LONGEST_MARK - 1));
  }
}
