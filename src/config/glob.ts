import path from 'node:path';
import type { SourceReader } from './source-reader.js';

const MAGIC = /[*?[]/;

export function hasGlobMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/**
 * Translates one path component of a shell glob (`*`, `?`, `[abc]`, `[a-z]`, `[!x]`/`[^x]`)
 * into an anchored regular expression. An unterminated `[` is taken literally, as sh does.
 */
export function globComponentToRegExp(component: string): RegExp {
  let out = '';
  for (let i = 0; i < component.length; i++) {
    const c = component[i]!;
    if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
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
      out += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

/**
 * Expands `pattern` against the reader's file tree. Relative patterns are taken relative to
 * `baseDir`; any component may hold wildcards. As with sh, wildcards do not match a leading
 * dot. Returns the matching regular files in byte-wise sorted order.
 */
export function expandGlob(pattern: string, baseDir: string, reader: SourceReader): string[] {
  const full = path.isAbsolute(pattern) ? path.normalize(pattern) : path.join(baseDir, pattern);
  const root = path.isAbsolute(full) ? path.parse(full).root : '';
  const components = full
    .slice(root.length)
    .split(path.sep)
    .filter((c) => c !== '');

  let candidates = [root];
  for (const component of components) {
    if (!hasGlobMagic(component)) {
      candidates = candidates.map((dir) => (dir === '' ? component : path.join(dir, component)));
      continue;
    }
    const re = globComponentToRegExp(component);
    const next: string[] = [];
    for (const dir of candidates) {
      for (const name of reader.listDir(dir === '' ? '.' : dir)) {
        if (name.startsWith('.') && !component.startsWith('.')) continue;
        if (re.test(name)) next.push(dir === '' ? name : path.join(dir, name));
      }
    }
    candidates = next;
  }
  return candidates.filter((p) => reader.isFile(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
