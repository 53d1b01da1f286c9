// Where and how keepalived writes its dumps: in $TMPDIR (when absolute) or /tmp, by a fresh file
// renamed over the old one, so that a reader never sees half a dump and a symlink planted at the
// path is replaced rather than followed; mode 0666 less the umask (0177: 0600).
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { DumpKind } from '../signals.js';

/** keepalived's default umask for the files it writes. */
export const DEFAULT_DUMP_UMASK = 0o177;

export type DumpFile = Exclude<DumpKind, 'stats-clear'>;

const FILE_NAMES: Record<DumpFile, string> = {
  data: 'keepalived.data',
  stats: 'keepalived.stats',
  json: 'keepalived.json',
};

/** keepalived's directory: TMPDIR if it is an absolute path, else /tmp. */
export function dumpDirectory(env: NodeJS.ProcessEnv): string {
  const dir = env.TMPDIR;
  return dir?.startsWith('/') ? dir : '/tmp';
}

export const dumpPath = (dir: string, file: DumpFile): string => path.join(dir, FILE_NAMES[file]);

/** Writes `text` to `file` at once for every reader: a new file beside it, then a rename. */
export async function writeAtomically(file: string, text: string, umask: number): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(temporary, flags, 0o600);
  try {
    await handle.writeFile(text);
    // chmod, not open's mode: the process umask must not decide what readers may see.
    await handle.chmod(0o666 & ~umask);
  } catch (err) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(temporary, file).catch(async (err: unknown) => {
    await unlink(temporary).catch(() => undefined);
    throw err;
  });
}
