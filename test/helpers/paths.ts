import path from 'node:path';
import { repoRoot } from '../../lab/paths.js';

export const fixture = (...parts: string[]): string => path.join(repoRoot, 'test', 'fixtures', ...parts);
