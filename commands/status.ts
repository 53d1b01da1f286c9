import { DaemonCommand, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { renderStatus } from '../src/cli/render-status.js';

export default class Status extends DaemonCommand {
  static override summary = "Show the daemon's view: VRRP instances, virtual and real servers, config.";
  static override description = `Exit codes: 0 answered, 3 no daemon on the socket.`;
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json | jq .instances',
    'VIGIL_SOCKET=/run/vigil/ns1.sock <%= config.bin %> status',
  ];
  static override flags = { socket: socketFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    await this.request(flags, (client) => client.status(), renderStatus);
  }
}
