import * as Flags from '@oclif/core/flags';
import { VigilClient } from '../src/api/client.js';
import type { StatusResponse } from '../src/api/schema.js';
import { DaemonCommand, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { statusCommand } from '../src/cli/hot-commands.js';
import { watchStatus } from '../src/cli/watch-status.js';

// ANSI: cursor home and clear the screen; hide and show the cursor.
const CLEAR = '\x1b[H\x1b[2J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export default class Status extends DaemonCommand {
  static override summary = "Show the daemon's view: VRRP instances, virtual and real servers, config.";
  static override description =
    `With --watch: shows it again whenever vigild announces a change (a transition, a health change, a reload, new IPVS counters), redrawing the screen on a terminal and printing each new status after a blank line otherwise; with --json, one status per line. When vigild does not answer (at the start or later) it says so and keeps trying until one does. Ctrl-C ends it.

Exit codes: 0 answered (or --watch ended by Ctrl-C), 3 no daemon on the socket.`;
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json | jq .instances',
    '<%= config.bin %> status --watch',
    'VIGIL_SOCKET=/run/vigil/ns1.sock <%= config.bin %> status',
  ];
  static override flags = {
    socket: socketFlag,
    json: jsonFlag,
    watch: Flags.boolean({
      char: 'w',
      description: 'show the status again on every change vigild announces, until Ctrl-C',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    if (flags.watch) return this.watch(flags);
    await this.request(flags, statusCommand.request, statusCommand.render);
  }

  private async watch(flags: { socket: string; json: boolean }): Promise<void> {
    const client = new VigilClient({ socket: flags.socket });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    // A reader that went away (`| head`) ends the watch, as it ends `yes`.
    const onOutputError = (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      stop.abort();
    };
    process.stdout.on('error', onOutputError);
    const redraw = process.stdout.isTTY === true && !flags.json;
    let shown = 0;
    const show = (status: StatusResponse) => {
      if (stop.signal.aborted) return;
      if (flags.json) this.log(JSON.stringify(status));
      else if (redraw) process.stdout.write(`${CLEAR}${statusCommand.render(status)}\n`);
      else this.log(`${shown > 0 ? '\n' : ''}${statusCommand.render(status)}`);
      shown++;
    };
    if (redraw) process.stdout.write(HIDE_CURSOR);
    try {
      await watchStatus({ client, show, note: (message) => process.stderr.write(`${message}\n`), signal: stop.signal });
    } finally {
      if (redraw) process.stdout.write(SHOW_CURSOR);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.stdout.off('error', onOutputError);
      await client.close();
    }
  }
}
