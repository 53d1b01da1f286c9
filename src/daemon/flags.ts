// vigild's command line as data: the parser, `vigild --help` and the man page (vigild.8, written
// by scripts/gen-docs.ts) all read these tables, so none of them can describe a flag the others
// do not know.
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_SOCKET } from '../api/endpoints.js';
import { EXIT_FATAL } from './fatal.js';
import { LOG_LEVELS } from './logger.js';

export interface DaemonFlag {
  name: string;
  short?: string;
  /** A string flag's value as the help names it (FILE, DIR); a boolean flag has none. */
  value?: string;
  default?: string;
  /** The default when it is not a literal value (shown instead of `default`). */
  defaultText?: string;
  description: string;
}

export const DEFAULT_CONFIG = '/etc/keepalived/keepalived.conf';
export const DEFAULT_STATE_DIR = '/var/lib/vigil';

export const DAEMON_FLAGS: readonly DaemonFlag[] = [
  { name: 'config', short: 'f', value: 'FILE', default: DEFAULT_CONFIG, description: 'config file' },
  {
    name: 'config-id',
    short: 'i',
    value: 'ID',
    defaultText: 'the host name up to its first dot',
    description: "read the config's `@ID` lines and skip its `@^ID` lines, as keepalived -i does",
  },
  {
    name: 'all-config',
    short: 'e',
    description:
      'refuse the config when any include is missing, unreadable or matches nothing, as keepalived -e does (global_defs include_check with no type)',
  },
  {
    name: 'socket',
    short: 's',
    value: 'PATH',
    default: DEFAULT_SOCKET,
    description: 'control socket; the read-only socket is created beside it as NAME-ro.sock',
  },
  { name: 'state-dir', value: 'DIR', default: DEFAULT_STATE_DIR, description: 'persistent state' },
  { name: 'pid-file', value: 'FILE', defaultText: 'the socket path with .pid for .sock', description: 'pid file' },
  { name: 'log-level', value: 'LEVEL', default: 'info', description: LOG_LEVELS.join(', ') },
  {
    name: 'keep-ipvs',
    description:
      "on stop, leave vigild's IPVS services in the kernel (the next start adopts them without dropping a connection); default: remove them",
  },
  {
    name: 'metrics-listen',
    value: 'ADDR:PORT',
    defaultText: 'global_defs vigil_metrics_listen, else no listener',
    description:
      'serve Prometheus GET /metrics there ([IPv6]:PORT for IPv6); wins over global_defs vigil_metrics_listen',
  },
  { name: 'help', short: 'h', description: 'show this help' },
  { name: 'version', short: 'v', description: 'show the version' },
];

/** What each signal does to a running vigild. */
export const DAEMON_SIGNALS: readonly (readonly [signal: string, effect: string])[] = [
  ['SIGHUP', 'reloads the config (an invalid one is rejected and the running one stays)'],
  ['SIGTERM, SIGINT', 'stop cleanly: masters resign (priority 0) and release their VIPs first'],
  ['SIGUSR1', "writes keepalived's data dump, keepalived.data"],
  ['SIGUSR2', "writes keepalived's stats dump, keepalived.stats"],
  ['SIGRTMIN+2', "writes keepalived's JSON dump, keepalived.json"],
  ['SIGRTMAX-1', 'writes keepalived.stats and then zeroes the counters'],
  ['SIGPIPE', 'ignored'],
];

export const DUMP_DIRECTORY_TEXT = "Dumps are written in keepalived's formats to $TMPDIR (if absolute) or /tmp.";

export const DAEMON_EXIT_CODES: readonly (readonly [code: number, meaning: string])[] = [
  [0, 'clean stop'],
  [1, 'could not start (config or environment), or could not stop cleanly'],
  [2, 'bad arguments'],
  [EXIT_FATAL, 'internal error (the log has the stack; VIPs were released first)'],
];

/** The options node:util parseArgs takes, with the defaults of the table. */
export function parseArgsOptions(): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    DAEMON_FLAGS.map((flag) => [
      flag.name,
      {
        type: flag.value === undefined ? 'boolean' : 'string',
        ...(flag.short !== undefined && { short: flag.short }),
        ...(flag.default !== undefined && { default: flag.default }),
      },
    ]),
  ) as NonNullable<ParseArgsConfig['options']>;
}

/** `-f, --config FILE` */
export const flagSynopsis = (flag: DaemonFlag): string =>
  `${flag.short === undefined ? '' : `-${flag.short}, `}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`;

export function flagDefault(flag: DaemonFlag): string | undefined {
  return flag.defaultText ?? flag.default;
}

/** Words of `text` in lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const SYNOPSIS_WIDTH = 23;
const HELP_WIDTH = 92;

function flagHelp(flag: DaemonFlag): string[] {
  const synopsis = flag.short === undefined ? `    ${flagSynopsis(flag)}` : flagSynopsis(flag);
  const fallback = flagDefault(flag);
  const text = fallback === undefined ? flag.description : `${flag.description} (default: ${fallback})`;
  const lines = wrap(text, HELP_WIDTH - SYNOPSIS_WIDTH - 2);
  return lines.map((line, i) => `  ${(i === 0 ? synopsis : '').padEnd(SYNOPSIS_WIDTH)}${line}`);
}

/** `vigild --help`. */
export function daemonUsage(): string {
  const paragraph = (text: string) => wrap(text, HELP_WIDTH).join('\n');
  return [
    'Usage: vigild [options]',
    '',
    'VRRP failover, IPVS programming and health checks, configured with keepalived.conf.',
    '',
    'Options:',
    ...DAEMON_FLAGS.flatMap(flagHelp),
    '',
    'Signals:',
    ...DAEMON_SIGNALS.map(([signal, effect]) => `  ${signal.padEnd(SYNOPSIS_WIDTH - 2)}${effect}`),
    paragraph(DUMP_DIRECTORY_TEXT),
    '',
    'Exit codes:',
    ...DAEMON_EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(SYNOPSIS_WIDTH - 2)}${meaning}`),
    '',
    paragraph(MANY_DAEMONS_TEXT),
  ].join('\n');
}

export const MANY_DAEMONS_TEXT =
  'Several daemons on one host (e.g. one per network namespace) each need their own --socket and --state-dir.';
