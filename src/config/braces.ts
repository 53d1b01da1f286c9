/**
 * csh-style brace expansion as glob(3) does it with GLOB_BRACE, which keepalived 2.2.7 passes
 * for its includes: `{a,b}` is `a` then `b`, braces nest (`{x/{,c},d}`), `{a}` is `a`, and a
 * backslash makes the next `{`, `,` or `}` an ordinary character. A `{` without its `}` is
 * read as written.
 */

/** Index of the `}` closing the `{` at `open`, and the top-level commas between; undefined if unclosed. */
function braceAt(pattern: string, open: number): { close: number; commas: number[] } | undefined {
  const commas: number[] = [];
  let depth = 0;
  for (let i = open + 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && depth-- === 0) return { close: i, commas };
    else if (c === ',' && depth === 0) commas.push(i);
  }
  return undefined;
}

function firstOpenBrace(pattern: string): number {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{') return i;
  }
  return -1;
}

/** The patterns `pattern` stands for, in the order glob(3) reads them. */
export function expandBraces(pattern: string): string[] {
  const open = firstOpenBrace(pattern);
  const brace = open === -1 ? undefined : braceAt(pattern, open);
  if (!brace) return [pattern];
  const bounds = [open, ...brace.commas, brace.close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const alternative = pattern.slice(bounds[k]! + 1, bounds[k + 1]);
    out.push(...expandBraces(pattern.slice(0, open) + alternative + pattern.slice(brace.close + 1)));
  }
  return out;
}

/** keepalived's own test for a brace in an include (its `includeb` check keys on it). */
export function hasBrace(pattern: string): boolean {
  return firstOpenBrace(pattern) !== -1;
}
