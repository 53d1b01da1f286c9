// A bug that escapes every handler must not leave a broken daemon holding VIPs: vigild logs it,
// resigns through the normal stop (masters send priority 0 and remove their VIPs, so a backup
// takes over at once), and exits non-zero for the supervisor to restart it.
import type { Logger } from './logger.js';

/** EX_SOFTWARE (sysexits.h): an internal error. */
export const EXIT_FATAL = 70;

/** How long the resignation may take before vigild exits anyway. */
export const FATAL_STOP_TIMEOUT_MS = 5000;

export interface FatalPorts {
  /** process.on for 'uncaughtException' and 'unhandledRejection'. */
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): void;
  exit(code: number): void;
  log: Logger;
  /** The normal stop path. */
  stop(reason: string): Promise<void>;
  timeoutMs: number;
}

export function exitOnFatalError(ports: FatalPorts): void {
  const { log } = ports;
  let exiting = false;
  const onFatal = (what: string) => (error: unknown) => {
    log.fatal({ err: error }, `${what}: resigning and exiting with ${EXIT_FATAL} (a supervisor restarts vigild)`);
    if (exiting) return;
    exiting = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.error(`resigning took longer than ${ports.timeoutMs} ms; exiting without finishing it`);
        resolve();
      }, ports.timeoutMs);
    });
    const stopped = ports.stop(what).catch((err: unknown) => log.error({ err }, 'error while resigning'));
    void Promise.race([stopped, timeout]).then(() => {
      clearTimeout(timer);
      ports.exit(EXIT_FATAL);
    });
  };
  ports.on('uncaughtException', onFatal('uncaught exception'));
  ports.on('unhandledRejection', onFatal('unhandled promise rejection'));
}
