// `vigild`: argument parsing and process signals around the Daemon.
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import type { Level } from 'pino';
import { DEFAULT_SOCKET, readOnlySocketFor } from '../api/endpoints.js';
import { defaultConfigId } from '../config/config-id.js';
import { type ListenAddress, parseListenAddress } from '../inet/listen-address.js';
import { nativeConstants, onSignalNumber } from '../net/native.js';
import { VERSION } from '../version.js';
import type { Daemon } from './daemon.js';
import { dumpDirectory } from './dumps/dump-files.js';
import { EXIT_FATAL, exitOnFatalError, FATAL_STOP_TIMEOUT_MS } from './fatal.js';
import { createLogger, LOG_LEVELS, type Logger } from './logger.js';
import { answerDumpSignals, closeInspectorOpenedBySignal, type DumpSignal, dumpBeforeStart } from './signals.js';

const USAGE = `Usage: vigild [options]

VRRP failover, IPVS programming and health checks, configured with keepalived.conf.

Options:
  -f, --config FILE      config file (default /etc/keepalived/keepalived.conf)
  -i, --config-id ID     read the config's \`@ID\` lines and skip its \`@^ID\` lines, as
                         keepalived -i does (default: the host name up to its first dot)
  -e, --all-config       refuse the config when any include is missing, unreadable or matches
                         nothing, as keepalived -e does (global_defs include_check with no type)
  -s, --socket PATH      control socket (default ${DEFAULT_SOCKET}); the read-only socket
                         is created beside it as NAME-ro.sock
      --state-dir DIR    persistent state (default /var/lib/vigil)
      --pid-file FILE    pid file (default: the socket path with .pid for .sock)
      --log-level LEVEL  ${LOG_LEVELS.join(', ')} (default info)
      --keep-ipvs        on stop, leave vigild's IPVS services in the kernel (the next
                         start adopts them without dropping a connection); default: remove
      --metrics-listen ADDR:PORT
                         serve Prometheus GET /metrics there ([IPv6]:PORT for IPv6); wins
                         over global_defs vigil_metrics_listen (default: no listener)
  -h, --help             show this help
  -v, --version          show the version

Signals: SIGHUP reloads the config (an invalid one is rejected and the running one stays);
SIGTERM and SIGINT stop cleanly. keepalived's dump signals write keepalived's dumps, in its
formats, to $TMPDIR (if absolute) or /tmp: SIGUSR1 keepalived.data, SIGUSR2 keepalived.stats,
SIGRTMIN+2 keepalived.json, SIGRTMAX-1 keepalived.stats and then zeroes the counters.
SIGPIPE is ignored.
Exit codes: 0 clean stop, 1 could not start, 2 bad arguments, ${EXIT_FATAL} internal error (the log
has the stack; VIPs were released first).
Several daemons on one host (e.g. one per network namespace) each need their own --socket
and --state-dir.`;

/**
 * Exit codes: 0 clean stop, 1 could not start (config or environment) or could not stop
 * cleanly, 2 bad arguments, EXIT_FATAL an internal error.
 */
function fail(code: number, message: string): never {
  process.stderr.write(`vigild: ${message}\n`);
  process.exit(code);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'f', default: '/etc/keepalived/keepalived.conf' },
        'config-id': { type: 'string', short: 'i' },
        'all-config': { type: 'boolean', short: 'e', default: false },
        socket: { type: 'string', short: 's', default: DEFAULT_SOCKET },
        'state-dir': { type: 'string', default: '/var/lib/vigil' },
        'pid-file': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        'keep-ipvs': { type: 'boolean', default: false },
        'metrics-listen': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }).values;
  } catch (err) {
    fail(2, `${(err as Error).message}\n\n${USAGE}`);
  }
}

/**
 * V8 lets a heap grow to several times what is live before it collects the old generation, and
 * both of vigild's threads (VRRP and the checks) have a heap. With 10,000 HTTP checks a second
 * that was 430-520 MiB of RSS for some 50 MiB live in each; growing by at most half before a
 * collection kept it at 240-250 MiB for the same CPU, within the bench's noise (bench:checks).
 * Process-wide, so it is set before the checker thread starts.
 */
function limitHeapGrowth(): void {
  v8.setFlagsFromString('--heap-growing-percent=50');
}

export async function main(argv: string[]): Promise<void> {
  const args = parse(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args.version) {
    process.stdout.write(`vigild ${VERSION}\n`);
    return;
  }
  limitHeapGrowth();
  const level = args['log-level'] as Level;
  if (!LOG_LEVELS.includes(level)) fail(2, `--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);

  const metricsListen = metricsListenFlag(args['metrics-listen']);
  const socket = path.resolve(args.socket);
  const log = await createLogger(level);
  // Until the daemon runs there is no state to dump: the signal is answered, and logged.
  let onDump: (dump: DumpSignal) => void = dumpBeforeStart(log);
  answerSignalsAtOnce(log, (dump) => onDump(dump));
  // Loaded only now: until the signals are answered, a dump signal kills vigild (or opens the
  // inspector), and the daemon's modules take most of the start-up time.
  const { ConfigRejectedError, Daemon } = await import('./daemon.js');
  let daemon: Daemon | undefined;
  let stopping: Promise<void> | undefined;
  // One stop, however many signals and errors ask for it.
  const stopOnce = (reason: string) => (stopping ??= daemon?.stop(reason) ?? Promise.resolve());
  const stop = (signal: string) => {
    stopOnce(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  // Answered before the daemon starts: a SIGTERM that came while it started (as soon as it logs
  // "vigild started", say) would otherwise kill it, without its stop. It stops once started.
  let stopAsked: string | undefined;
  const onStopSignal = (signal: string) => {
    if (daemon) stop(signal);
    else stopAsked ??= signal;
  };
  process.on('SIGTERM', () => onStopSignal('SIGTERM'));
  process.on('SIGINT', () => onStopSignal('SIGINT'));
  process.on('SIGHUP', () => void daemon?.reload());
  exitOnFatalError({
    on: (event, listener) => process.on(event, listener),
    exit: (code) => process.exit(code),
    log,
    stop: stopOnce,
    timeoutMs: FATAL_STOP_TIMEOUT_MS,
  });
  try {
    daemon = await Daemon.start({
      configPath: path.resolve(args.config),
      configId: args['config-id'] ?? defaultConfigId(os.hostname()),
      allConfig: args['all-config'],
      socket,
      readOnlySocket: readOnlySocketFor(socket),
      stateDir: path.resolve(args['state-dir']),
      pidFile: path.resolve(args['pid-file'] ?? `${socket.replace(/\.sock$/, '')}.pid`),
      keepIpvs: args['keep-ipvs'] ?? false,
      dumpDir: dumpDirectory(process.env),
      metricsListen,
      log,
    });
  } catch (err) {
    if (err instanceof ConfigRejectedError) {
      const idFlag =
        (args['config-id'] === undefined ? '' : ` --config-id ${args['config-id']}`) +
        (args['all-config'] ? ' --all-config' : '');
      log.fatal(`not starting: ${err.message} (run 'vigil check --config ${args.config}${idFlag}' to list them)`);
    } else {
      log.fatal(`not starting: ${(err as Error).message}`);
    }
    process.exit(1);
  }
  const running = daemon;
  onDump = ({ kind }) => running.dump(kind);
  if (stopAsked) stop(stopAsked);
}

function metricsListenFlag(text: string | undefined): ListenAddress | undefined {
  if (text === undefined) return undefined;
  const address = parseListenAddress(text);
  if ('error' in address) fail(2, `--metrics-listen: ${address.error}`);
  return address;
}

/** Before anything else: keepalived's dump signals neither kill vigild nor open the inspector. */
function answerSignalsAtOnce(log: Logger, onDump: (dump: DumpSignal) => void): void {
  answerDumpSignals(
    {
      on: (signal, listener) => process.on(signal, listener),
      onNumber: (signum, listener) => void onSignalNumber(signum, listener),
      realTime: nativeConstants(),
    },
    onDump,
  );
  closeInspectorOpenedBySignal(inspector, [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)], log);
}
