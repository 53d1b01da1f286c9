/** What a path is once symbolic links are followed; undefined when nothing usable is there. */
export type EntryKind = 'file' | 'executable' | 'directory' | 'other';

/**
 * The only way the config module touches files, so that it stays pure and tests can feed it
 * an in-memory tree. Paths are passed exactly as the loader built them (joined, not resolved).
 */
export interface SourceReader {
  /** The file's text; throws an Error whose message says why it could not be read. */
  readFile(path: string): string;
  /** Names of the entries of a directory; undefined when it is not a readable directory. */
  listDir(path: string): string[] | undefined;
  /** An entry is there, even a symbolic link to nothing (glob(3) counts it as a match). */
  exists(path: string): boolean;
  /** 'executable' is a regular file with any execute bit set, which keepalived will not include. */
  kind(path: string): EntryKind | undefined;
}

/**
 * A reader over a fixed set of files, keyed by path. Directories exist implicitly as the
 * parents of the files. Useful for tests and for checking configuration text held in memory.
 */
export function createMemoryReader(files: Readonly<Record<string, string>>): SourceReader {
  const normalize = (p: string): string => p.replace(/\/+$/, '') || '/';
  const paths = Object.keys(files);
  const isDir = (p: string): boolean => {
    const prefix = p === '/' ? '/' : `${p}/`;
    return paths.some((f) => f.startsWith(prefix));
  };
  const kind = (path: string): EntryKind | undefined => {
    const p = normalize(path);
    if (paths.includes(p)) return 'file';
    return isDir(p) ? 'directory' : undefined;
  };
  return {
    readFile(path) {
      const key = normalize(path);
      if (!Object.hasOwn(files, key)) throw new Error(`no such file: ${path}`);
      return files[key]!;
    },
    listDir(path) {
      const dir = normalize(path);
      if (kind(dir) !== 'directory') return undefined;
      const prefix = dir === '/' ? '/' : `${dir}/`;
      const names = new Set<string>();
      for (const f of paths) {
        if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]!);
      }
      return [...names];
    },
    exists(path) {
      return kind(path) !== undefined;
    },
    kind,
  };
}
