// What every command that talks to vigild shares: the --socket and --json flags, one client,
// and the exit codes scripts rely on.
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type { VigilClient } from '../api/client.js';
import { DEFAULT_SOCKET } from '../api/endpoints.js';
import { type RequestOptions, requestAndPrint } from './daemon-request.js';

export type { RequestOptions } from './daemon-request.js';
export { EXIT } from './exit-codes.js';

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

export abstract class DaemonCommand extends Command {
  /**
   * Runs `request` against the daemon and prints its result: as JSON with --json, else through
   * `render`. Failures become one clear line on stderr and the documented exit code.
   */
  protected request<T>(
    flags: { socket: string; json: boolean },
    request: (client: VigilClient) => Promise<T>,
    render: (result: T) => string,
    options: RequestOptions<T> = {},
  ): Promise<void> {
    return requestAndPrint((text) => this.log(text), flags, request, render, options);
  }
}
