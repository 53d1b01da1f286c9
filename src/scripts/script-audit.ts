// keepalived's start-up warnings about scripts (2.2.7, lib/notify.c and vrrp.c): each script
// found by a PATH search, each that would run with root privileges although others could
// change it, and, when enable_script_security is off, once that scripts run without it. With it
// on, scripts others could change are refused when prepared instead.
import { type Command, type Config, type RunAs, trackedNames } from '../config/index.js';
import type { PreparedScript, ScriptLauncher } from './launcher.js';

export interface AuditedScript {
  command: Command;
  runAs?: RunAs;
}

/** What keepalived says of one script as it checks it. */
function warningsFor(script: PreparedScript): string[] {
  const name = script.command[0]!;
  return [
    ...(name.includes('/') ? [] : [`script \`${name}\` resolved by path search to ${script.file}; give its full path`]),
    ...(script.insecure ? [`unsafe permissions for script ${script.file}: ${script.insecure}`] : []),
  ];
}

/** The warnings keepalived would log for `scripts`; `</file` commands are no scripts to it. */
export async function startupScriptWarnings(
  launcher: ScriptLauncher,
  scripts: readonly AuditedScript[],
  securityEnabled: boolean,
): Promise<string[]> {
  const prepared = await Promise.all(scripts.map((s) => launcher.prepare(s.command, s.runAs)));
  const files = prepared.flatMap((p) => (p.ok && p.script.shell === undefined ? [p.script] : []));
  const warnings = files.flatMap(warningsFor);
  if (!securityEnabled && files.length > 0) {
    const insecure = files.some((s) => s.insecure) ? ' There are insecure scripts.' : '';
    warnings.push(
      `SECURITY VIOLATION - scripts are being executed but script_security not enabled.${insecure} ` +
        'Set enable_script_security in global_defs to refuse scripts that others could change',
    );
  }
  return warnings;
}

/** What the VRRP side runs: the tracked vrrp_scripts and every notify script of instances and sync groups. */
export function vrrpScripts(config: Config): AuditedScript[] {
  const tracked = trackedNames(config, 'trackScripts');
  const notify = [...config.instances, ...config.syncGroups].flatMap((owner) =>
    Object.values(owner.notify).filter((command) => command !== undefined),
  );
  return [
    ...config.scripts
      .filter((s) => tracked.has(s.name))
      .map((s) => (s.user ? { command: s.script, runAs: s.user } : { command: s.script })),
    ...notify.map((command) => ({ command })),
  ];
}
