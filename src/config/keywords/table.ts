import { type DiagnosticSink, formatPos, type SourcePos } from '../diagnostics.js';
import type { RouteNames } from '../iproute2-names.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import { closestMatch } from '../suggest.js';
import { findNotImplemented, NOT_IMPLEMENTED, notImplementedMessage } from './not-implemented.js';

/** Remembers which statement set each keyword on each built object, for later validation. */
export class Sites {
  /** Key under which the statement that defined a named object (`vrrp_instance X`) is noted. */
  static readonly DEFINITION = '(definition)';

  private readonly byObject = new WeakMap<object, Map<string, Statement>>();

  note(target: object, keyword: string, stmt: Statement): void {
    let map = this.byObject.get(target);
    if (!map) {
      map = new Map();
      this.byObject.set(target, map);
    }
    map.set(keyword, stmt);
  }

  get(target: object, keyword: string): Statement | undefined {
    return this.byObject.get(target)?.get(keyword);
  }

  has(target: object, keyword: string): boolean {
    return this.get(target, keyword) !== undefined;
  }
}

export class BuildContext {
  constructor(
    readonly sink: DiagnosticSink,
    readonly sites: Sites,
    /** keyword → the blocks where it is valid, for "belongs in" hints. */
    private readonly homes: ReadonlyMap<string, readonly string[]>,
    /** The names of /etc/iproute2, for route and rule lines. */
    readonly names: RouteNames,
  ) {}

  error(pos: SourcePos, message: string): void {
    this.sink.error(pos, message);
  }

  warning(pos: SourcePos, message: string): void {
    this.sink.warning(pos, message);
  }

  homesOf(keyword: string): readonly string[] {
    return this.homes.get(keyword) ?? [];
  }
}

export interface KeywordSpec<T> {
  /** The canonical keepalived keyword. */
  name: string;
  aliases?: readonly string[];
  /** Allowed number of arguments, inclusive. */
  args: readonly [min: number, max: number];
  /** Whether the statement must open a `{ ... }` block; unset means it must not. */
  block?: boolean | 'optional';
  /** May appear several times, each adding something (`real_server`, `url`); else last one wins. */
  repeatable?: boolean;
  apply(target: T, stmt: Statement, ctx: BuildContext): void;
}

export interface BlockTable<T> {
  /** As users know the block: `vrrp_instance`, `HTTP_GET`, ... (`top level` for the file). */
  name: string;
  /** Every accepted word (canonical names and aliases) → its spec. */
  lookup: ReadonlyMap<string, KeywordSpec<T>>;
}

export function defineBlock<T>(name: string, keywords: readonly KeywordSpec<T>[]): BlockTable<T> {
  const lookup = new Map<string, KeywordSpec<T>>();
  for (const spec of keywords) {
    for (const word of [spec.name, ...(spec.aliases ?? [])]) lookup.set(word, spec);
  }
  return { name, lookup };
}

/** Maps every keyword (implemented or not) to the blocks where it is valid. */
export function collectHomes(tables: readonly BlockTable<never>[]): Map<string, string[]> {
  const homes = new Map<string, string[]>();
  const add = (keyword: string, block: string): void => {
    const list = homes.get(keyword) ?? [];
    if (!list.includes(block)) list.push(block);
    homes.set(keyword, list);
  };
  for (const table of tables) for (const word of table.lookup.keys()) add(word, table.name);
  for (const entry of NOT_IMPLEMENTED) {
    if (entry.values === undefined) for (const block of entry.blocks) add(entry.keyword, block);
  }
  return homes;
}

const MANY = Number.POSITIVE_INFINITY;
export const ARGS = {
  none: [0, 0],
  one: [1, 1],
  optional: [0, 1],
  atLeastOne: [1, MANY],
  any: [0, MANY],
} as const satisfies Record<string, readonly [number, number]>;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * How many arguments count against the keyword's limit: words a quote split off the end of the
 * last one (`auth_pass ab"!"cd`) beyond it do not. keepalived ignores them and the lexer has
 * warned, so refusing the file would only make vigil stricter than keepalived here.
 */
function argCount(args: readonly Token[], max: number): number {
  let n = args.length;
  while (n > max && args[n - 1]!.gluedToPrevious) n--;
  return n;
}

function checkShape<T>(spec: KeywordSpec<T>, stmt: Statement, ctx: BuildContext): boolean {
  const [min, max] = spec.args;
  const kw = `\`${spec.name}\``;
  if (stmt.args.length < min) {
    const need = min === max ? `exactly ${plural(min, 'argument')}` : `at least ${plural(min, 'argument')}`;
    ctx.error(stmt.keyword.pos, min === 1 && max === 1 ? `${kw} needs a value` : `${kw} needs ${need}`);
    return false;
  }
  if (argCount(stmt.args, max) > max) {
    const extra = stmt.args[max]!;
    ctx.error(
      extra.pos,
      max === 0
        ? `${kw} takes no arguments (found \`${extra.text}\`)`
        : `unexpected argument \`${extra.text}\` after ${kw} (it takes at most ${plural(max, 'argument')})`,
    );
    return false;
  }
  if (spec.block === true && !stmt.block) {
    ctx.error(stmt.keyword.pos, `${kw} needs a \`{ ... }\` block`);
    return false;
  }
  if (spec.block === undefined && stmt.block) {
    ctx.error(stmt.keyword.pos, `${kw} does not take a \`{ ... }\` block`);
    return false;
  }
  return true;
}

const MAX_HOMES_SHOWN = 3;
const placeOf = (block: string): string => (block === 'top level' ? 'at top level' : `in \`${block}\``);

function reportUnknown<T>(table: BlockTable<T>, stmt: Statement, ctx: BuildContext): void {
  const word = stmt.keyword.text;
  if (findNotImplemented(table.name, word)) {
    ctx.warning(stmt.keyword.pos, notImplementedMessage(word));
    return;
  }
  const elsewhere = ctx.homesOf(word).filter((block) => block !== table.name);
  if (elsewhere.length > 0) {
    const shown = elsewhere.slice(0, MAX_HOMES_SHOWN).map(placeOf).join(' or ');
    const more = elsewhere.length > MAX_HOMES_SHOWN ? ` (and ${elsewhere.length - MAX_HOMES_SHOWN} more)` : '';
    ctx.error(stmt.keyword.pos, `\`${word}\` is not valid ${placeOf(table.name)}; it belongs ${shown}${more}`);
    return;
  }
  const candidates = [
    ...table.lookup.keys(),
    ...NOT_IMPLEMENTED.filter((e) => e.values === undefined && e.blocks.includes(table.name)).map((e) => e.keyword),
  ];
  const suggestion = closestMatch(word, candidates);
  ctx.error(
    stmt.keyword.pos,
    `unknown keyword \`${word}\` ${placeOf(table.name)}${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
  );
}

/** Interprets a block's statements against its keyword table, writing into `target`. */
export function applyBlock<T extends object>(
  table: BlockTable<T>,
  statements: readonly Statement[],
  target: T,
  ctx: BuildContext,
): void {
  for (const stmt of statements) {
    const spec = table.lookup.get(stmt.keyword.text);
    if (!spec) {
      reportUnknown(table, stmt, ctx);
      continue;
    }
    const previous = ctx.sites.get(target, spec.name);
    if (previous && !spec.repeatable) {
      ctx.warning(
        stmt.keyword.pos,
        `\`${spec.name}\` is already set at ${formatPos(previous.pos)}; this later one wins`,
      );
    }
    // Noted even when malformed, so later checks do not also call the keyword missing.
    ctx.sites.note(target, spec.name, stmt);
    if (checkShape(spec, stmt, ctx)) spec.apply(target, stmt, ctx);
  }
}

/** Reads one argument token into a typed value, reporting problems itself. */
export type ValueParser<V> = (tok: Token, ctx: BuildContext, keyword: string) => V | undefined;

/** `keyword VALUE` stored in `target[key]`. */
export function field<T, K extends keyof T>(
  name: string,
  key: K,
  parse: ValueParser<T[K]>,
  aliases?: readonly string[],
): KeywordSpec<T> {
  return {
    name,
    aliases,
    args: ARGS.one,
    apply(target, stmt, ctx) {
      const value = parse(stmt.args[0]!, ctx, name);
      if (value !== undefined) target[key] = value;
    },
  };
}

type BooleanKeys<T> = { [K in keyof T]-?: boolean extends T[K] ? K : never }[keyof T];

/** A bare keyword that switches something on. */
export function flag<T, K extends BooleanKeys<T>>(name: string, key: K): KeywordSpec<T> {
  return {
    name,
    args: ARGS.none,
    apply(target) {
      target[key] = true as T[K];
    },
  };
}

const BOOL_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['on', true],
  ['true', true],
  ['yes', true],
  ['off', false],
  ['false', false],
  ['no', false],
]);

const readBool: ValueParser<boolean> = (tok, ctx, keyword) => {
  const value = BOOL_WORDS.get(tok.text.toLowerCase());
  if (value === undefined)
    ctx.error(tok.pos, `\`${keyword}\` expects on/off, true/false or yes/no, got \`${tok.text}\``);
  return value;
};

/** `keyword [BOOL]`: on when the value is omitted, as keepalived reads it. */
export function toggle<T, K extends BooleanKeys<T>>(name: string, key: K): KeywordSpec<T> {
  return {
    name,
    args: ARGS.optional,
    apply(target, stmt, ctx) {
      const tok = stmt.args[0];
      const value = tok ? readBool(tok, ctx, name) : true;
      if (value !== undefined) target[key] = value as T[K];
    },
  };
}

/** A keyword whose value `apply` handles itself. */
export function custom<T>(name: string, shape: Omit<KeywordSpec<T>, 'name'>): KeywordSpec<T> {
  return { name, ...shape };
}

/** Statements of a list block (`virtual_ipaddress { ... }`) must be plain lines. */
export function listLines(stmt: Statement, ctx: BuildContext): Statement[] {
  const lines: Statement[] = [];
  for (const line of stmt.block ?? []) {
    if (line.block) {
      ctx.error(line.keyword.pos, `\`${stmt.keyword.text}\` entries cannot open a \`{ ... }\` block`);
    } else {
      lines.push(line);
    }
  }
  return lines;
}
