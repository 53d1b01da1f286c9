import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The lab runs compiled from dist/lab/, so the repository root is found by walking up to the
// directory that holds package.json rather than by a fixed number of '..'.

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const example = (...parts: string[]): string => path.join(repoRoot, 'examples', ...parts);
