// `npm run gen`: writes the man pages (man/) and the shell completions (completions/) from the
// command definitions: oclif.manifest.json for vigil, src/daemon/flags.ts for vigild, the
// config parser's keyword tables for vigil.conf(5). test/unit/docs/generated.test.ts fails
// when the committed files differ from what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bashCompletion, fishCompletion, zshCompletion } from './gen-completions.js';
import { confPage } from './gen-man-conf.js';
import { vigilPage } from './gen-man-vigil.js';
import { vigildPage } from './gen-man-vigild.js';
import { readManifest } from './gen-manifest.js';

/** The package root; compiled, this file is dist/scripts/gen-docs.js. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every generated file, by its path from the package root, with its text. */
export function generatedFiles(root: string = packageRoot): Map<string, string> {
  const manifest = readManifest(root);
  return new Map([
    ['man/vigil.1', vigilPage(manifest)],
    ['man/vigild.8', vigildPage(manifest.version)],
    ['man/vigil.conf.5', confPage(manifest.version)],
    ['completions/vigil.bash', bashCompletion(manifest)],
    ['completions/_vigil', zshCompletion(manifest)],
    ['completions/vigil.fish', fishCompletion(manifest)],
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of generatedFiles()) {
    const target = path.join(packageRoot, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`${file}: ${text.length} bytes`);
  }
}
