// `vigild`: argument parsing and process signals around the Daemon.
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import type { Level } from 'pino';
import { readOnlySocketFor } from '../api/endpoints.js';
import { defaultConfigId } from '../config/config-id.js';
import { type ListenAddress, parseListenAddress } from '../inet/listen-address.js';
import { nativeConstants, onSignalNumber } from '../net/native.js';
import { VERSION } from '../version.js';
import type { Daemon } from './daemon.js';
import { dumpDirectory } from './dumps/dump-files.js';
import { exitOnFatalError, FATAL_STOP_TIMEOUT_MS } from './fatal.js';
import { daemonUsage, parseArgsOptions } from './flags.js';
import { createLogger, LOG_LEVELS, type Logger } from './logger.js';
import { answerDumpSignals, closeInspectorOpenedBySignal, type DumpSignal, dumpBeforeStart } from './signals.js';
import { SystemdNotifier } from './systemd-notify.js';

/**
 * Exit codes: 0 clean stop, 1 could not start (config or environment) or could not stop
 * cleanly, 2 bad arguments, EXIT_FATAL an internal error.
 */
function fail(code: number, message: string): never {
  process.stderr.write(`vigild: ${message}\n`);
  process.exit(code);
}

/** The parsed command line; parseArgsOptions() gives every flag with a default its value. */
interface DaemonArgs {
  config: string;
  'config-id'?: string;
  'all-config'?: boolean;
  socket: string;
  'state-dir': string;
  'pid-file'?: string;
  'log-level': string;
  'keep-ipvs'?: boolean;
  'metrics-listen'?: string;
  help?: boolean;
  version?: boolean;
}

function parse(argv: string[]): DaemonArgs {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: parseArgsOptions() })
      .values as unknown as DaemonArgs;
  } catch (err) {
    fail(2, `${(err as Error).message}\n\n${daemonUsage()}`);
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
    process.stdout.write(`${daemonUsage()}\n`);
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
  const systemd = new SystemdNotifier(process.env.NOTIFY_SOCKET, log);
  // Not inherited by the scripts vigild runs: systemd would take their messages for vigild's.
  delete process.env.NOTIFY_SOCKET;
  let daemon: Daemon | undefined;
  let stopping: Promise<void> | undefined;
  // One stop, however many signals and errors ask for it.
  const stopOnce = (reason: string) => {
    if (!stopping) {
      systemd.stopping();
      stopping = daemon?.stop(reason) ?? Promise.resolve();
    }
    return stopping;
  };
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
  process.on('SIGHUP', () => {
    if (!daemon) return;
    // systemd holds `systemctl reload` until READY=1 says the reload is over, accepted or not.
    systemd.reloading();
    void daemon.reload().finally(() => systemd.ready());
  });
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
  // Daemon.start returns once the control socket answers: `systemctl start` returns now.
  else systemd.ready();
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
