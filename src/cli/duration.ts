// Durations on the command line: `300` (seconds), `90s`, `5m`, `1h30m`, `1.5s`, `250ms`.
import { CLIError } from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return undefined;
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNIT_MS[unit!]!, 0);
}

/** A flag taking a duration, parsed to milliseconds; a bad one is a usage error (exit 2). */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => {
    const ms = parseDuration(input);
    if (ms === undefined)
      throw new CLIError(`'${input}' is not a duration: give seconds, or e.g. 90s, 5m, 1h30m, 250ms`, { exit: 2 });
    return ms;
  },
});
