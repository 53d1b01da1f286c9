import path from 'node:path';
import { expandBraces } from './braces.js';
import type { SourceReader } from './source-reader.js';

/** A backslash counts: glob(3) then reads the directory to match the name, as for a wildcard. */
const MAGIC = /[*?[\\]/;

export function hasGlobMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

const literal = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Translates one path component of a shell glob (`*`, `?`, `[abc]`, `[a-z]`, `[!x]`/`[^x]`,
 * `\x` for a literal x) into an anchored regular expression. An unterminated `[` is taken
 * literally, as sh does.
 */
export function globComponentToRegExp(component: string): RegExp {
  let out = '';
  for (let i = 0; i < component.length; i++) {
    const c = component[i]!;
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '\\' && i + 1 < component.length) {
      out += literal(component[++i]!);
    } else if (c === '[') {
      const close = component.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = component.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else {
      out += literal(c);
    }
  }
  return new RegExp(`^${out}$`);
}

export interface GlobResult {
  /** Every entry matched, files or not, each brace alternative's sorted byte-wise, in alternative order. */
  matches: string[];
  /** A name looked up was not there, or a directory to match in could not be read. */
  missing: boolean;
  /** Some component had to be matched against a directory's entries. */
  wildcard: boolean;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The entries matching one brace-free pattern; `found` is told what was missing or scanned. */
function expandOne(pattern: string, baseDir: string, reader: SourceReader, found: GlobResult): string[] {
  const full = path.isAbsolute(pattern) ? path.normalize(pattern) : path.join(baseDir, pattern);
  const root = path.isAbsolute(full) ? path.parse(full).root : '';
  const components = full
    .slice(root.length)
    .split(path.sep)
    .filter((c) => c !== '');
  const join = (dir: string, name: string): string => (dir === '' ? name : path.join(dir, name));

  let candidates = [root];
  let scanned = false;
  components.forEach((component, index) => {
    const last = index === components.length - 1;
    if (!hasGlobMagic(component)) {
      candidates = candidates.map((dir) => join(dir, component));
      // glob(3) looks a name up when it ends the pattern or follows a matched directory.
      if (last || scanned) {
        const present = candidates.filter((p) => reader.exists(p));
        if (present.length < candidates.length) found.missing = true;
        candidates = present;
      }
      return;
    }
    const re = globComponentToRegExp(component);
    const next: string[] = [];
    for (const dir of candidates) {
      const names = reader.listDir(dir === '' ? '.' : dir);
      if (!names) found.missing = true;
      for (const name of names ?? []) {
        // As in sh, a wildcard does not match a leading dot.
        if (name.startsWith('.') && !component.startsWith('.')) continue;
        if (re.test(name)) next.push(join(dir, name));
      }
    }
    candidates = last ? next : next.filter((p) => reader.kind(p) === 'directory');
    scanned = found.wildcard = true;
  });
  return candidates.sort(byteOrder);
}

/**
 * Expands `pattern` as glob(3) does for keepalived 2.2.7 (GLOB_BRACE, no tilde expansion):
 * relative patterns are taken relative to `baseDir`, any component may hold wildcards, and
 * wildcards do not match a leading dot.
 */
export function expandGlob(pattern: string, baseDir: string, reader: SourceReader): GlobResult {
  const found: GlobResult = { matches: [], missing: false, wildcard: false };
  for (const one of expandBraces(pattern)) found.matches.push(...expandOne(one, baseDir, reader, found));
  return found;
}
