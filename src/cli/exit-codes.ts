/** Exit codes of every `vigil` command; README, `vigil --help` and vigil(1) document them. */
export const EXIT = {
  ok: 0,
  /** The daemon (or the config check) said no: invalid config, rejected request. */
  failed: 1,
  /** Bad flags or arguments (oclif's own code for parse errors). */
  usage: 2,
  /** No daemon answered on the socket. */
  unreachable: 3,
  /** A --wait or --timeout ran out before the daemon reported the outcome. */
  timedOut: 4,
} as const;
