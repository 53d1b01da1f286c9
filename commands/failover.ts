import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import type { FailoverRequest, FailoverResponse } from '../src/api/schema.js';
import { DaemonCommand, EXIT, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { durationFlag } from '../src/cli/duration.js';
import {
  DEFAULT_WAIT_MS,
  isMaster,
  OPERATOR_REQUEST_TIMEOUT_MS,
  otherMasterHeard,
  renderWait,
  type WaitOutcome,
  waitUntilSettled,
} from '../src/cli/operator-wait.js';

type Result = FailoverResponse & { wait?: WaitOutcome };

export default class Failover extends DaemonCommand {
  static override summary = 'Hand a VRRP instance over to another router, take it over, or release the hold.';
  static override description =
    `On the master (the default): a planned hand-off. The master sends a priority 0 advert so the best backup takes over within its skew time, but keeps its VIPs until it hears that backup advertise as master, so clients are served throughout; then it stays backup (it neither preempts nor takes over when the new master goes silent) until --release, or for --hold.

Refusal: a backup sends nothing while a master lives, so the master cannot know in advance that one listens. The hand-off itself is the test: when no other router advertises as master within 3 advert intervals (1 s at least) of the priority 0 advert, no backup has been heard, and the hand-off is refused (exit 1): this node goes on as master, having never dropped its VIPs. --force hands off anyway (the VIPs then go, and nobody may serve them).

--take on a backup: become master now, advertising priority 254 (preempting whatever the config says), held until --release; refused when the master heard is the address owner (priority 255), which always wins.

An instance in a vrrp_sync_group stands for its whole group: every member moves, and the output says so. --group names a group. Without INSTANCE, the only instance is meant.

--wait: return once the new master is seen (hand-off: another router; take: this node), printing who and after how long.

Exit codes: 0 done, 1 refused (the message says why), 2 bad arguments or an unknown instance or group (the names there are listed), 3 no daemon on the socket, 4 --wait timed out.`;
  static override examples = [
    '<%= config.bin %> failover',
    '<%= config.bin %> failover VI_1 --wait',
    '<%= config.bin %> failover VI_1 --hold 10m',
    '<%= config.bin %> failover --group SG1 --force',
    '<%= config.bin %> failover VI_1 --take --wait',
    '<%= config.bin %> failover VI_1 --release',
  ];
  static override args = {
    instance: Args.string({ description: 'the vrrp_instance (default: the only one)', required: false }),
  };
  static override flags = {
    group: Flags.string({ char: 'g', description: 'a vrrp_sync_group: all its members move together' }),
    take: Flags.boolean({ description: 'become master now (priority 254) until --release', exclusive: ['release'] }),
    release: Flags.boolean({
      description: 'end a hand-off or take hold: ordinary priorities and preemption apply again',
      exclusive: ['take', 'hold', 'force'],
    }),
    force: Flags.boolean({ description: 'hand off even when no other router takes over' }),
    hold: durationFlag({ description: 'release on its own after this long (e.g. 90s, 10m, 1h)' }),
    wait: Flags.boolean({ description: 'return once the new master is seen, and print who and when' }),
    timeout: durationFlag({
      description: 'with --wait: give up after this long (exit 4)',
      default: DEFAULT_WAIT_MS,
      defaultHelp: async () => '10s',
    }),
    socket: socketFlag,
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Failover);
    const startedAt = Date.now();
    const action: FailoverRequest['action'] = flags.take ? 'take' : flags.release ? 'release' : 'handoff';
    const request: FailoverRequest = {
      action,
      ...(args.instance !== undefined && { instance: args.instance }),
      ...(flags.group !== undefined && { group: flags.group }),
      ...(flags.force && { force: true }),
      ...(flags.hold !== undefined && { holdSeconds: flags.hold / 1000 }),
    };
    await this.request<Result>(
      flags,
      async (client) => {
        const result = await client.failover(request);
        if (!flags.wait || action === 'release') return result;
        const settled = action === 'take' ? isMaster : otherMasterHeard;
        return { ...result, wait: await waitUntilSettled(client, result.instances, settled, startedAt, flags.timeout) };
      },
      (r) => [r.message, ...(r.wait ? [`new master seen ${renderWait(r.wait, flags.timeout)}`] : [])].join('\n'),
      {
        timeoutMs: OPERATOR_REQUEST_TIMEOUT_MS,
        usageErrors: ['bad_request', 'not_found'],
        exitCode: (r) => (r.wait?.timedOut ? EXIT.timedOut : EXIT.ok),
      },
    );
  }
}
