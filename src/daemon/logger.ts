// Structured logs: one JSON object per line for journald and log shippers; human-readable lines
// when a person is watching a terminal.
import { type Level, type Logger, pino } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export async function createLogger(level: Level, pretty = process.stdout.isTTY === true): Promise<Logger> {
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!pretty) return pino(options, pino.destination({ dest: 1, sync: true }));
  // Loaded only for a terminal: it is not needed, and not free to load, under a supervisor.
  const { default: pinoPretty } = await import('pino-pretty');
  return pino(options, pinoPretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}
