// Writes oclif.manifest.json from the compiled commands, so `vigil --help` and command dispatch
// read one JSON file instead of importing every command module (the `oclif manifest` command
// does the same, but its package pulls in a large release toolchain we do not need).

import { rmSync, writeFileSync } from 'node:fs';
import { Config } from '@oclif/core';

const root = new URL('..', import.meta.url).pathname;
const manifest = `${root}oclif.manifest.json`;
// A stale manifest would be read back instead of the commands: start from none.
rmSync(manifest, { force: true });
const config = await Config.load({ root });
const commands = Object.fromEntries(
  [...config.commands].sort((a, b) => a.id.localeCompare(b.id)).map((c) => [c.id, c]),
);
writeFileSync(manifest, `${JSON.stringify({ version: config.version, commands }, null, 2)}\n`);
console.log(`oclif.manifest.json: ${Object.keys(commands).length} commands`);
