// Whether a process is one a vrrp_track_process counts, by keepalived 2.2.7's rules
// (track_process.c): an exact comparison, never a pattern (`ssh` does not match `sshd`).
//  - Without full_command the process name is compared: /proc/PID/comm, which the kernel cuts
//    to 15 bytes (so a longer configured name never matches).
//  - With full_command (implied by parameters or param_match) the command's first word,
//    argv[0] of /proc/PID/cmdline, is compared; the arguments only when param_match is set:
//    exact: the same arguments; partial: the configured ones come first; initial: like
//    partial, but the last configured one need only begin the process's argument.
import type { TrackProcess } from '../config/index.js';

/** What is known of one process (a thread group leader). */
export interface ProcessInfo {
  pid: number;
  /** Its name, /proc/PID/comm. */
  comm: string;
  /** Its command line split at NULs, read only when some definition needs it. */
  argv?: readonly string[];
  /** Its parent, when the observer knows it (a /proc scan does). */
  ppid?: number;
}

export type MatchSpec = Pick<TrackProcess, 'process' | 'params' | 'paramMatch' | 'fullCommand'>;

function argumentsMatch(spec: MatchSpec, args: readonly string[]): boolean {
  const { params, paramMatch } = spec;
  if (paramMatch === 'none') return true;
  if (paramMatch === 'exact' && args.length !== params.length) return false;
  if (args.length < params.length) return false;
  return params.every((param, i) =>
    paramMatch === 'initial' && i === params.length - 1 ? args[i]!.startsWith(param) : args[i] === param,
  );
}

export function matchesProcess(spec: MatchSpec, info: ProcessInfo): boolean {
  if (!spec.fullCommand) return info.comm === spec.process;
  const argv = info.argv;
  if (!argv || argv.length === 0 || argv[0] !== spec.process) return false;
  return argumentsMatch(spec, argv.slice(1));
}
