// Debian's keepalived (2.2.7) as a lab router, to prove vigild interoperates with the daemon it
// replaces. Several can run on one host: each has its own directory with its config and pid
// files, and lives in its node's network namespace.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Lab, NodeName } from './lab.js';
import { waitFor } from './processes.js';
import { DEFAULT_INSTANCE, type LabRouter, type RouterState } from './routers.js';

/** Why keepalived tests cannot run here, or undefined when they can. */
export async function keepalivedUnavailable(): Promise<string | undefined> {
  try {
    await promisify(execFile)('keepalived', ['--version']);
    return undefined;
  } catch {
    return 'keepalived interop tests need keepalived (apt-get install keepalived)';
  }
}

/**
 * What keepalived logs when it drops a received advert (vrrp.c, 2.2.7): seeing any of these for
 * a peer's packets means that peer is not speaking VRRP as keepalived understands it.
 */
export const KEEPALIVED_REJECTIONS = [
  /Invalid VRRPv[23] checksum/,
  /vrrp packet too (short|long)/,
  /invalid TTL\/HL/,
  /wrong version/,
  /received a \d+ auth, expecting \d+/,
  /received an invalid passwd/,
  /IPSEC-AH : invalid/,
  /IPSEC AH : invalid IPSEC SPI/,
  /IPSEC-AH : sequence number \d+ already processed/,
  /Received AH header but auth type not AH|No AH header but auth type is AH/,
  /received an unexpected ip number count/,
  /expected \d+ VIPs but received/,
  /not present in MASTER advert/,
  /advertisement interval mismatch/,
  /ip_tot_len mismatch/,
];

export class KeepalivedRouter implements LabRouter {
  readonly kind = 'keepalived';
  /** Everything every start of this router logged, so that rejections() sees all of it. */
  log = '';
  /** Where the current process's output begins in `log`: its states are read from there on. */
  private currentLogFrom = 0;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'vigil-keepalived-'));
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly lab: Lab,
    readonly node: NodeName,
  ) {}

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Where this keepalived writes a dump (keepalived.data, .stats, .json): its TMPDIR is its own directory. */
  dumpFile(name: string): string {
    return this.file(name);
  }

  /** A signal to keepalived's parent, as operators send it; the parent passes dump signals on to its VRRP child. */
  signal(signal: NodeJS.Signals | number): void {
    if (this.running) process.kill(this.child!.pid!, signal);
  }

  /** Starts keepalived's VRRP subsystem in the foreground and waits until its instances have a state. */
  async start(config: string): Promise<void> {
    writeFileSync(this.file('keepalived.conf'), config);
    this.currentLogFrom = this.log.length;
    // --dont-fork keeps the parent in the foreground (it still forks its VRRP child); the three
    // pid files are per router so that several keepalived run at once; the log goes to the
    // console only (stderr, unbuffered), in detail so that dropped adverts say why.
    // TMPDIR: the dumps go to this router's directory, not to the /tmp that other routers share.
    const env = { ...process.env, TMPDIR: this.dir };
    const child = this.lab.spawn(
      this.node,
      [
        'keepalived',
        '--dont-fork',
        '--vrrp',
        '--log-console',
        '--log-detail',
        '--no-syslog',
        '--pid',
        this.file('keepalived.pid'),
        '--vrrp_pid',
        this.file('vrrp.pid'),
        '--checkers_pid',
        this.file('checkers.pid'),
        '--use-file',
        this.file('keepalived.conf'),
      ],
      { env },
    );
    this.child = child;
    child.stdout!.on('data', (chunk) => (this.log += chunk));
    child.stderr!.on('data', (chunk) => (this.log += chunk));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(`keepalived on ${this.node} to start its instances`, () => {
      if (!this.running) throw new Error(`keepalived on ${this.node} exited during start:\n${this.currentLog}`);
      return /Entering \w+ STATE/.test(this.currentLog);
    });
  }

  private get currentLog(): string {
    return this.log.slice(this.currentLogFrom);
  }

  private get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.running) this.child!.kill('SIGTERM');
    await this.exited;
  }

  /** The state keepalived last logged entering ("(VI_1) Entering MASTER STATE"); DOWN once it exited. */
  async state(instance = DEFAULT_INSTANCE): Promise<RouterState> {
    if (!this.running) return 'DOWN';
    const entered = [...this.currentLog.matchAll(/\((\S+)\) Entering (\w+) STATE/g)].filter((m) => m[1] === instance);
    return (entered.at(-1)?.[2] as RouterState | undefined) ?? 'INIT';
  }

  /** The lines in which keepalived dropped a received advert (see KEEPALIVED_REJECTIONS). */
  rejections(): string[] {
    return this.log.split('\n').filter((line) => KEEPALIVED_REJECTIONS.some((pattern) => pattern.test(line)));
  }

  async cleanup(): Promise<void> {
    // A killed parent does not take its VRRP child with it: that one is killed by its pid file.
    const vrrpPidFile = this.file('vrrp.pid');
    if (this.running) {
      const vrrpPid = existsSync(vrrpPidFile) ? Number(readFileSync(vrrpPidFile, 'utf8')) : undefined;
      this.child!.kill('SIGKILL');
      if (vrrpPid) killQuietly(vrrpPid);
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGKILL, ignoring a process that is already gone. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited already
  }
}

/** keepalived's checker on `configPath` in the foreground, with its output kept for failures. */
export function startKeepalived(dir: string, configPath: string, extra: string[] = []) {
  let log = '';
  const child = spawn(
    'keepalived',
    [
      '--dont-fork',
      '--check',
      '--log-console',
      '--no-syslog',
      ...extra,
      '--pid',
      path.join(dir, 'keepalived.pid'),
      '--checkers_pid',
      path.join(dir, 'checkers.pid'),
      '--vrrp_pid',
      path.join(dir, 'vrrp.pid'),
      '--use-file',
      configPath,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid!,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
