import { pathToFileURL } from 'node:url';
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { EXIT, socketFlag } from '../src/cli/daemon-command.js';

export default class Monitor extends Command {
  static override summary = 'Watch vigild live on a terminal and act on it: drain, failover, maintenance, reload.';
  static override description =
    `A full-screen view that follows vigild's event stream (no polling): the VRRP instances (state, priorities, the master heard and its priority, adverts, the last transition and why), the virtual servers with their real servers (health, weight and kernel weight, drains, connections, check latency over time), and the event log. When vigild goes away it says so on screen and reconnects by itself.

Keys: arrows or j/k select an instance or a real server; d drain, u undrain, f failover (hand off a master, take over on a backup, release a hold), m maintenance on/off, r reload (shows the dry run first); each asks y/n and shows vigild's answer. / filters by name or address, PgUp/PgDn scroll the log, ? lists the keys, q or Ctrl-C quits.

--charts: connection rates per virtual server and check latency per real server over time, for when a trend matters more than a table.

Needs a terminal; for a pipe or a log, use \`vigil status --watch\`.

Exit codes: 0 quit, 2 not on a terminal.`;
  static override examples = ['<%= config.bin %> monitor', '<%= config.bin %> monitor --charts -s /run/vigil/ns1.sock'];
  static override flags = {
    charts: Flags.boolean({
      description: 'connection rates and check latency as charts over time',
      default: false,
    }),
    socket: socketFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Monitor);
    if (!process.stdout.isTTY || !process.stdin.isTTY)
      this.error('vigil monitor needs a terminal; for a pipe or a log, use `vigil status --watch`', {
        exit: EXIT.usage,
      });
    // The tsc output, by a path esbuild does not follow: the TUI (Ink, React, yoga's top-level
    // await) stays out of the CLI bundle, which every other command loads.
    const main = pathToFileURL(`${this.config.root}/dist/src/tui/main.js`).href;
    const { runMonitor } = (await import(main)) as typeof import('../src/tui/main.js');
    await runMonitor({ socket: flags.socket, charts: flags.charts });
  }
}
