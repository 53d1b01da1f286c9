// keepalived's scripts as processes: vrrp_script and MISC_CHECK checks, notify scripts. A script
// is an argv vector run without a shell (except a `</file` command, which keepalived hands to
// /bin/sh), as its configured user, in its own process group (so a timeout kills everything it
// started), never blocking the event loop.
//
// A script is first prepared (user resolved, file found, permissions checked, as keepalived
// does when it loads its config) and then run. Schedulers and notify runners reach processes
// only through the ScriptLauncher port, so their logic is tested with a fake one.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Stats } from 'node:fs';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Command, GlobalDefs, RunAs } from '../config/index.js';

// ---- who a script runs as --------------------------------------------------------------------

/** The text of /etc/passwd and /etc/group. */
export interface Accounts {
  passwd: string;
  group: string;
}

export interface ScriptIdentity {
  /** For messages. */
  user: string;
  uid: number;
  gid: number;
}

export type ScriptPolicy = Pick<GlobalDefs, 'scriptUser' | 'enableScriptSecurity'>;

/** keepalived's default script user, used when it exists and script_user is not set. */
const KEEPALIVED_SCRIPT_USER = 'keepalived_script';

/** `name:field:...` records of a colon-separated account file, skipping comments and NIS `+`/`-` lines. */
function accountRecords(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('+') && !line.startsWith('-'))
    .map((line) => line.split(':'));
}

/** A uid or gid field; a damaged one must not become 0 (root), as Number('') would. */
function accountId(field: string | undefined): number | undefined {
  return field !== undefined && /^\d+$/.test(field) ? Number(field) : undefined;
}

function findUser(name: string, accounts: Accounts): { uid: number; gid: number } | undefined {
  const record = accountRecords(accounts.passwd).find((fields) => fields[0] === name);
  const [uid, gid] = [accountId(record?.[2]), accountId(record?.[3])];
  return uid !== undefined && gid !== undefined ? { uid, gid } : undefined;
}

function findGroup(name: string, accounts: Accounts): number | undefined {
  return accountId(accountRecords(accounts.group).find((fields) => fields[0] === name)?.[2]);
}

function resolveRunAs(runAs: RunAs, accounts: Accounts): ScriptIdentity | { error: string } {
  const user = findUser(runAs.user, accounts);
  if (!user) return { error: `user \`${runAs.user}\` does not exist (not in /etc/passwd)` };
  if (runAs.group === undefined) return { user: runAs.user, ...user };
  const gid = findGroup(runAs.group, accounts);
  if (gid === undefined) return { error: `group \`${runAs.group}\` does not exist (not in /etc/group)` };
  return { user: `${runAs.user}:${runAs.group}`, uid: user.uid, gid };
}

/**
 * resolveScriptIdentity against this host's accounts and vigild's own ids. /etc/passwd and
 * /etc/group are read at every call: accounts may change while vigild runs, and they are small.
 */
export async function currentScriptIdentity(
  runAs: RunAs | undefined,
  policy: ScriptPolicy,
): Promise<ScriptIdentity | { error: string }> {
  const [passwd, group] = await Promise.all([
    readFile('/etc/passwd', 'utf8'),
    readFile('/etc/group', 'utf8').catch(() => ''),
  ]);
  const self = { uid: process.getuid!(), gid: process.getgid!() };
  return resolveScriptIdentity(runAs, policy, { passwd, group }, self);
}

/**
 * Who a script runs as, as keepalived decides it: the script's own `user`, else global
 * script_user, else `keepalived_script` if that user exists, else the daemon's own user (root,
 * as vigild normally runs). With enable_script_security keepalived will not fall back to the
 * daemon's user silently: running scripts as root must then be asked for by name.
 * The group is the user's primary group unless one is named.
 */
export function resolveScriptIdentity(
  runAs: RunAs | undefined,
  policy: ScriptPolicy,
  accounts: Accounts,
  self: { uid: number; gid: number },
): ScriptIdentity | { error: string } {
  const chosen = runAs ?? policy.scriptUser;
  if (chosen) return resolveRunAs(chosen, accounts);
  if (findUser(KEEPALIVED_SCRIPT_USER, accounts)) return resolveRunAs({ user: KEEPALIVED_SCRIPT_USER }, accounts);
  if (policy.enableScriptSecurity) {
    return {
      error:
        `enable_script_security is set but no script user is configured and \`${KEEPALIVED_SCRIPT_USER}\` does not exist; ` +
        'set `script_user USER` in global_defs (`script_user root` to run scripts as root) or create that user',
    };
  }
  const name =
    accountRecords(accounts.passwd).find((fields) => accountId(fields[2]) === self.uid)?.[0] ?? `uid ${self.uid}`;
  return { user: name, ...self };
}

// ---- file checks -----------------------------------------------------------------------------

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;
const S_IXUSR = 0o100;
const S_IWGRP = 0o020;
const S_IXGRP = 0o010;
const S_IWOTH = 0o002;
const S_IXOTH = 0o001;

/** execve's permission rule for `who` (root may run anything with any execute bit). */
export function isExecutableBy(file: Pick<Stats, 'mode' | 'uid' | 'gid'>, who: { uid: number; gid: number }): boolean {
  if (who.uid === 0) return (file.mode & (S_IXUSR | S_IXGRP | S_IXOTH)) !== 0;
  if (who.uid === file.uid) return (file.mode & S_IXUSR) !== 0;
  return (file.mode & (who.gid === file.gid ? S_IXGRP : S_IXOTH)) !== 0;
}

/** Root's privileges are at stake: the script runs as root, or is set-uid/gid root. */
function runsWithRootPrivileges(file: Stats, who: ScriptIdentity): boolean {
  return (
    who.uid === 0 ||
    who.gid === 0 ||
    (file.uid === 0 && (file.mode & S_ISUID) !== 0 && (file.mode & S_IXUSR) !== 0) ||
    (file.gid === 0 && (file.mode & S_ISGID) !== 0 && (file.mode & S_IXGRP) !== 0)
  );
}

/** `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`. */
function pathAndAncestors(file: string): string[] {
  const parts = file.split('/').filter((part) => part !== '');
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

/**
 * keepalived's enable_script_security test: the first component of `file` (the file or a
 * directory above it) that someone other than root could change, described; undefined when
 * there is none. Owned by root and not writable by a non-root group or by everyone; a
 * directory with the sticky bit (such as /tmp) is fine, as others cannot replace root's files
 * in it. Symlinks are looked at themselves: only their owner matters, as their mode is always
 * 0777 and only the owner can replace them; where they lead is checked separately.
 */
async function nonRootWritableComponent(file: string): Promise<string | undefined> {
  for (const component of pathAndAncestors(file)) {
    const info = await lstat(component);
    if (info.uid !== 0) return `${component} is owned by uid ${info.uid}, not root`;
    const guardedByMode = info.isFile() || (info.isDirectory() && (info.mode & S_ISVTX) === 0);
    if (guardedByMode && (info.mode & S_IWOTH) !== 0) return `${component} is writable by everyone`;
    if (guardedByMode && info.gid !== 0 && (info.mode & S_IWGRP) !== 0)
      return `${component} is writable by group ${info.gid}`;
  }
  return undefined;
}

/** nonRootWritableComponent of the first of `files` that has one. */
async function firstNonRootWritable(files: readonly string[]): Promise<string | undefined> {
  for (const file of new Set(files)) {
    const problem = await nonRootWritableComponent(file);
    if (problem) return problem;
  }
  return undefined;
}

/** A bare command name is looked up in PATH, as execvp would, taking the first file `who` may run. */
async function locateExecutable(name: string, who: ScriptIdentity): Promise<string | undefined> {
  if (name.includes('/')) return path.resolve(name);
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', name);
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile() && isExecutableBy(info, who)) return path.resolve(candidate);
  }
  return undefined;
}

/**
 * The path keepalived executes, which is also the script's argv[0]: the file found, with
 * symlinks resolved, but under the name it was called by when that name, next to the resolved
 * file, is the same file (programs such as busybox act on the name they are called by).
 */
async function keepalivedExecPath(located: string, resolved: string): Promise<string> {
  if (path.basename(located) === path.basename(resolved)) return resolved;
  const named = path.join(path.dirname(resolved), path.basename(located));
  const [atName, atResolved] = await Promise.all([stat(named).catch(() => undefined), stat(resolved)]);
  return atName?.dev === atResolved.dev && atName.ino === atResolved.ino ? named : resolved;
}

// ---- commands for the shell ------------------------------------------------------------------

/**
 * `</dev/tcp/HOST/PORT` or `</path`: keepalived does not execute such a command but passes it
 * to /bin/sh (system(3)), which succeeds when it can open the file for reading. /dev/tcp is
 * bash's: where /bin/sh is dash (Debian), opening it always fails, under keepalived too.
 */
export function isRedirectionOnly(command: Command): boolean {
  return /^<[ \t]*\//.test(command[0]!);
}

/**
 * The text keepalived gives the shell: the first word as it is, every other word in single
 * quotes. A `'` inside a word is not escaped, by keepalived either, so it ends the quoting.
 */
export function shellText(command: Command): string {
  const [first, ...rest] = command;
  return [first!, ...rest.map((word) => `'${word}'`)].join(' ');
}

/**
 * keepalived's child counts the shell's 127 (command not found) and 126 (cannot execute) as
 * success: it logs them and exits 0 itself.
 */
const SHELL_STATUSES_KEEPALIVED_IGNORES = [126, 127];

// ---- the port --------------------------------------------------------------------------------

export interface PreparedScript {
  command: Command;
  /**
   * The file that runs, also its argv[0]: argv[0] found in PATH and with symlinks resolved
   * when it was checked (see keepalivedExecPath). /bin/sh for a shell command.
   */
  file: string;
  /** Set for a `</file` command: the text /bin/sh runs (`sh -c TEXT`). */
  shell?: string;
  /** Why enable_script_security would refuse it, when it is off (the script runs anyway). */
  insecure?: string;
  identity: ScriptIdentity;
}

export type Preparation = { ok: true; script: PreparedScript } | { ok: false; reason: string };

export interface ScriptResult {
  /** Exit status 0. */
  success: boolean;
  /** How it ended, for the log: "exited with status 3", "timed out after 2 s and was killed", ... */
  detail: string;
  /** The last lines it wrote to stdout and stderr. */
  outputTail: string[];
  /** Its exit status; unset when it did not exit by itself (killed, or never started). */
  exitCode?: number;
}

export interface RunOptions {
  /** Infinity: no limit (a notify FIFO's reader runs as long as vigild). */
  timeoutMs: number;
  /** Aborting kills the run's process group (vigild is stopping). */
  signal?: AbortSignal;
  /**
   * On abort or timeout, SIGTERM the group and SIGKILL it only this much later, as keepalived
   * stops its FIFO, startup and shutdown scripts, so they can finish what they were doing;
   * unset, SIGKILL at once.
   */
  termGraceMs?: number;
}

/** Prepares and runs scripts. Neither method rejects: problems are results. */
export interface ScriptLauncher {
  /** Resolves the user, finds the file, checks it may and can run; `runAs` unset means the default user. */
  prepare(command: Command, runAs?: RunAs): Promise<Preparation>;
  run(script: PreparedScript, options: RunOptions): Promise<ScriptResult>;
}

/** A result for the log: how it ended, then (on failure) what it last said. */
export function describeResult(result: ScriptResult): string {
  if (result.success || result.outputTail.length === 0) return result.detail;
  return `${result.detail}; last output: ${result.outputTail.join(' | ')}`;
}

// ---- running processes -----------------------------------------------------------------------

const OUTPUT_TAIL_LINES = 5;
const OUTPUT_LINE_MAX = 300;
/**
 * Output can still sit in the pipes when the script exits, so we wait for them to close; but a
 * background process the script left behind may hold them open for ever, so not for long.
 */
const OUTPUT_DRAIN_MS = 100;
/** Variables that change how a program loads or splits words; keepalived drops them too. */
const UNSAFE_ENVIRONMENT = ['IFS', 'LD_PRELOAD', 'LD_LIBRARY_PATH'];

/** Reads a script's stdout and stderr to the end, keeping only their last few lines. */
class OutputTail {
  readonly #lines: string[] = [];
  readonly #partial = new Map<Readable, string>();

  collect(stream: Readable): void {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const pieces = ((this.#partial.get(stream) ?? '') + text).split('\n');
      this.#partial.set(stream, pieces.pop()!.slice(0, OUTPUT_LINE_MAX));
      for (const line of pieces) this.#keep(line);
    });
  }

  lines(): string[] {
    for (const rest of this.#partial.values()) if (rest !== '') this.#keep(rest);
    this.#partial.clear();
    return [...this.#lines];
  }

  #keep(line: string): void {
    this.#lines.push(line.slice(0, OUTPUT_LINE_MAX));
    if (this.#lines.length > OUTPUT_TAIL_LINES) this.#lines.shift();
  }
}

/** `1.5 s`: a duration for messages. */
export function secondsText(ms: number): string {
  return `${ms / 1000} s`;
}

function scriptEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of UNSAFE_ENVIRONMENT) delete env[name];
  return env;
}

/** Runs scripts as child processes, with the users and checks of `policy` (global_defs). */
export class ChildProcessLauncher implements ScriptLauncher {
  constructor(private readonly policy: ScriptPolicy) {}

  async prepare(command: Command, runAs?: RunAs): Promise<Preparation> {
    const name = command[0]!;
    try {
      const identity = await this.#identity(runAs);
      if ('error' in identity) return { ok: false, reason: identity.error };
      // keepalived checks no file for these: not even enable_script_security stops them.
      if (isRedirectionOnly(command))
        return { ok: true, script: { command, file: '/bin/sh', shell: shellText(command), identity } };
      return await this.#prepareFile(command, identity);
    } catch (err) {
      return { ok: false, reason: `cannot check ${name}: ${(err as Error).message}` };
    }
  }

  #identity(runAs: RunAs | undefined): Promise<ScriptIdentity | { error: string }> {
    return currentScriptIdentity(runAs, this.policy);
  }

  async #prepareFile(command: Command, identity: ScriptIdentity): Promise<Preparation> {
    const name = command[0]!;
    const located = await locateExecutable(name, identity);
    if (!located)
      return {
        ok: false,
        reason: `${name} is not in PATH (${process.env.PATH ?? ''}) as a file ${identity.user} may run`,
      };
    const resolved = await realpath(located);
    const info = await stat(resolved);
    if (!info.isFile()) return { ok: false, reason: `${name} is not a regular file` };
    if (!isExecutableBy(info, identity)) {
      return {
        ok: false,
        reason: `${name} is not executable by ${identity.user} (uid ${identity.uid}, gid ${identity.gid}); check its mode`,
      };
    }
    const file = await keepalivedExecPath(located, resolved);
    // keepalived looks even without enable_script_security: it then only warns (script-audit.ts).
    const problem = runsWithRootPrivileges(info, identity) ? await firstNonRootWritable([file, resolved]) : undefined;
    if (!problem) return { ok: true, script: { command, file, identity } };
    const insecure = `${name} would run with root privileges but ${problem}`;
    if (!this.policy.enableScriptSecurity) return { ok: true, script: { command, file, identity, insecure } };
    return {
      ok: false,
      reason: `enable_script_security: ${insecure}; make it and every directory above it owned and writable by root only`,
    };
  }

  run(script: PreparedScript, { timeoutMs, signal, termGraceMs }: RunOptions): Promise<ScriptResult> {
    const failure = (detail: string): Promise<ScriptResult> =>
      Promise.resolve({ success: false, detail, outputTail: [] });
    if (signal?.aborted) return failure('not run: vigild is stopping');
    const args = script.shell !== undefined ? ['-c', script.shell] : script.command.slice(1);
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(script.file, args, {
        argv0: script.shell !== undefined ? 'sh' : script.file,
        // Its own session and so its own process group: killing the group reaches its children.
        detached: true,
        uid: script.identity.uid,
        gid: script.identity.gid,
        env: scriptEnvironment(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      // Some start failures (EPERM when changing user) are thrown rather than emitted.
      return failure(`could not start ${script.file} as ${script.identity.user}: ${(err as Error).message}`);
    }
    const output = new OutputTail();
    output.collect(child.stdout);
    output.collect(child.stderr);

    return new Promise((resolve) => {
      let killedBecause: string | undefined;
      const signalGroup = (because: string, name: NodeJS.Signals) => {
        if (child.pid === undefined) return; // it never started: 'error' says why
        killedBecause ??= because;
        try {
          process.kill(-child.pid!, name);
        } catch {
          // The group is already gone.
        }
      };
      const killGroup = (because: string) => signalGroup(because, 'SIGKILL');
      let graceTimer: NodeJS.Timeout | undefined;
      const stopGroup = (because: string) => {
        if (termGraceMs === undefined) return killGroup(because);
        signalGroup(because, 'SIGTERM');
        graceTimer ??= setTimeout(() => killGroup(because), termGraceMs);
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => stopGroup(`timed out after ${secondsText(timeoutMs)} and was killed`), timeoutMs)
        : undefined;
      const onAbort = () => stopGroup('killed: vigild is stopping');
      signal?.addEventListener('abort', onAbort, { once: true });

      let settled = false;
      const settle = (success: boolean, detail: string, exitCode?: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        signal?.removeEventListener('abort', onAbort);
        resolve({ success, detail, outputTail: output.lines(), ...(exitCode !== undefined && { exitCode }) });
      };
      child.on('error', (err) => settle(false, `could not start ${script.file}: ${err.message}`));
      child.on('exit', (code, exitSignal) => {
        clearTimeout(timer);
        clearTimeout(graceTimer);
        // An exit status counts even if a kill was sent: the script finished first (keepalived's rule too).
        const detail = code !== null ? `exited with status ${code}` : (killedBecause ?? `killed by ${exitSignal}`);
        const ignored = script.shell !== undefined && SHELL_STATUSES_KEEPALIVED_IGNORES.includes(code ?? -1);
        const counted = ignored ? `${detail}, which keepalived counts as success` : detail;
        const finish = () => settle(code === 0 || ignored, counted, code ?? undefined);
        const drainLimit = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, OUTPUT_DRAIN_MS);
        child.on('close', () => {
          clearTimeout(drainLimit);
          finish();
        });
      });
    });
  }
}
