import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import type { MaintenanceResponse } from '../src/api/schema.js';
import { DaemonCommand, EXIT, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { durationFlag } from '../src/cli/duration.js';
import {
  DEFAULT_WAIT_MS,
  electionSettled,
  OPERATOR_REQUEST_TIMEOUT_MS,
  otherMasterHeard,
  renderWait,
  type WaitOutcome,
  waitUntilSettled,
} from '../src/cli/operator-wait.js';

type Result = MaintenanceResponse & { wait?: WaitOutcome };

export default class Maintenance extends DaemonCommand {
  static override summary = 'Take this node out of service for VRRP (on), or put it back (off).';
  static override description =
    `on: every instance this node masters is handed off as \`vigil failover --force\` does (VIPs kept until another router advertises, and released after 3 advert intervals, 1 s at least, even when none does), and every instance stays backup: checks and tracking keep running, nothing flaps back. It is written to the state dir, so a vigild restarted in maintenance never becomes master. Status shows it.

off: ordinary priorities and preemption apply again (failover holds still in place stay).

--wait: on returns once every instance is BACKUP (hearing another master) or FAULT; off once every instance is MASTER or BACKUP hearing a master.

Exit codes: 0 done, 1 refused, 2 bad arguments, 3 no daemon on the socket, 4 --wait timed out.`;
  static override examples = [
    '<%= config.bin %> maintenance on --wait',
    '<%= config.bin %> maintenance off',
    '<%= config.bin %> maintenance on --json',
  ];
  static override args = {
    switch: Args.string({ description: 'on or off', required: true, options: ['on', 'off'] }),
  };
  static override flags = {
    wait: Flags.boolean({ description: 'return once the instances have settled, and print how long it took' }),
    timeout: durationFlag({
      description: 'with --wait: give up after this long (exit 4)',
      default: DEFAULT_WAIT_MS,
      defaultHelp: async () => '10s',
    }),
    socket: socketFlag,
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Maintenance);
    const startedAt = Date.now();
    const on = args.switch === 'on';
    await this.request<Result>(
      flags,
      async (client) => {
        const result = await client.maintenance({ on });
        if (!flags.wait) return result;
        const settled = on ? otherMasterHeard : electionSettled;
        return { ...result, wait: await waitUntilSettled(client, undefined, settled, startedAt, flags.timeout) };
      },
      (r) =>
        [
          r.message,
          ...r.instances.map((i) => `  ${i.name}: ${i.state}${i.newMaster ? `, master ${i.newMaster}` : ''}`),
          ...(r.wait ? [`settled ${renderWait(r.wait, flags.timeout)}`] : []),
        ].join('\n'),
      { timeoutMs: OPERATOR_REQUEST_TIMEOUT_MS, exitCode: (r) => (r.wait?.timedOut ? EXIT.timedOut : EXIT.ok) },
    );
  }
}
