// `?`: every key and what it does, in place of the panels until the next key.
import type { ExtraKey } from './extra-key.js';
import { fit } from './format.js';
import { KEYS } from './keys.js';
import { Line } from './line.js';

export function Help({ extraKeys, lines }: { extraKeys: readonly ExtraKey[]; lines: number }) {
  const rows = [...KEYS, ...extraKeys.map((k): [string, string] => [k.key, k.label])];
  const shown = rows.slice(0, Math.max(0, lines - 1));
  return (
    <>
      <Line bold>{'  KEYS (any key closes this help)'}</Line>
      {shown.map(([key, what]) => (
        <Line key={key}>{`  ${fit(key, 11)} ${what}`}</Line>
      ))}
    </>
  );
}

/** Lines the help takes with room for all. */
export const helpLines = (extraKeys: readonly ExtraKey[]) => 1 + KEYS.length + extraKeys.length;
