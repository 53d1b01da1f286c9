import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { SourceReader } from './source-reader.js';

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
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  },
  isFile(path) {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  },
};
