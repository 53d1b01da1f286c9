import type { Diagnostic, SourcePos } from './diagnostics.js';

/**
 * `word` covers bare words and quoted strings (a word may mix both, as in a shell:
 * `a"b c"` is the single word `ab c`); braces are always tokens of their own outside quotes.
 */
export type TokenKind = 'word' | 'open' | 'close';

export interface Token {
  kind: TokenKind;
  /** The word's value: quotes removed and `\"` / `\\` unescaped. `{` or `}` for braces. */
  text: string;
  /** True when any part of the word was quoted: such a word is never a keyword or comment. */
  quoted: boolean;
  pos: SourcePos;
}

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
const endsWord = (c: string): boolean => isSpace(c) || c === '\n' || c === '{' || c === '}';

/**
 * Splits configuration text into tokens. Statements are line based, so every token carries
 * its line; the parser, not the lexer, decides where a statement ends.
 */
export function tokenize(source: string, file: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  let i = 0;
  let line = 1;
  let col = 1;

  const advance = (): string => {
    const c = text[i++]!;
    if (c === '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
    return c;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || isSpace(c)) {
      advance();
      continue;
    }
    const pos: SourcePos = { file, line, col };
    // `#` and `!` only start a comment where a token would begin, so `auth_pass ab!c` keeps `ab!c`.
    if (c === '#' || c === '!') {
      while (i < text.length && text[i] !== '\n') advance();
      continue;
    }
    if (c === '{' || c === '}') {
      advance();
      tokens.push({ kind: c === '{' ? 'open' : 'close', text: c, quoted: false, pos });
      continue;
    }

    let value = '';
    let quoted = false;
    while (i < text.length && !endsWord(text[i]!)) {
      if (text[i] !== '"') {
        value += advance();
        continue;
      }
      const quotePos: SourcePos = { file, line, col };
      quoted = true;
      advance();
      let closed = false;
      while (i < text.length && text[i] !== '\n') {
        const q = advance();
        if (q === '"') {
          closed = true;
          break;
        }
        if (q === '\\' && (text[i] === '"' || text[i] === '\\')) {
          value += advance();
        } else {
          value += q;
        }
      }
      if (!closed) {
        diagnostics.push({
          severity: 'error',
          pos: quotePos,
          message: 'unterminated quoted string: add the closing `"` on the same line',
        });
      }
    }
    tokens.push({ kind: 'word', text: value, quoted, pos });
  }
  return { tokens, diagnostics };
}
