// One request to vigild and its outcome on the terminal: the result (JSON with --json, else
// rendered), or one clear line on stderr, and the documented exit code. Free of oclif, so that
// the lean start-up path (src/cli/lean.ts) prints exactly what the oclif commands print.
import { ApiError, DaemonUnreachableError, VigilClient } from '../api/client.js';
import type { ErrorCode } from '../api/schema.js';
import { EXIT } from './exit-codes.js';

export interface RequestOptions<T> {
  /** How long to wait for the answer; the client's default otherwise. */
  timeoutMs?: number;
  /** The exit code for an answer; 0 otherwise. */
  exitCode?: (result: T) => number;
  /** API errors that mean the arguments were wrong (exit 2) rather than a refusal (exit 1). */
  usageErrors?: readonly ErrorCode[];
}

export interface DaemonFlags {
  socket: string;
  json: boolean;
}

/** Writes one line of output (oclif's Command.log, or its equivalent). */
export type Log = (text: string) => void;

/** Sets process.exitCode; errors other than the daemon's answers and its absence are thrown. */
export async function requestAndPrint<T>(
  log: Log,
  flags: DaemonFlags,
  request: (client: VigilClient) => Promise<T>,
  render: (result: T) => string,
  options: RequestOptions<T> = {},
): Promise<void> {
  const client = new VigilClient({
    socket: flags.socket,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  try {
    const result = await request(client);
    log(flags.json ? JSON.stringify(result, null, 2) : render(result));
    process.exitCode = options.exitCode?.(result) ?? EXIT.ok;
  } catch (err) {
    process.exitCode = reportFailure(log, err, flags, options.usageErrors ?? []);
  } finally {
    await client.close();
  }
}

/** The exit code for `err`, after saying what went wrong; throws what it does not know. */
export function reportFailure(log: Log, err: unknown, flags: { json: boolean }, usageErrors: readonly ErrorCode[]) {
  if (err instanceof DaemonUnreachableError) {
    process.stderr.write(
      err.permissionDenied
        ? `vigil: permission denied on ${err.socket}: changes need root or the control socket's group; reads also try the read-only socket beside it.\n`
        : `vigil: ${err.message}. Is vigild running? Start it (e.g. systemctl start vigild), or point --socket or VIGIL_SOCKET at its socket.\n`,
    );
    return EXIT.unreachable;
  }
  if (err instanceof ApiError) {
    if (flags.json) {
      log(JSON.stringify({ error: { code: err.code, message: err.message, diagnostics: err.diagnostics } }, null, 2));
    } else {
      process.stderr.write(`vigil: ${err.message}\n${err.diagnostics.map((d) => `  ${d.text}\n`).join('')}`);
    }
    return usageErrors.includes(err.code) ? EXIT.usage : EXIT.failed;
  }
  throw err;
}
