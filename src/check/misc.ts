// MISC_CHECK: a real server passes when its script exits 0. With misc_dynamic the exit code
// also carries a weight: 1 fails, 2..255 pass with weight code − 2, and 0 passes leaving the
// configured weight in place.
import { describeResult, type Preparation, type ScriptLauncher, type ScriptResult } from '../scripts/launcher.js';
import type { CheckOutcome } from './verdict.js';

export interface MiscRunOptions {
  /** misc_timeout: the script is killed, and the check fails, after this long. */
  timeoutMs: number;
  /** misc_dynamic. */
  dynamic: boolean;
}

/**
 * Runs a prepared check script once; never rejects. `preparation` is the launcher's verdict on
 * the script, made once per checker by the caller: a script it refused fails every check, for
 * the reason it gave.
 */
export async function probeMisc(
  launcher: ScriptLauncher,
  preparation: Preparation,
  options: MiscRunOptions,
): Promise<CheckOutcome> {
  if (!preparation.ok) return { ok: false, latencyMs: 0, reason: preparation.reason };
  const started = performance.now();
  const result = await launcher.run(preparation.script, { timeoutMs: options.timeoutMs });
  return miscOutcome(result, options.dynamic, performance.now() - started);
}

function miscOutcome(result: ScriptResult, dynamic: boolean, latencyMs: number): CheckOutcome {
  if (result.success) return { ok: true, latencyMs };
  // Exit 1 (and timeouts and kills, which leave no exit code) fail even with misc_dynamic.
  if (dynamic && result.exitCode !== undefined && result.exitCode >= 2)
    return { ok: true, latencyMs, weight: result.exitCode - 2 };
  return { ok: false, latencyMs, reason: describeResult(result) };
}
