/**
 * Where keepalived 2.2.7 ends a line at a comment (its decomment()): at an unquoted `#` or
 * `!`, also in the middle of a word. A backslash and the character after it are a pair, in
 * quotes too, so `\"` neither opens nor closes a quote here (although it does when the line
 * is split into words, see lexer.ts). An unquoted `\#` or `\!` ends the line too: keepalived's
 * first reading turns it into `#`, and its VRRP and checker processes read that result once
 * more, so for them it is a comment (observed with Debian's 2.2.7; see test/unit/config/lexer.test.ts).
 */
export interface LineComment {
  /** Index of the comment's first character, or the line's length when there is none. */
  cut: number;
  kind?: 'plain' | 'escaped';
  /** keepalived's comment scan ended inside quotes (it then logs "Unterminated quote"). */
  quoteOpen: boolean;
}

const isCommentChar = (c: string | undefined): boolean => c === '#' || c === '!';

/** The comment of one line (no newline in it). */
export function lineComment(line: string): LineComment {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      quoted = !quoted;
    } else if (c === '\\') {
      if (!quoted && isCommentChar(line[i + 1])) return { cut: i, kind: 'escaped', quoteOpen: false };
      i++;
    } else if (!quoted && isCommentChar(c)) {
      return { cut: i, kind: 'plain', quoteOpen: false };
    }
  }
  return { cut: line.length, quoteOpen: quoted };
}

/** Where the comment of a line starts, else its length. */
export const commentStart = (line: string): number => lineComment(line).cut;
