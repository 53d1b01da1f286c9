// `vigil status` and `vigil check` without oclif: booting oclif (its modules, then its config:
// package.json, the manifest, command lookup) was over half of what `vigil status` cost beyond
// a bare `node -e 0`. bin/vigil asks runLean first; it takes only argv it understands exactly
// as oclif does (the command, then --json, --socket PATH, --socket=PATH or -s PATH, each at most
// once) and leaves everything else, --help and every error included, to oclif.
import { format } from 'node:util';
import { DEFAULT_SOCKET } from '../api/endpoints.js';
import { type DaemonFlags, requestAndPrint } from './daemon-request.js';
import { checkListCommand, type HotCommand, statusCommand } from './hot-commands.js';

const LEAN_COMMANDS = new Map<string, HotCommand<never>>([
  ['status', statusCommand as HotCommand<never>],
  ['check', checkListCommand as HotCommand<never>],
]);

const SOCKET_FLAGS = new Set(['--socket', '-s']);

/** The flags oclif would parse from `args`, or undefined for anything it might read otherwise. */
export function leanFlags(args: readonly string[], env: NodeJS.ProcessEnv): DaemonFlags | undefined {
  let socket: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json' && !json) {
      json = true;
      continue;
    }
    const value = arg.startsWith('--socket=')
      ? arg.slice('--socket='.length)
      : SOCKET_FLAGS.has(arg)
        ? args[++i]
        : undefined;
    if (value === undefined || value === '' || value.startsWith('-') || socket !== undefined) return undefined;
    socket = value;
  }
  // oclif takes an env flag's value when the variable is set and not empty.
  return { socket: socket ?? (env.VIGIL_SOCKET || DEFAULT_SOCKET), json };
}

/** Runs argv's command when it is one of the lean ones, in a form they take; else undefined. */
export function runLean(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> | undefined {
  const [id, ...rest] = argv;
  const command = id === undefined ? undefined : LEAN_COMMANDS.get(id);
  const flags = command && leanFlags(rest, env);
  if (!command || !flags) return undefined;
  // oclif's Command.log: util.format of the text, then console.log.
  return requestAndPrint((text) => console.log(format(text)), flags, command.request, command.render);
}
