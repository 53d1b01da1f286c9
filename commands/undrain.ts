import * as Flags from '@oclif/core/flags';
import { DaemonCommand, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import {
  DRAIN_REQUEST_TIMEOUT_MS,
  realServerArg,
  UNKNOWN_TARGET,
  virtualServerFlag,
} from '../src/cli/real-server-args.js';
import { renderDrain } from '../src/cli/render-drain.js';

export default class Undrain extends DaemonCommand {
  static override summary = 'End a drain: the real server takes new connections again.';
  static override description =
    `Gives the real server back the weight its config and checks give it (misc_dynamic weights, inhibit_on_failure and quorum as usual), in every virtual server holding it (or only --vs). Refused while its checks say it is down: undrained, it would take no traffic until they pass; --force ends the drain anyway, and the server comes back once they do. Run \`vigil check RS --now\` first to see what the checks see.

Exit codes: 0 undrained (or it was not drained); 1 refused (its checks say down; use --force); 2 bad arguments, or an unknown RS or --vs (those there are are listed); 3 no daemon on the socket.`;
  static override examples = [
    '<%= config.bin %> undrain 198.51.100.21:80',
    '<%= config.bin %> undrain 198.51.100.21:80 --vs 198.51.100.80:443',
    '<%= config.bin %> undrain 198.51.100.21:80 --force',
  ];
  static override args = { rs: realServerArg };
  static override flags = {
    vs: virtualServerFlag,
    force: Flags.boolean({ description: 'end the drain even while its checks say down', default: false }),
    socket: socketFlag,
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Undrain);
    await this.request(
      flags,
      (client) =>
        client.undrain({
          realServer: args.rs,
          ...(flags.vs !== undefined && { virtualServer: flags.vs }),
          ...(flags.force && { force: true }),
        }),
      (r) => renderDrain(r, 'undrain'),
      { timeoutMs: DRAIN_REQUEST_TIMEOUT_MS, usageErrors: UNKNOWN_TARGET },
    );
  }
}
