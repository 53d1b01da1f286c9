import { lineComment } from './comments.js';
import type { Diagnostic, SourcePos } from './diagnostics.js';

/**
 * `word` covers bare words and quoted strings. A `"` ends a bare word and a closing `"` ends a
 * quoted one, as in keepalived 2.2.7, so `a"b c"d` is the three words `a`, `b c` and `d`;
 * braces are always tokens of their own outside quotes. A backslash escapes nothing there:
 * `a\"b"` is `a\` then `b`, as keepalived splits it.
 */
export type TokenKind = 'word' | 'open' | 'close';

export interface Token {
  kind: TokenKind;
  /** The word's value, its quotes removed. `{` or `}` for braces. */
  text: string;
  /** True when the word was quoted: such a word is never a keyword or comment. */
  quoted: boolean;
  /**
   * The word follows the previous one with no space between (`b c` in `a"b c"`). keepalived
   * reads a script command again as a shell would, and there the two are one word.
   */
  gluedToPrevious?: true;
  /**
   * A word's line from where it starts, as written, up to the line's comment or next brace:
   * keepalived reads a script command's words again from there, with quotes and backslashes
   * as a shell has them (its alloc_strvec_quoted_escaped).
   */
  rest?: string;
  /** Its quote never closed (an error already reported): there is no line to read again. */
  unclosed?: true;
  pos: SourcePos;
  /**
   * The line as keepalived reads it, when that is not pos.line: the lines a `~SEQ` or a
   * multi-line definition produces all point at the line that wrote them.
   */
  logicalLine?: number;
}

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

/** The whitespace keepalived skips before a conditional line's `@` and ends its id at. */
const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
const endsWord = (c: string): boolean => isSpace(c) || c === '\n' || c === '{' || c === '}';

/** Walks the text keeping the 1-based line and column of the next character. */
class Cursor {
  i = 0;
  private line = 1;
  private col = 1;

  constructor(
    readonly text: string,
    private readonly file: string,
  ) {}

  get done(): boolean {
    return this.i >= this.text.length;
  }

  peek(ahead = 0): string | undefined {
    return this.text[this.i + ahead];
  }

  pos(): SourcePos {
    return { file: this.file, line: this.line, col: this.col };
  }

  advance(): string {
    const c = this.text[this.i++]!;
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  skipToLineEnd(): void {
    while (!this.done && this.peek() !== '\n') this.advance();
  }
}

/**
 * Why a comment that keepalived honours may surprise the operator: glued to a word it cuts
 * that word short (vigil used to keep it, so the value read changed), and `\#` looks escaped
 * but is not. A comment after whitespace or a brace is ordinary and needs no word.
 */
function commentWarning(kind: 'plain' | 'escaped', char: string, word: Token | undefined): string | undefined {
  const readAs = word ? `the word is read as \`${word.text}\` and ` : '';
  const keep = `; put the whole word in double quotes to keep the \`${char}\``;
  if (kind === 'escaped') {
    return `\`\\${char}\` does not escape a comment in keepalived 2.2.7 (its VRRP and checker processes read the line again without the backslash), so ${readAs}the rest of the line is a comment${keep}`;
  }
  if (!word) return undefined;
  return `\`${char}\` in the middle of a word starts a comment, as in keepalived: ${readAs}the rest of the line is ignored${keep}, or put a space before it if a comment is meant`;
}

/**
 * Why a word written with a quote inside now reads differently: vigil used to join the parts
 * into one word as a shell does, keepalived makes each part a word of its own, and a keyword
 * with one value keeps only the first (`auth_pass ab"!"cd` is `ab`).
 */
function quoteCutWarning(words: readonly Token[]): string {
  const list = words.map((w) => `\`${w.text}\``).join(', ');
  return `a \`"\` inside a word splits it, as in keepalived: this is read as the separate words ${list}, and a keyword that takes one value keeps only \`${words[0]!.text}\`; put the whole word in double quotes to keep it as one (script commands are not affected: they are read as a shell reads them)`;
}

/** The comments of every line of `text`, by the index where each starts (comments.ts). */
class Comments {
  private readonly starts = new Map<number, 'plain' | 'escaped'>();
  /** Per line (1-based): keepalived's comment scan ended inside quotes. */
  private readonly quoteOpen: boolean[] = [false];
  /** Per line (1-based): the index where its code ends, at its comment or its end. */
  private readonly codeEnds: number[] = [0];

  constructor(text: string) {
    let offset = 0;
    for (const line of text.split('\n')) {
      const comment = lineComment(line);
      if (comment.kind) this.starts.set(offset + comment.cut, comment.kind);
      this.quoteOpen.push(comment.quoteOpen);
      this.codeEnds.push(offset + comment.cut);
      offset += line.length + 1;
    }
  }

  at(cur: Cursor): 'plain' | 'escaped' | undefined {
    return this.starts.get(cur.i);
  }

  codeEnd(line: number): number {
    return this.codeEnds[line]!;
  }

  /** keepalived saw the quotes of this line paired, although splitting it into words did not. */
  pairedForComments(line: number): boolean {
    return !this.quoteOpen[line];
  }
}

/**
 * keepalived's conditional lines: `@ID rest` keeps `rest` only when the config id is ID, and
 * `@^ID rest` only when it is not. The id runs to the first space or tab; a line with nothing
 * after it is dropped either way. With no config id, `@ID` lines go and `@^ID` lines stay,
 * as in keepalived. Consumes the `@ID` and says whether the rest of the line is kept.
 */
function keepsConditionalLine(cur: Cursor, comments: Comments, configId: string | undefined): boolean {
  cur.advance();
  const negated = cur.peek() === '^';
  if (negated) cur.advance();
  let id = '';
  while (!cur.done && !isBlank(cur.peek()!) && cur.peek() !== '\n' && !comments.at(cur)) id += cur.advance();
  if (!isBlank(cur.peek() ?? '\n')) return false;
  return (configId !== undefined && id === configId) !== negated;
}

/**
 * Reads a `"`-quoted part of a word up to the next `"`, as keepalived does: a backslash is an
 * ordinary character. False when the line (or its comment) comes first.
 */
function readQuoted(cur: Cursor, comments: Comments, append: (s: string) => void): boolean {
  cur.advance();
  while (!cur.done && cur.peek() !== '\n' && !comments.at(cur)) {
    const q = cur.advance();
    if (q === '"') return true;
    append(q);
  }
  return false;
}

/**
 * What an unclosed quote means. When keepalived's comment scan found the quotes paired, a `\"`
 * made the difference: it is no escape when a line is split into words, so the quote it holds
 * opens a word that never closes, and keepalived drops it and the rest of the line.
 */
function unclosedQuote(pairedForComments: boolean): Omit<Diagnostic, 'pos'> {
  if (!pairedForComments) {
    return { severity: 'error', message: 'unterminated quoted string: add the closing `"` on the same line' };
  }
  return {
    severity: 'warning',
    message:
      'keepalived 2.2.7 reads `\\"` as a backslash, then a quote, and this quote is never closed: it drops it and the rest of the line ("Unmatched quote"); write the value without `\\"` (script commands are not affected: they are read again as a shell reads them)',
  };
}

/** Gives every word the text from its start to its line's comment or next brace (Token.rest). */
function noteRests(text: string, tokens: readonly Token[], starts: readonly number[], comments: Comments): void {
  let segmentEnd = 0;
  let line = -1;
  for (let k = tokens.length - 1; k >= 0; k--) {
    const tok = tokens[k]!;
    if (tok.pos.line !== line) {
      line = tok.pos.line;
      segmentEnd = comments.codeEnd(line);
    }
    if (tok.kind === 'word') tok.rest = text.slice(starts[k], segmentEnd);
    else segmentEnd = starts[k]!;
  }
}

/**
 * Splits configuration text into tokens. Statements are line based, so every token carries
 * its line; the parser, not the lexer, decides where a statement ends. `configId` is what
 * keepalived's `--config-id` would be: it selects the `@ID` / `@^ID` lines kept.
 */
export function tokenize(source: string, file: string, configId?: string): LexResult {
  const tokens: Token[] = [];
  const starts: number[] = [];
  const diagnostics: Diagnostic[] = [];
  const cur = new Cursor(source.startsWith('\uFEFF') ? source.slice(1) : source, file);
  const comments = new Comments(cur.text);

  /** One word as keepalived splits it: a quoted string, or a bare run up to a `"`; undefined when keepalived drops it. */
  const readWord = (): Token | undefined => {
    const word: Token = { kind: 'word', text: '', quoted: cur.peek() === '"', pos: cur.pos() };
    const append = (s: string): void => {
      word.text += s;
    };
    if (!word.quoted) {
      while (!cur.done && !endsWord(cur.peek()!) && !comments.at(cur) && cur.peek() !== '"') append(cur.advance());
      return word;
    }
    if (readQuoted(cur, comments, append)) return word;
    const problem = unclosedQuote(comments.pairedForComments(word.pos.line));
    diagnostics.push({ ...problem, pos: word.pos });
    // keepalived drops the unclosed word; a missing quote is refused anyway, and keeping the
    // word spares the follow-up errors of a keyword left without its value.
    return problem.severity === 'error' ? { ...word, unclosed: true } : undefined;
  };

  /** The words written with no space between them, as a shell would see one word. */
  const readGluedWords = (): Token[] => {
    const glued: Token[] = [];
    const push = (start: number, word: Token | undefined): void => {
      if (!word) return;
      glued.push(glued.length > 0 ? { ...word, gluedToPrevious: true } : word);
      starts.push(start);
    };
    push(cur.i, readWord());
    while (!cur.done && !endsWord(cur.peek()!) && !comments.at(cur)) push(cur.i, readWord());
    if (glued.length > 1) {
      diagnostics.push({ severity: 'warning', pos: glued[1]!.pos, message: quoteCutWarning(glued) });
    }
    return glued;
  };

  // The word that ended exactly where the next character is: a comment there is glued to it.
  let glued: Token | undefined;
  // keepalived looks for `@` at the start of a line, past spaces and tabs, and after a brace,
  // where it splits the line and reads the rest as a line of its own.
  let lineStart = true;
  while (!cur.done) {
    const c = cur.peek()!;
    if (c === '\n' || isSpace(c)) {
      cur.advance();
      glued = undefined;
      if (c === '\n') lineStart = true;
      else if (!isBlank(c)) lineStart = false;
      continue;
    }
    if (lineStart && c === '@') {
      lineStart = false;
      if (!keepsConditionalLine(cur, comments, configId)) cur.skipToLineEnd();
      continue;
    }
    lineStart = false;
    const pos = cur.pos();
    const comment = comments.at(cur);
    if (comment) {
      const message = commentWarning(comment, comment === 'plain' ? c : cur.peek(1)!, glued);
      if (message) diagnostics.push({ severity: 'warning', pos, message });
      cur.skipToLineEnd();
      continue;
    }
    glued = undefined;
    if (c === '{' || c === '}') {
      starts.push(cur.i);
      cur.advance();
      tokens.push({ kind: c === '{' ? 'open' : 'close', text: c, quoted: false, pos });
      lineStart = true;
      continue;
    }
    const words = readGluedWords();
    tokens.push(...words);
    glued = words[words.length - 1];
  }
  noteRests(cur.text, tokens, starts, comments);
  return { tokens, diagnostics };
}
