// Notify scripts: run in order per subject (an instance, a group, a real server...), never
// waiting on each other across subjects, failures reported rather than thrown.
import type { Command, NotifyScripts } from '../config/index.js';
import { describeResult, type ScriptLauncher } from './launcher.js';

// ---- notify scripts --------------------------------------------------------------------------

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface NotifyFailure {
  /** `INSTANCE VI_1`, `GROUP VG_1`, `real server 203.0.113.21:80 of 198.51.100.80:80`... */
  subject: string;
  /** The state or event the script was told of: MASTER, UP, QUORUM_DOWN... */
  state: string;
  command: Command;
  detail: string;
}

export interface NotifyPorts {
  launcher: ScriptLauncher;
  onFailure: (failure: NotifyFailure) => void;
  /**
   * Each script's time limit. keepalived sets none (it does not wait for notify scripts), but
   * scripts that run in order need one; 10 s is keepalived's limit for its startup and
   * shutdown scripts.
   */
  timeoutMs?: number;
}

const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

const STATE_SCRIPT: Record<NotifyState, keyof NotifyScripts> = {
  MASTER: 'master',
  BACKUP: 'backup',
  FAULT: 'fault',
  STOP: 'stop',
};

/**
 * Runs notify scripts on transitions, keepalived's way: the state's own script (notify_master,
 * ...) with no arguments added, then the generic `notify` with four: INSTANCE or GROUP, the
 * name, the new state and the priority. The scripts of one instance or group run one at a time
 * in the order of its transitions; different instances and groups do not wait for each other.
 */
export class NotifyRunner {
  readonly #queues = new Map<string, Promise<void>>();

  constructor(private readonly ports: NotifyPorts) {}

  /** `priority` is the instance's effective priority, as keepalived passes it. */
  notifyInstance(name: string, scripts: NotifyScripts, state: NotifyState, priority: number): Promise<void> {
    return this.#enqueue('INSTANCE', name, scripts, state, priority);
  }

  /** keepalived passes priority 0 for a group. */
  notifyGroup(name: string, scripts: NotifyScripts, state: NotifyState): Promise<void> {
    return this.#enqueue('GROUP', name, scripts, state, 0);
  }

  /** Resolves when every script queued so far has finished, e.g. the STOP scripts at shutdown. */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all(this.#queues.values());
  }

  /**
   * Runs `commands` in order, after the scripts already queued for `subject`; `event` names what
   * they are told of, for failures. The scripts of real servers and virtual servers come here.
   */
  run(subject: string, event: string, commands: Command[]): Promise<void> {
    const previous = this.#queues.get(subject) ?? Promise.resolve();
    const done = previous.then(async () => {
      for (const command of commands) await this.#runOne(subject, event, command);
    });
    this.#queues.set(subject, done);
    void done.then(() => {
      if (this.#queues.get(subject) === done) this.#queues.delete(subject);
    });
    return done;
  }

  #enqueue(
    type: 'INSTANCE' | 'GROUP',
    name: string,
    scripts: NotifyScripts,
    state: NotifyState,
    priority: number,
  ): Promise<void> {
    const commands: Command[] = [];
    const own = scripts[STATE_SCRIPT[state]];
    if (own) commands.push(own);
    if (scripts.any) commands.push([...scripts.any, type, name, state, String(priority)]);
    return this.run(`${type} ${name}`, state, commands);
  }

  async #runOne(subject: string, state: string, command: Command): Promise<void> {
    // Prepared at every run (they are rare): a script fixed since is run without a reload, and
    // one that has become unsafe is refused.
    const preparation = await this.ports.launcher.prepare(command);
    const failed = (detail: string) => this.ports.onFailure({ subject, state, command, detail });
    if (!preparation.ok) return failed(`not run: ${preparation.reason}`);
    const result = await this.ports.launcher.run(preparation.script, {
      timeoutMs: this.ports.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
    });
    if (!result.success) failed(describeResult(result));
  }
}
