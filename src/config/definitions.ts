/**
 * keepalived's configuration definitions, read as keepalived 2.2.7 reads them, line by line
 * and before any word is split: `$NAME=value` defines, `$NAME` / `${NAME}` is replaced by the
 * value (also inside quotes), a value ending in `\` goes on over the next lines, and
 * `~SEQ(VAR, start, step, end) text` reads `text` once for each value of `$VAR`. Each line
 * handed on remembers, for each character, the column it came from; text that a definition
 * put there points at the use.
 */
import path from 'node:path';
import type { Diagnostic, SourcePos } from './diagnostics.js';

/** A line as the lexer is to read it, and where each of its characters was written. */
export interface LogicalLine {
  text: string;
  line: number;
  /** cols[i] is the source column of text[i]; one more entry for the end of the line. */
  cols: number[];
}

interface Definition {
  /** One entry per line; more than one for a multi-line definition. */
  lines: string[];
  multiline: boolean;
}

/** More replacements than this on one line means a definition that uses itself. */
const MAX_EXPANSIONS = 1000;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** The definitions in force; one table for the main file and all it includes, in reading order. */
export class Definitions {
  private readonly values = new Map<string, Definition>();

  constructor(private readonly configId: string | undefined) {}

  /** `params` are the numbers written in `${NAME 1 2}`; only `${_RANDOM}` takes any. */
  get(name: string, file: string, params?: string): Definition | undefined {
    const own = this.values.get(name);
    if (own && params === undefined) return own;
    const std = own ? undefined : this.standard(name, file, params);
    return std === undefined ? undefined : { lines: [std], multiline: false };
  }

  set(name: string, def: Definition): void {
    this.values.set(name, def);
  }

  /** keepalived's pre-defined names; a definition of the same name overrides them. */
  private standard(name: string, file: string, params: string | undefined): string | undefined {
    if (name === '_RANDOM') return randomIn(params);
    if (params !== undefined) return undefined;
    if (name === '_PWD') return path.resolve(path.dirname(file));
    if (name === '_INSTANCE') return this.configId ?? '';
    if (name === '_HASH') return '#';
    if (name === '_BANG') return '!';
    return undefined;
  }
}

/** `${_RANDOM [MIN [MAX]]}`: a whole number from MIN (default 0) to MAX (default 32767). */
function randomIn(params: string | undefined): string {
  const [min = 0, max = 32767] = (params ?? '').split(/ +/).filter(Boolean).map(Number);
  return String(min + Math.floor(Math.random() * (Math.max(max, min) - min + 1)));
}

/** Where the comment of a line starts (keepalived's rules, as the lexer has them), else its length. */
function commentStart(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    // A backslash pairs with the next character in quotes too, so `\"` neither opens nor closes one.
    if (c === '\\') {
      if (!quoted && (text[i + 1] === '#' || text[i + 1] === '!')) return i;
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '#' || c === '!')) return i;
  }
  return text.length;
}

interface Use {
  start: number;
  end: number;
  name: string;
  /** The numbers in `${NAME 1 2}`, if any. */
  params?: string;
  /** Nothing but blanks follows it: only there may a multi-line definition be used. */
  endsLine: boolean;
  quoted: boolean;
}

/** The next `$NAME` or `${NAME}` at or after `from` in `code`, as keepalived recognises a use. */
function nextUse(code: string, from: number): Use | undefined {
  let quoted = false;
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '"') quoted = !quoted;
    if (i < from || code[i] !== '$') continue;
    const braced = code[i + 1] === '{';
    const rest = code.slice(i + (braced ? 2 : 1));
    const name = NAME.exec(rest)?.[0];
    if (!name) continue;
    let end = i + (braced ? 2 : 1) + name.length;
    let params: string | undefined;
    if (braced) {
      // keepalived allows numbers, but no blank after the last, before the `}`.
      const m = /^( *)((?:[0-9]+ +)*[0-9]+)?\}/.exec(code.slice(end));
      if (!m) continue;
      params = m[2];
      end += m[0].length;
    } else if (end < code.length && !' \t,)'.includes(code[end]!)) {
      continue;
    }
    const endsLine = code.slice(end).trim() === '';
    return { start: i, end, name, params, endsLine, quoted };
  }
  return undefined;
}

/** `strtol(s, 0)` over a whole ~SEQ parameter: decimal, 0x hex or 0 octal; empty is 0. */
function seqNumber(s: string): number | undefined {
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?[ \t]*$/.exec(s);
  if (!m) return undefined;
  const digits = m[2] ?? '0';
  const value = /^0[xX]/.test(digits)
    ? Number.parseInt(digits, 16)
    : digits.startsWith('0')
      ? Number.parseInt(digits, 8)
      : Number(digits);
  return m[1] === '-' ? -value : value;
}

interface Sequence {
  start: number;
  step: number;
  end: number;
}

/** keepalived's defaults: `(end)` counts from 1 (or -1), `(start, end)` in steps of 1 or -1. */
function sequenceOf(params: number[]): Sequence | string {
  if (params.length === 1) {
    const end = params[0]!;
    return { start: end < 0 ? -1 : 1, step: end < 1 ? -1 : 1, end };
  }
  if (params.length === 2) {
    const [start, end] = params as [number, number];
    return { start, step: start <= end ? 1 : -1, end };
  }
  const [start, step, end] = params as [number, number, number];
  if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) {
    return 'the step must not be 0 and must go from start towards end';
  }
  return { start, step, end };
}

function* sequenceValues(seq: Sequence): Generator<number> {
  for (let v = seq.start; seq.step > 0 ? v <= seq.end : v >= seq.end; v += seq.step) yield v;
}

/** Reads one file's lines, applying and recording definitions in the shared table. */
export class DefinitionReader {
  /** The multi-line definition still taking lines, if any. */
  private open: Definition | undefined;

  constructor(
    private readonly defs: Definitions,
    private readonly file: string,
    private readonly diagnostics: Diagnostic[],
    private readonly configId: string | undefined,
  ) {}

  /** The lines of the file as keepalived hands them on; lines are produced lazily, in order. */
  *lines(text: string): Generator<LogicalLine> {
    const raw = text.split('\n');
    for (let n = 0; n < raw.length; n++) {
      const line = raw[n]!.replace(/\r+$/, '');
      const cols = Array.from({ length: line.length + 1 }, (_, i) => i + 1);
      const logical = { text: line, line: n + 1, cols };
      if (this.open) {
        this.continueDefinition(line);
        continue;
      }
      yield* this.process(logical, 0);
    }
    this.open = undefined;
  }

  private pos(line: LogicalLine, index: number): SourcePos {
    return { file: this.file, line: line.line, col: line.cols[Math.min(index, line.text.length)]! };
  }

  private report(severity: Diagnostic['severity'], line: LogicalLine, index: number, message: string): void {
    this.diagnostics.push({ severity, pos: this.pos(line, index), message });
  }

  /** A line of an unfinished multi-line definition; an empty line ends it, as in keepalived. */
  private continueDefinition(line: string): void {
    const def = this.open!;
    const code = line.slice(0, commentStart(line)).trim();
    if (line !== '' && code === '') return;
    const goesOn = code.endsWith('\\');
    const part = goesOn ? code.slice(0, -1).trimEnd() : code;
    if (part !== '') def.lines.push(part);
    if (goesOn) return;
    this.open = undefined;
    // Nothing was read into it: keepalived then treats it as an ordinary, empty definition.
    if (def.lines.every((l) => l === '')) def.multiline = false;
  }

  private *process(input: LogicalLine, depth: number): Generator<LogicalLine> {
    const line = this.dropLeadingBlanks(input);
    const code = line.text.slice(0, commentStart(line.text)).trimEnd();
    if (code.startsWith('@')) {
      const rest = this.conditionalRest(line, code);
      if (rest) yield* this.process(rest, depth);
      return;
    }
    const definition = /^\$([A-Za-z_][A-Za-z0-9_]*)=[ \t]*/.exec(code);
    if (definition) {
      this.define(definition[1]!, code.slice(definition[0].length));
      return;
    }
    if (code.startsWith('~SEQ')) {
      yield* this.sequence(line, code, depth);
      return;
    }
    if (code.startsWith('~LST')) {
      this.report(
        'error',
        line,
        0,
        '`~LST` list lines are not supported by vigil; write each generated line out, or use `~SEQ`',
      );
      return;
    }
    if (code.startsWith('~')) {
      yield line;
      return;
    }
    yield* this.substitute(line, code, depth);
  }

  private dropLeadingBlanks(line: LogicalLine): LogicalLine {
    let i = 0;
    while (isBlank(line.text[i])) i++;
    return i === 0 ? line : { text: line.text.slice(i), line: line.line, cols: line.cols.slice(i) };
  }

  /** `@ID rest` keeps rest only for config id ID, `@^ID rest` only for any other. */
  private conditionalRest(line: LogicalLine, code: string): LogicalLine | undefined {
    const negated = code[1] === '^';
    const idStart = negated ? 2 : 1;
    const m = /[ \t]/.exec(code.slice(idStart));
    if (!m) return undefined;
    const id = code.slice(idStart, idStart + m.index);
    if ((this.configId !== undefined && id === this.configId) === negated) return undefined;
    const restAt = idStart + m.index;
    return { text: line.text.slice(restAt), line: line.line, cols: line.cols.slice(restAt) };
  }

  private define(name: string, value: string): void {
    const goesOn = value.endsWith('\\');
    const first = goesOn ? value.slice(0, -1).trimEnd() : value;
    const def: Definition = { lines: [first], multiline: goesOn };
    this.defs.set(name, def);
    if (goesOn) this.open = def;
  }

  /** Replaces the first defined use and reads the result again, as keepalived rereads a line. */
  private *substitute(line: LogicalLine, code: string, depth: number): Generator<LogicalLine> {
    for (let use = nextUse(code, 0); use; use = nextUse(code, use.end)) {
      const def = this.defs.get(use.name, this.file, use.params);
      if (!def || (def.multiline && !use.endsLine)) {
        this.warnUnused(line, use, def);
        continue;
      }
      if (depth >= MAX_EXPANSIONS) {
        this.report('error', line, use.start, `\`$${use.name}\` expands without end: a definition uses itself`);
        return;
      }
      const at = line.cols[use.start]!;
      const [first, ...more] = def.lines;
      const replaced: LogicalLine = {
        text: line.text.slice(0, use.start) + first + line.text.slice(use.end),
        line: line.line,
        cols: [...line.cols.slice(0, use.start), ...Array<number>(first!.length).fill(at), ...line.cols.slice(use.end)],
      };
      yield* this.process(replaced, depth + 1);
      for (const text of more) {
        yield* this.process({ text, line: line.line, cols: Array<number>(text.length + 1).fill(at) }, depth + 1);
      }
      return;
    }
    yield line;
  }

  private warnUnused(line: LogicalLine, use: Use, def: Definition | undefined): void {
    const written = line.text.slice(use.start, use.end);
    if (def) {
      this.report(
        'warning',
        line,
        use.start,
        `\`${written}\` is a multi-line definition, which keepalived replaces only at the end of a line: here it is kept as written`,
      );
    } else if (!use.quoted) {
      this.report(
        'warning',
        line,
        use.start,
        `\`${written}\` is not defined (define it earlier with \`$${use.name}=value\`): keepalived keeps it as written`,
      );
    }
  }

  /** `~SEQ(VAR, ...) text` / `~SEQx(...)`: `text` once for each value, `$VAR` set to it. */
  private *sequence(line: LogicalLine, code: string, depth: number): Generator<LogicalLine> {
    const m = /^~SEQ(x?)[ \t]*\([ \t]*([^ \t,)]+)[ \t]*,([^)]*)\)[ \t]*/.exec(code);
    const invalid = (why: string): void =>
      this.report('error', line, 0, `invalid \`~SEQ\` line: ${why}; keepalived ignores it`);
    if (!m) {
      invalid(
        'write `~SEQ(VAR, end)`, `~SEQ(VAR, start, end)` or `~SEQ(VAR, start, step, end)` followed by the line to repeat',
      );
      return;
    }
    const [, hex, variable, paramText] = m as unknown as [string, string, string, string];
    const params = this.expandParams(paramText).split(',').map(seqNumber);
    if (params.length > 3 || params.some((p) => p === undefined)) {
      invalid('start, step and end must be one to three whole numbers');
      return;
    }
    const seq = sequenceOf(params as number[]);
    if (typeof seq === 'string') {
      invalid(seq);
      return;
    }
    if (hex && (seq.start < 0 || seq.end < 0)) {
      invalid('`~SEQx` takes only numbers that are not negative');
      return;
    }
    const textAt = m[0].length;
    const body: LogicalLine = { text: line.text.slice(textAt), line: line.line, cols: line.cols.slice(textAt) };
    for (const v of sequenceValues(seq)) {
      this.defs.set(variable, { lines: [hex ? v.toString(16) : String(v)], multiline: false });
      yield* this.process(body, depth);
    }
  }

  /** ~SEQ's numbers may be definitions (`~SEQ(N, $FIRST, $LAST)`). */
  private expandParams(text: string): string {
    let out = text;
    for (let i = 0; i < MAX_EXPANSIONS; i++) {
      const use = nextUse(out, 0);
      const def = use && this.defs.get(use.name, this.file, use.params);
      if (!use || !def || def.multiline) return out;
      out = out.slice(0, use.start) + def.lines[0] + out.slice(use.end);
    }
    return out;
  }
}
