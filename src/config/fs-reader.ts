import { lstatSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import type { EntryKind, SourceReader } from './source-reader.js';

/** Any failure (missing, not a directory, no permission) means "nothing usable there". */
function orUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function kindOf(stats: Stats): EntryKind {
  if (stats.isDirectory()) return 'directory';
  if (!stats.isFile()) return 'other';
  return (stats.mode & 0o111) === 0 ? 'file' : 'executable';
}

/** The default SourceReader: the local file system, read synchronously. */
export const fsReader: SourceReader = {
  readFile(path) {
    return readFileSync(path, 'utf8');
  },
  listDir(path) {
    return orUndefined(() => readdirSync(path));
  },
  exists(path) {
    return orUndefined(() => lstatSync(path)) !== undefined;
  },
  kind(path) {
    const stats = orUndefined(() => statSync(path));
    return stats && kindOf(stats);
  },
};
