import { readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import type { SourceReader } from './source-reader.js';

/** Any failure (missing, not a directory, no permission) means "nothing usable there". */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The default SourceReader: the local file system, read synchronously. */
export const fsReader: SourceReader = {
  readFile(path) {
    return readFileSync(path, 'utf8');
  },
  listDir(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  exists(path) {
    return statOrUndefined(path) !== undefined;
  },
  isFile(path) {
    return statOrUndefined(path)?.isFile() ?? false;
  },
};
