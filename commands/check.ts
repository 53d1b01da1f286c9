import os from 'node:os';
import path from 'node:path';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { toApiDiagnostic } from '../src/api/diagnostics.js';
import type { ConfigCheckResult } from '../src/api/schema.js';
import { DaemonCommand, EXIT, jsonFlag, socketFlag } from '../src/cli/daemon-command.js';
import { checkListCommand } from '../src/cli/hot-commands.js';
import { parseEndpoint, renderCheckNow } from '../src/cli/render-checks.js';
import { defaultConfigId, type LoadOptions, loadConfig, summarize } from '../src/config/index.js';
import { hostInterfaces } from '../src/net/interfaces.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A check of a real server must finish within its checkers' own timeouts; this only bounds a stuck daemon. */
const CHECK_NOW_TIMEOUT_MS = 10 * 60 * 1000;

export default class Check extends DaemonCommand {
  static override summary =
    "Show every real server's health checks, run one server's checks now, or validate a config file.";
  static override description =
    `Without --config: asks vigild for every real server's verdict, checkers, last check latency, last change and why it is down. With RS and --now: runs that real server's checks at once and prints what each saw; the daemon's verdict is left to its schedule (retries, delay_loop), so run it before undraining a server, not to bring one back.

With --config FILE: validates a keepalived.conf like keepalived -t. Every problem is reported as file:line:col: severity: message, on stderr; the summary goes to stdout. Interfaces that do not exist on this host are warnings, not errors.

Exit codes: 0 listed, up now, or valid (warnings allowed); 1 down now, or invalid; 2 bad arguments (an unknown RS lists those there are); 3 no daemon on the socket.`;
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check 198.51.100.21:80 --now',
    '<%= config.bin %> check 198.51.100.21:80 --vs "fwmark 5" --now --json',
    '<%= config.bin %> check --config /etc/keepalived/keepalived.conf',
    '<%= config.bin %> check -f new.conf && systemctl reload vigild',
  ];
  static override args = {
    rs: Args.string({ description: 'real server as ADDR:PORT ([v6]:PORT), with --now', required: false }),
  };
  static override flags = {
    config: Flags.string({ char: 'f', description: 'config file to validate (nothing is asked of vigild)' }),
    'config-id': Flags.string({
      char: 'i',
      description:
        "with --config: read the file's `@ID` lines and skip its `@^ID` lines, as keepalived -i does (default: the host name up to its first dot)",
    }),
    'all-config': Flags.boolean({
      char: 'e',
      description:
        'with --config: refuse the file when any include is missing, unreadable or matches nothing, as keepalived -e does',
      default: false,
    }),
    now: Flags.boolean({ description: "run RS's checks now and print the outcome", default: false }),
    vs: Flags.string({
      description:
        'the virtual server, as status names it (ADDR:PORT, "fwmark N", "group NAME" or NAME), when RS is in several',
    }),
    socket: socketFlag,
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Check);
    if (flags.config !== undefined) {
      if (args.rs !== undefined || flags.now || flags.vs !== undefined)
        this.usage('--config validates a file; RS, --now and --vs ask the daemon: use one or the other');
      const configId = flags['config-id'] ?? defaultConfigId(os.hostname());
      return this.validate(flags.config, { configId, allConfig: flags['all-config'] }, flags.json);
    }
    if (flags['config-id'] !== undefined) this.usage('--config-id selects lines of the file --config validates');
    if (flags['all-config']) this.usage('--all-config applies to the file --config validates');
    if (args.rs === undefined) {
      if (flags.now || flags.vs !== undefined)
        this.usage('--now and --vs need a real server: vigil check ADDR:PORT --now');
      return this.request(flags, checkListCommand.request, checkListCommand.render);
    }
    if (!flags.now) this.usage(`add --now to run ${args.rs}'s checks; \`vigil check\` alone lists every real server`);
    const realServer = parseEndpoint(args.rs);
    if (!realServer) this.usage(`RS must be ADDR:PORT or [v6]:PORT, got '${args.rs}'`);
    await this.request(
      flags,
      (client) => client.checkNow({ realServer, ...(flags.vs !== undefined && { virtualServer: flags.vs }) }),
      renderCheckNow,
      {
        timeoutMs: CHECK_NOW_TIMEOUT_MS,
        exitCode: (r) => (r.result === 'down' ? EXIT.failed : EXIT.ok),
        usageErrors: ['not_found', 'bad_request'],
      },
    );
  }

  private usage(message: string): never {
    return this.error(message, { exit: EXIT.usage });
  }

  private validate(file: string, reading: Pick<LoadOptions, 'configId' | 'allConfig'>, json: boolean): void {
    const configPath = path.resolve(file);
    const loaded = loadConfig(configPath, { interfaces: hostInterfaces(), ...reading });
    const diagnostics = loaded.diagnostics.map(toApiDiagnostic);
    const ok = loaded.config !== undefined && !diagnostics.some((d) => d.severity === 'error');
    const result: ConfigCheckResult = {
      ok,
      path: configPath,
      files: loaded.files,
      summary: loaded.config && summarize(loaded.config),
      diagnostics,
    };
    process.exitCode = ok ? EXIT.ok : EXIT.failed;
    if (json) {
      this.log(JSON.stringify(result, null, 2));
      return;
    }
    for (const d of diagnostics) process.stderr.write(`${d.text}\n`);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    if (ok && result.summary) {
      const { instances, virtualServers, realServers } = result.summary;
      this.log(
        `${file}: OK: ${plural(instances, 'instance')}, ${plural(virtualServers, 'virtual server')}, ${plural(realServers, 'real server')}` +
          (warnings ? `, ${plural(warnings, 'warning')}` : ''),
      );
    } else {
      process.stderr.write(
        `${file}: INVALID: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}\n`,
      );
    }
  }
}
