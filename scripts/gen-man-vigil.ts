// vigil(1): the commands and their flags from oclif.manifest.json, so the page lists exactly
// what the CLI accepts; the prose around them (exit status, environment, files) is written here.
import {
  exampleText,
  flagValueName,
  type Manifest,
  type ManifestArg,
  type ManifestCommand,
  type ManifestFlag,
  visibleCommands,
  visibleFlags,
} from './gen-manifest.js';
import { bold, header, italic, paragraphs, roff, section, tagged, verbatim } from './gen-roff.js';

const DESCRIPTION = `vigil is the operator's command line for vigild(8), the daemon that runs VRRP failover, programs IPVS and checks real servers, configured with keepalived.conf (see vigil.conf(5)). Each command is one request to vigild's control API over its unix socket: what the terminal shows and what --json prints are the same answer.

Reads (status, check) work for any user who can reach the socket; when the control socket refuses them for lack of permission they are retried on the read-only socket beside it (NAME-ro.sock). Changes need root or the control socket's group.

\`vigil --help\` lists the commands and \`vigil COMMAND --help\` shows one command's flags and examples.`;

const EXIT_STATUS: readonly (readonly [string, string])[] = [
  ['0', 'done: the daemon answered and did what was asked (a --watch ended by Ctrl-C, too)'],
  [
    '1',
    'refused or failed: the daemon understood the request but its state forbids it now, a config is invalid, or a check is down',
  ],
  ['2', 'usage: unknown command, bad flags or arguments, or a target the daemon does not know'],
  ['3', 'daemon unreachable: nothing answered on the socket (not running, wrong --socket, or no permission)'],
  ['4', 'timed out: a --wait or --timeout ran out before the daemon reported the outcome'],
];

const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['VIGIL_SOCKET', "vigild's control socket, for every command's --socket (default /run/vigil/vigil.sock)."],
];

const FILES: readonly (readonly [string, string])[] = [
  ['/run/vigil/vigil.sock', "vigild's control socket (its --socket)."],
  ['/run/vigil/vigil-ro.sock', 'the read-only socket beside it: status and checks only.'],
  ['/etc/keepalived/keepalived.conf', 'the configuration vigild reads and `vigil check --config` validates.'],
];

const SEE_ALSO = 'vigild(8), vigil.conf(5), keepalived(8), keepalived.conf(5), ipvsadm(8), systemctl(1)';

const argSynopsis = (arg: ManifestArg): string => {
  const name = arg.options ? arg.options.join('|') : arg.name.toUpperCase();
  return arg.required ? name : `[${name}]`;
};

const flagNames = (flag: ManifestFlag): string =>
  [flag.char && `-${flag.char}`, `--${flag.name}`].filter(Boolean).join(', ');

function flagEntry(flag: ManifestFlag): string {
  const value = flagValueName(flag);
  const tag = `${bold(flagNames(flag))}${value ? ` ${italic(value)}` : ''}`;
  const notes = [
    flag.default !== undefined && flag.default !== false && `default: ${String(flag.default)}`,
    flag.env && `environment: ${flag.env}`,
  ].filter(Boolean);
  return tagged(tag, roff(`${flag.description ?? ''}${notes.length ? ` (${notes.join('; ')})` : ''}`));
}

function commandEntry(command: ManifestCommand): string {
  const args = Object.values(command.args);
  const synopsis = ['vigil', command.id, ...args.map(argSynopsis), '[flags]'].join(' ');
  return [
    `.SS ${bold(synopsis)}`,
    roff(command.summary ?? ''),
    command.description ? paragraphs(command.description) : '',
    ...args.map((arg) => tagged(italic(arg.name.toUpperCase()), roff(arg.description ?? ''))),
    ...visibleFlags(command).map(flagEntry),
    command.examples?.length ? `.PP\nExamples:\n${verbatim(command.examples.map(exampleText))}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

const definitions = (rows: readonly (readonly [string, string])[]): string =>
  rows.map(([term, text]) => tagged(bold(term), roff(text))).join('\n');

export function vigilPage(manifest: Manifest): string {
  const commands = visibleCommands(manifest);
  return [
    header('vigil', 1, manifest.version, 'vigil manual'),
    section('NAME', 'vigil \\- control vigild: VRRP failover, IPVS and health checks'),
    section(
      'SYNOPSIS',
      `${bold('vigil')} ${italic('COMMAND')} [${italic('ARGS')}] [${italic('FLAGS')}]\n.br\n${bold('vigil')} [${italic('COMMAND')}] ${bold('--help')}\n.br\n${bold('vigil --version')}`,
    ),
    section('DESCRIPTION', paragraphs(DESCRIPTION)),
    section('COMMANDS', commands.map(commandEntry).join('\n')),
    section('EXIT STATUS', definitions(EXIT_STATUS)),
    section('ENVIRONMENT', definitions(ENVIRONMENT)),
    section('FILES', definitions(FILES)),
    section('SEE ALSO', roff(SEE_ALSO)),
  ]
    .join('\n')
    .concat('\n');
}
