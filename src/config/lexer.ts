import type { Diagnostic, SourcePos } from './diagnostics.js';

/**
 * `word` covers bare words and quoted strings. A `"` ends a bare word and a closing `"` ends a
 * quoted one, as in keepalived 2.2.7, so `a"b c"d` is the three words `a`, `b c` and `d`;
 * braces are always tokens of their own outside quotes.
 */
export type TokenKind = 'word' | 'open' | 'close';

export interface Token {
  kind: TokenKind;
  /** The word's value: quotes removed and `\"` / `\\` unescaped. `{` or `}` for braces. */
  text: string;
  /** True when the word was quoted: such a word is never a keyword or comment. */
  quoted: boolean;
  /**
   * The word follows the previous one with no space between (`b c` in `a"b c"`). keepalived
   * reads a script command again from the raw line, and there the two are one word.
   */
  gluedToPrevious?: true;
  pos: SourcePos;
  /**
   * The line as keepalived reads it, when that is not pos.line: the lines a `~SEQ` or a
   * multi-line definition produces all point at the line that wrote them.
   */
  logicalLine?: number;
  /**
   * A word's place in the line it was read from (`line.slice(start, end)` is the word as
   * written, quotes included): keepalived reads a script command again from the raw line.
   * Unset when the word's quote is not closed.
   */
  raw?: { line: string; start: number; end: number };
}

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

/** The whitespace keepalived skips before a conditional line's `@` and ends its id at. */
const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
const endsWord = (c: string): boolean => isSpace(c) || c === '\n' || c === '{' || c === '}';
const isCommentChar = (c: string | undefined): boolean => c === '#' || c === '!';

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
 * Where keepalived 2.2.7 ends a line: at an unquoted `#` or `!` anywhere, also in the middle
 * of a word. An unquoted `\#` or `\!` ends it too: keepalived's first reading turns it into
 * `#`, and its VRRP and checker processes read that result once more, so for them it is a
 * comment (observed with Debian's 2.2.7; see test/unit/config/lexer.test.ts).
 */
function commentStartsAt(cur: Cursor): 'plain' | 'escaped' | undefined {
  if (isCommentChar(cur.peek())) return 'plain';
  if (cur.peek() === '\\' && isCommentChar(cur.peek(1))) return 'escaped';
  return undefined;
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
  return `a \`"\` inside a word splits it, as in keepalived: this is read as the separate words ${list}, and a keyword that takes one value keeps only \`${words[0]!.text}\`; put the whole word in double quotes to keep it as one (script commands are not affected: keepalived reads them again from the line as written)`;
}

/**
 * keepalived's conditional lines: `@ID rest` keeps `rest` only when the config id is ID, and
 * `@^ID rest` only when it is not. The id runs to the first space or tab; a line with nothing
 * after it is dropped either way. With no config id, `@ID` lines go and `@^ID` lines stay,
 * as in keepalived. Consumes the `@ID` and says whether the rest of the line is kept.
 */
function keepsConditionalLine(cur: Cursor, configId: string | undefined): boolean {
  cur.advance();
  const negated = cur.peek() === '^';
  if (negated) cur.advance();
  let id = '';
  while (!cur.done && !isBlank(cur.peek()!) && cur.peek() !== '\n' && !commentStartsAt(cur)) id += cur.advance();
  if (!isBlank(cur.peek() ?? '\n')) return false;
  return (configId !== undefined && id === configId) !== negated;
}

/** Reads a `"`-quoted part of a word up to its closing quote on the same line; false when unterminated. */
function readQuoted(cur: Cursor, append: (s: string) => void): boolean {
  cur.advance();
  while (!cur.done && cur.peek() !== '\n') {
    const q = cur.advance();
    if (q === '"') return true;
    if (q === '\\' && (cur.peek() === '"' || cur.peek() === '\\')) {
      append(cur.advance());
    } else {
      append(q);
    }
  }
  return false;
}

/**
 * Splits configuration text into tokens. Statements are line based, so every token carries
 * its line; the parser, not the lexer, decides where a statement ends. `configId` is what
 * keepalived's `--config-id` would be: it selects the `@ID` / `@^ID` lines kept.
 */
export function tokenize(source: string, file: string, configId?: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  const cur = new Cursor(source.startsWith('\uFEFF') ? source.slice(1) : source, file);

  /** One word as keepalived splits it: a quoted string, or a bare run up to a `"`. */
  const lexWord = (): Token => {
    const word: Token = { kind: 'word', text: '', quoted: cur.peek() === '"', pos: cur.pos() };
    const append = (s: string): void => {
      word.text += s;
    };
    if (word.quoted) {
      if (!readQuoted(cur, append)) {
        diagnostics.push({
          severity: 'error',
          pos: word.pos,
          message: 'unterminated quoted string: add the closing `"` on the same line',
        });
      }
      return word;
    }
    while (!cur.done && !endsWord(cur.peek()!) && !commentStartsAt(cur) && cur.peek() !== '"') {
      // keepalived takes a backslash and the character after it as a pair when it looks for
      // comments and quotes, so `\\#` is `\\` then a comment, and `\"` opens no quote.
      if (cur.peek() === '\\' && cur.peek(1) !== undefined && !endsWord(cur.peek(1)!)) append(cur.advance());
      append(cur.advance());
    }
    return word;
  };

  const readWord = (): Token => {
    const start = cur.i;
    const reported = diagnostics.length;
    const word = lexWord();
    // An unterminated quote, already reported, leaves no raw text to read a command from again.
    if (diagnostics.length === reported) word.raw = { line: cur.text, start, end: cur.i };
    return word;
  };

  /** The words written with no space between them, as a shell would see one word. */
  const readGluedWords = (): Token[] => {
    const glued = [readWord()];
    while (!cur.done && !endsWord(cur.peek()!) && !commentStartsAt(cur)) {
      glued.push({ ...readWord(), gluedToPrevious: true });
    }
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
      if (!keepsConditionalLine(cur, configId)) cur.skipToLineEnd();
      continue;
    }
    lineStart = false;
    const pos = cur.pos();
    const comment = commentStartsAt(cur);
    if (comment) {
      const message = commentWarning(comment, comment === 'plain' ? c : cur.peek(1)!, glued);
      if (message) diagnostics.push({ severity: 'warning', pos, message });
      cur.skipToLineEnd();
      continue;
    }
    glued = undefined;
    if (c === '{' || c === '}') {
      cur.advance();
      tokens.push({ kind: c === '{' ? 'open' : 'close', text: c, quoted: false, pos });
      lineStart = true;
      continue;
    }
    const words = readGluedWords();
    tokens.push(...words);
    glued = words[words.length - 1];
  }
  return { tokens, diagnostics };
}
