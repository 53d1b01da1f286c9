import * as Flags from '@oclif/core/flags';
import type { DrainResponse } from '../src/api/schema.js';
import { DaemonCommand, EXIT, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { type WaitOutcome, type WaitResult, waitForDrain } from '../src/cli/drain-wait.js';
import { durationFlag } from '../src/cli/duration.js';
import { ProgressLine } from '../src/cli/progress-line.js';
import {
  DRAIN_REQUEST_TIMEOUT_MS,
  realServerArg,
  UNKNOWN_TARGET,
  virtualServerFlag,
} from '../src/cli/real-server-args.js';
import { drainSubject, progressLine, renderDrain, waitLine } from '../src/cli/render-drain.js';

/** How long --wait waits unless told: long enough for most HTTP keep-alives and downloads to end. */
const DEFAULT_TIMEOUT_MS = 300_000;

const WAIT_EXIT: Record<WaitOutcome, number> = {
  drained: EXIT.ok,
  timedOut: EXIT.timedOut,
  undrained: EXIT.failed,
  removed: EXIT.failed,
};

export default class Drain extends DaemonCommand {
  static override summary = 'Take a real server out of new traffic: IPVS weight 0, its connections finish.';
  static override description =
    `Sets the real server's IPVS weight to 0 in every virtual server holding it (or only --vs): connections it has carry on, new ones go to the others. The answer comes once the kernel has weight 0. The drain persists in vigild's state dir: it survives reloads, restarts and kill -9, until \`vigil undrain\`, or until a reload removes the real server from the config. Health checks keep running: a drained server that fails them is taken out (or inhibited) as usual, and status shows DRAINED.

--wait follows its active connections (from the kernel, on vigild's event stream every 2 s): redrawn in place on a terminal, a line per change otherwise. It returns once none is left. Inactive connections (TIME_WAIT, FIN_WAIT) carry nothing and do not hold a drain. With persistence_timeout, clients holding a persistence template still reach the server until the template expires (sysctl net.ipv4.vs.expire_quiescent_template=1 ends that at weight 0).

Exit codes: 0 drained (with --wait: no active connection left); 1 undrained or removed from the config while waiting; 2 bad arguments, or an unknown RS or --vs (those there are are listed); 3 no daemon on the socket; 4 --timeout ran out (the server stays drained).`;
  static override examples = [
    '<%= config.bin %> drain 198.51.100.21:80',
    '<%= config.bin %> drain 198.51.100.21:80 --wait --timeout 10m',
    '<%= config.bin %> drain [2001:db8::21]:443 --vs "group web" --json',
  ];
  static override args = { rs: realServerArg };
  static override flags = {
    vs: virtualServerFlag,
    wait: Flags.boolean({ description: 'wait until the real server has no active connection left', default: false }),
    timeout: durationFlag({
      description: `with --wait: give up after this long, exit 4 (default ${DEFAULT_TIMEOUT_MS / 1000}s; e.g. 90s, 10m)`,
    }),
    socket: socketFlag,
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Drain);
    if (flags.timeout !== undefined && !flags.wait)
      this.error('--timeout bounds --wait: add --wait', { exit: EXIT.usage });
    const timeoutMs = flags.timeout ?? DEFAULT_TIMEOUT_MS;
    await this.request(
      flags,
      async (client): Promise<DrainResponse & { wait?: WaitResult }> => {
        const response = await client.drain({
          realServer: args.rs,
          ...(flags.vs !== undefined && { virtualServer: flags.vs }),
        });
        if (!flags.wait) return response;
        const subject = drainSubject(response);
        const display = flags.json ? undefined : new ProgressLine();
        if (display) this.log(renderDrain(response, 'drain'));
        const wait = await waitForDrain(response, {
          timeoutMs,
          events: (signal) => client.events(signal),
          progress: (counts, elapsedMs, connected) =>
            display?.show(
              progressLine(subject, counts, elapsedMs, timeoutMs, connected),
              `${counts.activeConns} ${counts.inactiveConns} ${connected}`,
            ),
        });
        display?.end();
        return { ...response, wait };
      },
      (r) => (r.wait ? waitLine(drainSubject(r), r.wait) : renderDrain(r, 'drain')),
      {
        timeoutMs: DRAIN_REQUEST_TIMEOUT_MS,
        exitCode: (r) => (r.wait ? WAIT_EXIT[r.wait.outcome] : EXIT.ok),
        usageErrors: UNKNOWN_TARGET,
      },
    );
  }
}
