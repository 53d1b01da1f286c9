/**
 * keepalived 2.2.7's `include` lines (lib/parser.c): how it finds one on a line and which
 * problems with the files it names stop keepalived rather than being logged and skipped.
 */
import path from 'node:path';
import { hasBrace } from './braces.js';
import { commentStart } from './comments.js';
import type { DiagnosticSink } from './diagnostics.js';
import { expandGlob } from './glob.js';
import type { Token } from './lexer.js';
import type { SourceReader } from './source-reader.js';

/** keepalived's include checks: each turns one kind of problem from a log line into a refusal. */
export const CHECK_READ = 1;
const CHECK_MATCH = 2;
const CHECK_WILDCARD = 4;
const CHECK_BRACE = 8;
const CHECK_ALL = CHECK_READ | CHECK_MATCH | CHECK_WILDCARD | CHECK_BRACE;

/** global_defs `include_check`'s words for the checks. */
export const INCLUDE_CHECK_TYPES: ReadonlyMap<string, number> = new Map([
  ['read', CHECK_READ],
  ['match', CHECK_MATCH],
  ['wildcard_match', CHECK_WILDCARD],
  ['brace_match', CHECK_BRACE],
]);

/**
 * The checks after `include_check WORDS` (keepalived 2.2.7's include_check_set): none is all
 * of them; `+TYPE` adds one, `-TYPE` removes one, and a first bare TYPE sets it with `read`.
 * Unknown types and a second bare TYPE are ignored (global_defs reports them).
 */
export function includeCheckAfter(words: readonly string[], current: number): number {
  if (words.length === 0) return CHECK_ALL;
  let checks = current;
  words.forEach((word, index) => {
    const sign = word[0] === '+' || word[0] === '-' ? word[0] : undefined;
    if (!sign && index > 0) return;
    if (!sign) checks = 0;
    const check = INCLUDE_CHECK_TYPES.get(sign ? word.slice(1) : word) ?? 0;
    if (check === 0) return;
    if (sign === '+') checks |= check;
    else if (sign === '-') checks &= ~check;
    else checks = CHECK_READ | check;
  });
  return checks;
}

/** The include keywords and the checks each adds; plain `include` checks nothing. */
const VARIANTS: ReadonlyMap<string, number> = new Map([
  ['include', 0],
  ['includer', CHECK_READ],
  ['includem', CHECK_READ | CHECK_MATCH],
  ['includew', CHECK_READ | CHECK_MATCH | CHECK_WILDCARD],
  ['includeb', CHECK_READ | CHECK_BRACE],
  ['includea', CHECK_ALL],
]);

export interface IncludeLine {
  /** Index in the line's tokens of the include keyword; the tokens after it are its pattern. */
  at: number;
  checks: number;
  /** The pattern exactly as written: the rest of the line, quotes and braces included. */
  pattern: Token;
}

const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\r\f\v'.includes(c);

/** keepalived's pattern: the rest of the line after the keyword and its blanks, comment and trailing blanks cut. */
function patternAfter(keyword: Token, text: string): Token | undefined {
  let from = keyword.pos.col - 1 + keyword.text.length;
  if (!isSpace(text[from])) return undefined;
  from++;
  while (text[from] === ' ' || text[from] === '\t') from++;
  const value = text.slice(from, commentStart(text)).replace(/[ \t]+$/, '');
  if (value === '') return undefined;
  return { kind: 'word', text: value, quoted: false, pos: { ...keyword.pos, col: from + 1 } };
}

/** keepalived splits a line after each brace and reads the rest as a line of its own. */
const startsSegment = (tokens: readonly Token[], at: number): boolean => at === 0 || tokens[at - 1]!.kind !== 'word';

/**
 * The words of an `include_check` on this line, if there is one: keepalived applies it when it
 * reads it, to the includes after it, until the file it is in ends.
 */
export function findIncludeCheck(tokens: readonly Token[]): string[] | undefined {
  const at = tokens.findIndex(
    (tok, i) => startsSegment(tokens, i) && tok.kind === 'word' && !tok.quoted && tok.text === 'include_check',
  );
  if (at === -1) return undefined;
  const end = tokens.findIndex((tok, i) => i > at && tok.kind !== 'word');
  return tokens.slice(at + 1, end === -1 ? undefined : end).map((tok) => tok.text);
}

/**
 * The include on one line of `text`, whose `tokens` the lexer made: keepalived looks for it at
 * the start of the line and after each brace, where it splits a line, so `vrrp_instance X {
 * include a.conf` reads a.conf as the block's first lines. It takes the whole rest of the line
 * as the pattern, so `{ include a.conf }` looks for a file named `a.conf }`.
 */
export function findInclude(tokens: readonly Token[], text: string): IncludeLine | undefined {
  for (let at = 0; at < tokens.length; at++) {
    const keyword = tokens[at]!;
    if (!startsSegment(tokens, at)) continue;
    const checks = keyword.kind === 'word' && !keyword.quoted ? VARIANTS.get(keyword.text) : undefined;
    const pattern = checks === undefined ? undefined : patternAfter(keyword, text);
    if (pattern) return { at, checks: checks!, pattern };
  }
  return undefined;
}

/** Reports one problem of an include: `check` is the check that makes it an error. */
export type IncludeReport = (check: number, problem: string) => void;

/**
 * Errors for the problems the include's checks cover, its own or those of the `include_check`
 * in force (`held`); warnings (keepalived logs and reads on) for the rest.
 */
export function includeReporter(
  include: IncludeLine,
  keyword: string,
  held: number,
  sink: DiagnosticSink,
): IncludeReport {
  return (check, problem) => {
    if (!((include.checks | held) & check)) {
      sink.warning(include.pattern.pos, `${problem}; keepalived 2.2.7 logs it and reads on`);
      return;
    }
    const why = include.checks & check ? `\`${keyword}\`` : 'the `include_check` in force';
    sink.error(include.pattern.pos, `${problem}; with ${why} keepalived 2.2.7 refuses the configuration`);
  };
}

/** Why a match is skipped, or undefined when it is a file keepalived reads. */
function unusable(match: string, reader: SourceReader): string | undefined {
  const kind = reader.kind(match);
  if (kind === 'file') return undefined;
  if (kind === 'directory') return `\`${match}\` is a directory`;
  if (kind === 'executable') return `\`${match}\` is executable (keepalived includes only non-executable files)`;
  return `\`${match}\` is not a regular file`;
}

/**
 * The files an include reads, in keepalived's order: its pattern expanded as glob(3) does it,
 * relative to the including file's directory (keepalived changes to it while reading a file),
 * less the matches keepalived skips. Every problem goes to `report`.
 */
export function includedFiles(
  include: IncludeLine,
  file: string,
  reader: SourceReader,
  report: IncludeReport,
): string[] {
  const pattern = include.pattern.text;
  const found = expandGlob(pattern, path.dirname(file), reader);
  if (found.matches.length === 0) {
    if (found.missing) {
      report(hasBrace(pattern) ? CHECK_BRACE : CHECK_MATCH, `no file \`${pattern}\` to include`);
    } else if (found.wildcard) {
      report(CHECK_WILDCARD, `include pattern \`${pattern}\` matched no files`);
    }
    return [];
  }
  if (found.missing) {
    report(CHECK_BRACE, `some files of \`${pattern}\` are missing`);
    // keepalived then reads none of them.
    if (include.checks & CHECK_BRACE) return [];
  }
  return found.matches.filter((match) => {
    const why = unusable(match, reader);
    if (why) report(CHECK_READ, `${why}, so it is skipped`);
    return !why;
  });
}
