/**
 * The names of /etc/iproute2's rt_tables, rt_protos, rt_scopes, rt_realms and rt_dsfield as
 * keepalived 2.2.7 reads them (lib/rttables.c): a line is exactly two words, a number (C's
 * bases, at most the kind's maximum) and a name, else it is skipped; there is no comment
 * syntax, a `#` line is skipped for not starting with a number. Built-in names fill in the ids
 * a file does not name (and all of them when it is absent). A word that is a number is that
 * number; a name is looked up in file order. Unlike `ip`, keepalived reads no rt_tables.d.
 * Pure: the file text comes from a reader.
 */
import { cUnsigned } from './keywords/route-values.js';

export type NameKind = 'table' | 'protocol' | 'scope' | 'realm' | 'dsfield';

interface NameEntry {
  id: number;
  name: string;
}

interface NameFile {
  path: string;
  max: number;
  defaults: readonly NameEntry[];
}

const entries = (pairs: Record<string, number>): NameEntry[] =>
  Object.entries(pairs).map(([name, id]) => ({ id, name }));

export const NAME_FILES: Readonly<Record<NameKind, NameFile>> = {
  table: {
    path: '/etc/iproute2/rt_tables',
    max: 0xffff_ffff,
    defaults: entries({ default: 253, main: 254, local: 255 }),
  },
  protocol: {
    path: '/etc/iproute2/rt_protos',
    max: 255,
    // keepalived's own list: no `keepalived`, `bgp`, ... unless rt_protos names them.
    defaults: entries({
      none: 0,
      redirect: 1,
      kernel: 2,
      boot: 3,
      static: 4,
      gated: 8,
      ra: 9,
      mrt: 10,
      zebra: 11,
      bird: 12,
      babel: 42,
      dnrouted: 13,
      xorp: 14,
      ntk: 15,
      dhcp: 16,
    }),
  },
  scope: {
    path: '/etc/iproute2/rt_scopes',
    max: 255,
    defaults: entries({ global: 0, nowhere: 255, host: 254, link: 253, site: 200 }),
  },
  realm: { path: '/etc/iproute2/rt_realms', max: 255, defaults: [] },
  dsfield: { path: '/etc/iproute2/rt_dsfield', max: 255, defaults: [] },
};

/** keepalived reads these files with a 128-byte buffer: a longer line is read as several. */
const READ_CHUNK = 127;

/** The words of a line as keepalived splits them: by white space, `"..."` one word without its quotes. */
function words(line: string): string[] {
  const found: string[] = [];
  let rest = line;
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    if (rest === '') return found;
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      if (end < 0) return found; // an unmatched quote ends the line
      found.push(rest.slice(1, end));
      rest = rest.slice(end + 1);
    } else {
      const word = /^[^\s"]+/.exec(rest)![0];
      found.push(word);
      rest = rest.slice(word.length);
    }
  }
}

/** The entries of one file's text, in file order. */
export function parseNameFile(text: string, max: number): NameEntry[] {
  const lines = text.split(/(?<=\n)/).flatMap((line) => line.match(new RegExp(`[^]{1,${READ_CHUNK}}`, 'g')) ?? []);
  return lines.flatMap((line) => {
    const parts = words(line);
    if (parts.length !== 2) return [];
    const id = cUnsigned(parts[0]!);
    return id === undefined || id > max ? [] : [{ id, name: parts[1]! }];
  });
}

/** The file's entries, then the built-in ones whose ids it does not name. */
export function withDefaults(found: readonly NameEntry[], defaults: readonly NameEntry[]): NameEntry[] {
  return [...found, ...defaults.filter((d) => !found.some((e) => e.id === d.id))];
}

/** A file's text, or undefined when it cannot be read (keepalived then has only its built-in names). */
export type NameFileReader = (path: string) => string | undefined;

/** Names resolved as keepalived resolves them; each file is read once, when a name is first looked up. */
export class RouteNames {
  readonly #lists = new Map<NameKind, NameEntry[]>();

  constructor(private readonly read: NameFileReader) {}

  /** The number `word` stands for, or undefined when it is neither a number up to the maximum nor a name. */
  lookup(kind: NameKind, word: string): number | undefined {
    const { max } = NAME_FILES[kind];
    const number = cUnsigned(word);
    if (number !== undefined) return number <= max ? number : undefined;
    return this.#list(kind).find((e) => e.name === word)?.id;
  }

  /** The names known for `kind`, for a hint. */
  names(kind: NameKind): string[] {
    return this.#list(kind).map((e) => e.name);
  }

  #list(kind: NameKind): NameEntry[] {
    let list = this.#lists.get(kind);
    if (!list) {
      const { path, max, defaults } = NAME_FILES[kind];
      const text = this.read(path);
      list = withDefaults(text === undefined ? [] : parseNameFile(text, max), defaults);
      this.#lists.set(kind, list);
    }
    return list;
  }
}
