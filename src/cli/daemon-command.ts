// What every command that talks to vigild shares: the --socket and --json flags, one client,
// and the exit codes scripts rely on.
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { ApiError, DaemonUnreachableError, VigilClient } from '../api/client.js';
import { DEFAULT_SOCKET } from '../api/endpoints.js';
import type { ErrorCode } from '../api/schema.js';

/** Exit codes of every `vigil` command; README and `vigil --help` document them. */
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

export const socketFlag = Flags.string({
  char: 's',
  description: 'control socket of vigild (read-only requests fall back to NAME-ro.sock when it is not accessible)',
  env: 'VIGIL_SOCKET',
  default: DEFAULT_SOCKET,
  helpGroup: 'DAEMON',
});

export const jsonFlag = Flags.boolean({
  description: "print the API's JSON response exactly, for scripts",
  default: false,
});

export interface RequestOptions<T> {
  /** How long to wait for the answer; the client's default otherwise. */
  timeoutMs?: number;
  /** The exit code for an answer; 0 otherwise. */
  exitCode?: (result: T) => number;
  /** API errors that mean the arguments were wrong (exit 2) rather than a refusal (exit 1). */
  usageErrors?: readonly ErrorCode[];
}

export abstract class DaemonCommand extends Command {
  /**
   * Runs `request` against the daemon and prints its result: as JSON with --json, else through
   * `render`. Failures become one clear line on stderr and the documented exit code.
   */
  protected async request<T>(
    flags: { socket: string; json: boolean },
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
      this.log(flags.json ? JSON.stringify(result, null, 2) : render(result));
      process.exitCode = options.exitCode?.(result) ?? EXIT.ok;
    } catch (err) {
      process.exitCode = this.report(err, flags, options.usageErrors ?? []);
    } finally {
      await client.close();
    }
  }

  private report(err: unknown, flags: { json: boolean }, usageErrors: readonly ErrorCode[]): number {
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
        this.log(
          JSON.stringify({ error: { code: err.code, message: err.message, diagnostics: err.diagnostics } }, null, 2),
        );
      } else {
        process.stderr.write(`vigil: ${err.message}\n${err.diagnostics.map((d) => `  ${d.text}\n`).join('')}`);
      }
      return usageErrors.includes(err.code) ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
}
