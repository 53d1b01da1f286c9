import { DaemonCommand, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';

export default class Reload extends DaemonCommand {
  static override summary = 'Re-read the config file the daemon was started with.';
  static override description =
    `An invalid config is rejected with every error as file:line:col and the running config stays in place (like SIGHUP, but you see the outcome).

Exit codes: 0 reloaded, 1 rejected, 3 no daemon on the socket.`;
  static override examples = ['<%= config.bin %> reload', '<%= config.bin %> reload --json'];
  static override flags = { socket: socketFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Reload);
    await this.request(
      flags,
      (client) => client.reload(),
      (r) =>
        [
          `reloaded: generation ${r.generation}, ${r.files.length} file(s)`,
          ...r.warnings.map((w) => `  ${w.text}`),
        ].join('\n'),
    );
  }
}
