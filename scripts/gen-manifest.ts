// The part of oclif.manifest.json (written by scripts/manifest.js at build) that the man page
// and completion generators read.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ManifestFlag {
  name: string;
  char?: string;
  description?: string;
  type: 'boolean' | 'option';
  default?: unknown;
  env?: string;
  options?: string[];
  helpValue?: string;
  hidden?: boolean;
}

export interface ManifestArg {
  name: string;
  description?: string;
  required?: boolean;
  options?: string[];
}

export interface ManifestCommand {
  id: string;
  summary?: string;
  description?: string;
  examples?: string[];
  hidden?: boolean;
  flags: Record<string, ManifestFlag>;
  args: Record<string, ManifestArg>;
}

export interface Manifest {
  version: string;
  commands: Record<string, ManifestCommand>;
}

export function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as Manifest;
}

/** The commands a user sees, by name. */
export const visibleCommands = (manifest: Manifest): ManifestCommand[] =>
  Object.values(manifest.commands)
    .filter((command) => !command.hidden)
    .sort((a, b) => a.id.localeCompare(b.id));

export const visibleFlags = (command: ManifestCommand): ManifestFlag[] =>
  Object.values(command.flags).filter((flag) => !flag.hidden);

/** What an option flag's value is called in synopses: its help value, its choices or its name. */
export function flagValueName(flag: ManifestFlag): string | undefined {
  if (flag.type !== 'option') return undefined;
  if (flag.options) return flag.options.join('|');
  return flag.helpValue ?? flag.name.toUpperCase();
}

/** Flags whose value is a path, for the shells' file completion. */
const PATH_FLAGS = new Set(['socket', 'config']);
export const takesPath = (flag: ManifestFlag): boolean => flag.type === 'option' && PATH_FLAGS.has(flag.name);

/** `<%= config.bin %>` in oclif's examples is the program's name. */
export const exampleText = (example: string): string => example.replaceAll('<%= config.bin %>', 'vigil');
