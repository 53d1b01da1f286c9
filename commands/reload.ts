import * as Flags from '@oclif/core/flags';
import type { ReloadResponse } from '../src/api/schema.js';
import { DaemonCommand, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { formatReloadChange } from '../src/cli/render-reload.js';

export default class Reload extends DaemonCommand {
  static override summary = 'Re-read the config file the daemon was started with, and show what changed.';
  static override description =
    `Prints the changes applied: VRRP instances (each updated in place or restarted, and why), VIPs, virtual and real servers added, removed or changed. Unchanged instances keep their state and VIPs, and an address that stays configured on this node is never taken off its interface. An invalid config is rejected with every error as file:line:col and the running config stays in place (like SIGHUP, but you see the outcome). --dry-run validates the file and prints the changes a reload would make, changing nothing.

Exit codes: 0 reloaded (or, with --dry-run, valid), 1 rejected, 3 no daemon on the socket.`;
  static override examples = [
    '<%= config.bin %> reload',
    '<%= config.bin %> reload --dry-run',
    '<%= config.bin %> reload --json',
  ];
  static override flags = {
    socket: socketFlag,
    json: jsonFlag,
    'dry-run': Flags.boolean({ description: 'validate and show the changes, applying nothing', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Reload);
    await this.request(flags, (client) => client.reload({ dryRun: flags['dry-run'] }), renderReload);
  }
}

function renderReload(r: ReloadResponse): string {
  const head = r.dryRun
    ? `valid: a reload would make ${r.changes.length} change(s), ${r.files.length} file(s)`
    : `reloaded: generation ${r.generation}, ${r.files.length} file(s)`;
  const changes = r.changes.length > 0 ? r.changes.map((c) => `  ${formatReloadChange(c)}`) : ['  no changes'];
  return [head, ...changes, ...r.warnings.map((w) => `  ${w.text}`)].join('\n');
}
