// Runs vigil and vigild as users do: the real bin scripts in child processes (for tests, benches
// and the demo alike).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';

export const vigilBin = path.join(repoRoot, 'bin', 'vigil');
export const vigildBin = path.join(repoRoot, 'bin', 'vigild');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const vigil = (args: string[], env?: NodeJS.ProcessEnv) => run(vigilBin, args, env);

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** waitFor for a probe that must ask asynchronously (another process, the kernel). */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The IPVS guest emulates its CPU (TCG, ~20x slower): a start that takes 2 s here takes many there,
 * and over 30 s while the host's two cores are busy with other work (seen in a CI run beside four
 * builds). Waiting longer costs nothing when the start is quick.
 */
const START_TIMEOUT_MS = process.env.VIGIL_IPVS_VM === '1' ? 90_000 : 10_000;

/** A vigild child in its own temp directory (socket, state, pid file), with its log captured. */
export class DaemonProcess {
  readonly dir: string;
  readonly socket: string;
  readonly readOnlySocket: string;
  readonly pidFile: string;
  readonly stateDir: string;
  child!: ChildProcess;
  log = '';
  exited: Promise<number | null> = Promise.resolve(null);

  readonly configPath: string;

  /** Runs vigild inside this network namespace (`ip netns exec` keeps the pid: it execs). */
  readonly netns: string | undefined;

  /** Added to the environment vigild inherits. */
  readonly env: NodeJS.ProcessEnv;

  /** `dir` defaults to a new temp directory; the config defaults to `keepalived.conf` in it. */
  constructor(options: { dir?: string; configPath?: string; netns?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.netns = options.netns;
    this.env = options.env ?? {};
    this.dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'vigil-test-'));
    this.configPath = options.configPath ?? path.join(this.dir, 'keepalived.conf');
    this.socket = path.join(this.dir, 'vigil.sock');
    this.readOnlySocket = path.join(this.dir, 'vigil-ro.sock');
    this.pidFile = path.join(this.dir, 'vigil.pid');
    this.stateDir = path.join(this.dir, 'state');
  }

  writeConfig(text: string): void {
    writeFileSync(this.configPath, text);
  }

  /** Starts vigild and resolves once both sockets exist, or rejects with its log if it exits or takes longer than `timeoutMs`. */
  async start(extraArgs: string[] = [], timeoutMs = START_TIMEOUT_MS): Promise<void> {
    this.spawn(extraArgs);
    let exitedEarly = false;
    void this.exited.then(() => (exitedEarly = true));
    try {
      await waitFor(
        `vigild to listen on ${this.socket}`,
        () => {
          if (exitedEarly) throw new Error(`vigild exited during start:\n${this.log}`);
          return existsSync(this.socket) && existsSync(this.readOnlySocket) && this.log.includes('vigild started');
        },
        timeoutMs,
      );
    } catch (error) {
      throw exitedEarly
        ? error
        : new Error(`${(error as Error).message}; its log so far:\n${this.log}`, { cause: error });
    }
  }

  /** Starts vigild and waits for it to exit on its own (for start-up failures). */
  async startExpectingExit(extraArgs: string[] = []): Promise<number | null> {
    this.spawn(extraArgs);
    return this.exited;
  }

  /** By name or number: ChildProcess.kill knows no real-time signal (keepalived's JSON is SIGRTMIN+2). */
  signal(signal: NodeJS.Signals | number): void {
    if (this.child.pid !== undefined) process.kill(this.child.pid, signal);
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** Kills the daemon if still running and removes its directory. */
  async cleanup(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(extraArgs: string[]): void {
    const argv = [
      vigildBin,
      '--config',
      this.configPath,
      '--socket',
      this.socket,
      '--state-dir',
      this.stateDir,
      '--pid-file',
      this.pidFile,
      ...extraArgs,
    ];
    const [command, ...args] = this.netns ? ['ip', 'netns', 'exec', this.netns, ...argv] : argv;
    this.child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child.stdout!.on('data', (d) => (this.log += d));
    this.child.stderr!.on('data', (d) => (this.log += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
}
