// The signals keepalived's operators and exporters send besides stop and reload. Unanswered,
// SIGUSR2 and the real-time ones kill vigild with its VIPs and sockets left behind, and SIGUSR1
// opens Node's inspector on 127.0.0.1:9229: a root shell for any local user. Listening for each
// prevents both (and the daemon answers them with keepalived's dumps, see dumps/). SIGPIPE
// needs nothing: Node ignores it from the start.
import type { Logger } from './logger.js';

/** keepalived's dumps: DATA, STATS, STATS_CLEAR and JSON in `keepalived --signum=NAME`. */
export type DumpKind = 'data' | 'stats' | 'stats-clear' | 'json';

export interface DumpSignal {
  kind: DumpKind;
  /** As operators write it (`kill -s SIGRTMIN+2`); Node names only the first two. */
  name: string;
  signal: NodeJS.Signals | number;
}

/** glibc's real-time signal range at run time (from the native addon). */
export interface RealTimeSignals {
  SIGRTMIN: number;
  SIGRTMAX: number;
}

/** keepalived 2.2's numbers (Debian's 2.2.7: JSON 36, STATS_CLEAR 63, with SIGRTMIN 34 and SIGRTMAX 64). */
export function dumpSignals({ SIGRTMIN, SIGRTMAX }: RealTimeSignals): DumpSignal[] {
  return [
    { kind: 'data', name: 'SIGUSR1', signal: 'SIGUSR1' },
    { kind: 'stats', name: 'SIGUSR2', signal: 'SIGUSR2' },
    { kind: 'json', name: 'SIGRTMIN+2', signal: SIGRTMIN + 2 },
    { kind: 'stats-clear', name: 'SIGRTMAX-1', signal: SIGRTMAX - 1 },
  ];
}

export interface SignalPorts {
  /** process.on for the signals Node names. */
  on(signal: NodeJS.Signals, listener: () => void): void;
  /** The addon's listener for a signal by number (net/native onSignalNumber). */
  onNumber(signum: number, listener: () => void): void;
  realTime: RealTimeSignals;
}

/** Calls `onDump` for each of keepalived's dump signals, from now on and for the process's life. */
export function answerDumpSignals(ports: SignalPorts, onDump: (dump: DumpSignal) => void): void {
  for (const dump of dumpSignals(ports.realTime)) {
    const listener = () => onDump(dump);
    if (typeof dump.signal === 'number') ports.onNumber(dump.signal, listener);
    else ports.on(dump.signal, listener);
  }
}

/** What vigild does on a dump signal while it is still starting: says so, and keeps starting. */
export function dumpBeforeStart(log: Logger): (dump: DumpSignal) => void {
  return ({ kind, name }) =>
    log.warn({ signal: name, dump: kind }, `${name}: vigild is still starting; no ${kind} dump is written`);
}

export interface Inspector {
  url(): string | undefined;
  close(): void;
}

/**
 * A SIGUSR1 that arrived before vigild listened for it (while Node was still loading it) has
 * opened the inspector: close it, unless whoever started Node asked for one (`--inspect`).
 */
export function closeInspectorOpenedBySignal(inspector: Inspector, nodeOptions: string[], log: Logger): void {
  if (!inspector.url() || nodeOptions.some((option) => option.startsWith('--inspect'))) return;
  inspector.close();
  log.warn("a SIGUSR1 during start-up opened Node's inspector; it is closed again");
}
