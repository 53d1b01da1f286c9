// startup_script and shutdown_script (global_defs), as keepalived runs them: once, waited for
// up to their timeout, then SIGTERM and SIGKILL a little later; a failure is logged and vigild
// goes on starting or stopping all the same.
import type { GlobalDefs } from '../config/index.js';
import { describeResult, type ScriptLauncher } from '../scripts/launcher.js';
import type { Logger } from './logger.js';

/** How long a script that overran its time has between SIGTERM and SIGKILL: keepalived's 2 s. */
const TERM_GRACE_MS = 2000;

export type LifecycleMoment = 'startup' | 'shutdown';

/** keepalived's start-up warning for these two, apart from the one for VRRP's scripts. */
export function warnLifecycleScriptSecurity(global: GlobalDefs, log: Logger): void {
  if ((global.startupScript || global.shutdownScript) && !global.enableScriptSecurity)
    log.warn(
      'SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled. ' +
        'Set enable_script_security in global_defs to refuse scripts that others could change',
    );
}

export async function runLifecycleScript(
  moment: LifecycleMoment,
  global: GlobalDefs,
  launcher: ScriptLauncher,
  log: Logger,
): Promise<void> {
  const script = moment === 'startup' ? global.startupScript : global.shutdownScript;
  if (!script) return;
  const keyword = `${moment}_script`;
  const timeoutS = moment === 'startup' ? global.startupScriptTimeout : global.shutdownScriptTimeout;
  const preparation = await launcher.prepare(script.command, script.runAs);
  if (!preparation.ok) {
    log.warn(`${keyword}: not run: ${preparation.reason}`);
    return;
  }
  if (preparation.script.insecure) log.warn(`${keyword}: ${preparation.script.insecure}`);
  log.info(`${keyword}: running ${script.command.join(' ')}, for ${timeoutS} s at most`);
  const result = await launcher.run(preparation.script, { timeoutMs: timeoutS * 1000, termGraceMs: TERM_GRACE_MS });
  if (result.success) log.info(`${keyword}: ${result.detail}`);
  else log.warn(`${keyword} failed: ${describeResult(result)}`);
}
