// The notify FIFOs as vigild keeps them, keepalived's way: created (mode 0600) when missing and
// removed at stop only if vigild created them, opened read-write and non-blocking so that
// writing never waits for a reader and a reader that comes and goes does not matter, and each
// one's script started once to read it. A line that does not fit (no reader, pipe full) is lost.
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { chown, lstat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { GlobalDefs } from '../config/index.js';
import { type FifoLines, type FifoTarget, planFifos } from './fifo-plan.js';
import { currentScriptIdentity, describeResult, type ScriptLauncher } from './launcher.js';

/** keepalived gives its scripts a second between SIGTERM and SIGKILL when it stops. */
const SCRIPT_TERM_GRACE_MS = 1000;
/** keepalived asks for 0644, but its default umask (0177) leaves 0600: only the owner reads. */
const FIFO_MODE = '600';

export interface FifoReport {
  info(message: string): void;
  warn(message: string): void;
}

/** Where VRRP and the health checker send their lines; a no-op when no FIFO is configured. */
export interface FifoSink {
  write(lines: FifoLines, line: string): void;
}

interface OpenFifo {
  target: FifoTarget;
  fd: number;
  created: boolean;
  dropped: number;
}

export class NotifyFifos implements FifoSink {
  readonly #open: OpenFifo[] = [];
  readonly #scripts: Promise<void>[] = [];
  readonly #stopScripts = new AbortController();

  private constructor(private readonly report: FifoReport) {}

  /** Opens the FIFOs global_defs names and starts their scripts; problems are reported, never thrown. */
  static async open(global: GlobalDefs, launcher: ScriptLauncher, report: FifoReport): Promise<NotifyFifos> {
    const fifos = new NotifyFifos(report);
    const plan = planFifos(global);
    for (const note of plan.notes) report.warn(note);
    for (const target of plan.targets) await fifos.#openOne(target, global, launcher);
    return fifos;
  }

  write(lines: FifoLines, line: string): void {
    for (const fifo of this.#open) {
      if (!fifo.target.lines.includes(lines)) continue;
      try {
        writeSync(fifo.fd, line);
      } catch (err) {
        // EAGAIN: nobody reads and the pipe is full. Said once, as it can happen at every line.
        if (fifo.dropped++ === 0)
          this.report.warn(
            `${fifo.target.keyword}: a line could not be written (${(err as Error).message}); later losses are not logged`,
          );
      }
    }
  }

  /** SIGTERMs the scripts: keepalived does so before it writes its STOP lines. */
  stopScripts(): void {
    this.#stopScripts.abort();
  }

  /** Closes the FIFOs (removing those vigild created) and waits for the scripts to end. */
  async close(): Promise<void> {
    this.stopScripts();
    for (const fifo of this.#open.splice(0)) {
      // Removed before it is closed, so a script that reopens it on end of file cannot.
      if (fifo.created) await unlink(fifo.target.path).catch(() => undefined);
      closeSync(fifo.fd);
    }
    await Promise.all(this.#scripts);
  }

  async #openOne(target: FifoTarget, global: GlobalDefs, launcher: ScriptLauncher): Promise<void> {
    const created = await this.#ensureFifo(target, global);
    if (created === undefined) return;
    if (target.script) this.#scripts.push(this.#runScript(target, launcher));
    try {
      // Read-write, so that it never waits for a reader to open it; non-blocking, so that a
      // full pipe fails a write rather than stopping vigild.
      const fd = openSync(target.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      this.#open.push({ target, fd, created, dropped: 0 });
    } catch (err) {
      this.report.warn(`${target.keyword}: cannot open it: ${(err as Error).message}`);
      if (created) await unlink(target.path).catch(() => undefined);
    }
  }

  /** Whether vigild made the FIFO (true) or found it (false); undefined when there is none to use. */
  async #ensureFifo(target: FifoTarget, global: GlobalDefs): Promise<boolean | undefined> {
    const found = await lstat(target.path).catch(() => undefined);
    if (found?.isFIFO()) return false;
    if (found) {
      this.report.warn(`${target.keyword}: ${target.path} exists and is not a FIFO; not used`);
      return undefined;
    }
    try {
      await promisify(execFile)('mkfifo', ['-m', FIFO_MODE, target.path]);
    } catch (err) {
      this.report.warn(`${target.keyword}: cannot create it: ${(err as Error).message.trim()}`);
      return undefined;
    }
    await this.#chown(target, global);
    return true;
  }

  /** A FIFO vigild creates belongs to its owner, else to the default script user, as in keepalived. */
  async #chown(target: FifoTarget, global: GlobalDefs): Promise<void> {
    const policy = { scriptUser: global.scriptUser, enableScriptSecurity: false };
    const owner = await currentScriptIdentity(target.owner, policy);
    if ('error' in owner) return this.report.warn(`${target.keyword}: not given to its owner: ${owner.error}`);
    if (owner.uid === process.getuid!() && owner.gid === process.getgid!()) return;
    await chown(target.path, owner.uid, owner.gid).catch((err: Error) =>
      this.report.warn(`${target.keyword}: cannot give it to ${owner.user}: ${err.message}`),
    );
  }

  /** Runs until vigild stops (or it ends by itself), with the FIFO's path as its last argument. */
  async #runScript(target: FifoTarget, launcher: ScriptLauncher): Promise<void> {
    const { command, user } = target.script!;
    const preparation = await launcher.prepare([...command, target.path], user);
    if (!preparation.ok) return this.report.warn(`${target.keyword}: its script is not run: ${preparation.reason}`);
    if (this.#stopScripts.signal.aborted) return;
    this.report.info(`${target.keyword}: started its script ${command.join(' ')}`);
    const result = await launcher.run(preparation.script, {
      timeoutMs: Number.POSITIVE_INFINITY,
      signal: this.#stopScripts.signal,
      termGraceMs: SCRIPT_TERM_GRACE_MS,
    });
    this.report.info(`${target.keyword}: its script ended: ${describeResult(result)}`);
  }
}

/** For a config without FIFOs and for tests. */
export const NO_FIFOS: FifoSink = { write: () => undefined };
