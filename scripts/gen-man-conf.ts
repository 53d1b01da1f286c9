// vigil.conf(5): what vigil reads of keepalived.conf. The keyword lists come from the parser's
// own tables (src/config/keywords), so they are what vigil accepts; docs/keepalived-compat.md
// has each keyword's notes and the reasons for the ones accepted without effect.

import { IGNORED } from '../src/config/keywords/ignored.js';
import type { BlockTable } from '../src/config/keywords/table.js';
import { ALL_TABLES, NOT_IMPLEMENTED } from '../src/config/keywords.js';
import { bold, header, paragraphs, roff, section, tagged } from './gen-roff.js';

const DESCRIPTION = `vigild(8) reads keepalived's configuration language, as of keepalived 2.2.7, from the file its --config names (default /etc/keepalived/keepalived.conf): the same blocks and keywords, include directives, and the \`@ID\` / \`@^ID\` line prefixes selected by --config-id. An existing keepalived.conf runs unchanged. The syntax is keepalived.conf(5)'s; this page says what vigil does with it.

Every keyword keepalived accepts is one of three things in vigil: implemented (it does what it does in keepalived); accepted without effect (it tunes something vigil does not have: keepalived's separate processes, their scheduling, its own sockets and files, so it changes neither VRRP nor LVS); or not implemented yet (the file still loads, with a warning at the line, because ignoring it changes what the router does).`;

const CHECKING = `\`vigil check --config FILE\` validates a file as keepalived -t does and shows which of the three applies to each keyword it uses: every problem is printed as file:line:col: severity: message, with "did you mean" for misspelled keywords. vigild validates the file the same way at start and on every reload; an invalid file is refused as a whole, and on a reload the running configuration stays.`;

const ADDED = `Keywords of vigil's own, which keepalived does not have, start with vigil_ so that they never collide with one keepalived adds later; keepalived itself refuses them, so a file that uses them is for vigil only. Besides them, vigil adds nothing to the file's syntax. What it adds is around the file: validation before anything is applied (at start, on SIGHUP and \`vigil reload\`); corrections keepalived makes silently (a virtual_server without protocol, a repeated real server, an unreachable quorum) made the same way but with a warning at the line; and state that outlives the process in vigild's --state-dir (the addresses and IPVS entries it added, and operator settings such as maintenance and drains), which the file does not describe.`;

/** vigil's own keywords: the vigil_ ones, in whichever blocks take them. */
function ownKeywords(): string {
  const own = ALL_TABLES.flatMap((table) =>
    canonicalNames(table)
      .filter((name) => name.startsWith('vigil_'))
      .map((name) => `${name} (${table.name})`),
  );
  return `.PP\nvigil's own keywords: ${roff(own.length ? own.join(', ') : 'none yet')}.`;
}

const COMPAT = `docs/keepalived-compat.md in vigil's source has every keyword with its notes: how each implemented keyword behaves where vigil and keepalived could differ, and why each accepted one has no effect.`;

const canonicalNames = (table: BlockTable<never>): string[] =>
  [...new Set([...table.lookup.values()].map((spec) => spec.name))].sort();

const ignoredIn = (block: string): Set<string> =>
  new Set(block in IGNORED ? Object.values(IGNORED[block as keyof typeof IGNORED]).flat() : []);

function blockEntry(table: BlockTable<never>): string {
  const ignored = ignoredIn(table.name);
  const names = canonicalNames(table);
  const missing = NOT_IMPLEMENTED.filter((entry) => entry.values === undefined && entry.blocks.includes(table.name))
    .map((entry) => entry.keyword)
    .sort();
  const list = (title: string, words: readonly string[]) =>
    words.length ? `.PP\n${title}: ${roff(words.join(', '))}.` : '';
  return [
    `.SS ${bold(table.name)}`,
    list(
      'Implemented',
      names.filter((name) => !ignored.has(name)),
    ),
    list('Accepted without effect', [...ignored].sort()),
    list('Not implemented yet (a warning)', missing),
  ]
    .filter(Boolean)
    .join('\n');
}

export function confPage(version: string): string {
  return [
    header('vigil.conf', 5, version, 'vigil manual'),
    section('NAME', 'vigil.conf \\- keepalived.conf as vigil reads it'),
    section('DESCRIPTION', paragraphs(DESCRIPTION)),
    section('CHECKING A FILE', paragraphs(CHECKING)),
    section('WHAT VIGIL ADDS', `${paragraphs(ADDED)}\n${ownKeywords()}`),
    section('KEYWORDS', ALL_TABLES.map(blockEntry).join('\n')),
    section('COMPATIBILITY NOTES', paragraphs(COMPAT)),
    section('FILES', tagged(bold('/etc/keepalived/keepalived.conf'), roff('the default configuration file.'))),
    section('SEE ALSO', roff('vigild(8), vigil(1), keepalived.conf(5), keepalived(8)')),
  ]
    .join('\n')
    .concat('\n');
}
