import path from 'node:path';
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { toApiDiagnostic } from '../src/api/diagnostics.js';
import type { ConfigCheckResult } from '../src/api/schema.js';
import { EXIT, jsonFlag } from '../src/cli/daemon-command.js';
import { loadConfig, summarize } from '../src/config/index.js';
import { hostInterfaces } from '../src/net/interfaces.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export default class Check extends Command {
  static override summary = 'Validate a keepalived.conf without starting anything (like keepalived -t).';
  static override description =
    `Every problem is reported as file:line:col: severity: message, on stderr; the summary goes to stdout. Interfaces that do not exist on this host are warnings, not errors.

Exit codes: 0 valid (warnings allowed), 1 invalid.`;
  static override examples = [
    '<%= config.bin %> check --config /etc/keepalived/keepalived.conf',
    '<%= config.bin %> check -f new.conf && systemctl reload vigild',
  ];
  static override flags = {
    config: Flags.string({
      char: 'f',
      description: 'config file to check',
      default: '/etc/keepalived/keepalived.conf',
    }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    const configPath = path.resolve(flags.config);
    const loaded = loadConfig(configPath, { interfaces: hostInterfaces() });
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
    if (flags.json) {
      this.log(JSON.stringify(result, null, 2));
      return;
    }
    for (const d of diagnostics) process.stderr.write(`${d.text}\n`);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    if (ok && result.summary) {
      const { instances, virtualServers, realServers } = result.summary;
      this.log(
        `${flags.config}: OK: ${plural(instances, 'instance')}, ${plural(virtualServers, 'virtual server')}, ${plural(realServers, 'real server')}` +
          (warnings ? `, ${plural(warnings, 'warning')}` : ''),
      );
    } else {
      process.stderr.write(
        `${flags.config}: INVALID: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}\n`,
      );
    }
  }
}
