// JSON files in vigild's state dir: what it owns must survive a crash, so every write replaces
// the file atomically (temp file + rename), and a missing file reads as the fallback.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export function readStateFile<T>(file: string, fallback: T, isValid: (value: unknown) => value is T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  if (!isValid(parsed)) throw new Error(`${file} is not what vigild wrote there; move it away to start afresh`);
  return parsed;
}

export function writeStateFile(file: string, value: unknown): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o640 });
  renameSync(temp, file);
}
