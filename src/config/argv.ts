/**
 * keepalived 2.2.7's reading of script commands. It splits a script keyword's line into words
 * with quotes and backslash escapes (`splitQuotedEscaped`), takes the first word after the
 * keyword as the command (the next ones are the user and group of a notify script), and splits
 * that command again the same way into argv: escapes are read twice, so `"a\\.b"` is `a.b`.
 * No shell is involved (except for `</file` commands, see scripts/launcher.ts).
 */

/** The characters that separate words, as keepalived's WHITE_SPACE. */
const WHITE_SPACE = ' \t\f\n\r\v';

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';

/**
 * The character a backslash sequence at `text[i]` (just after the `\`) stands for, and where
 * the text goes on. keepalived builds a C char, so only the low 8 bits of a long `\x` or an
 * octal above 0377 are kept.
 */
function escapedChar(text: string, i: number): { char: string; next: number } {
  const c = text[i]!;
  let end = i + 1;
  if (c === 'x' && isHex(text[end])) {
    while (isHex(text[end])) end++;
    return { char: String.fromCharCode(Number.parseInt(text.slice(i + 1, end), 16) & 0xff), next: end };
  }
  if (c === 'c' && end < text.length) return { char: String.fromCharCode(text.charCodeAt(end) & 0x1f), next: end + 1 };
  if (isOctal(c)) {
    while (end < i + 3 && isOctal(text[end])) end++;
    return { char: String.fromCharCode(Number.parseInt(text.slice(i, end), 8) & 0xff), next: end };
  }
  return { char: SIMPLE_ESCAPES[c] ?? c, next: end };
}

/**
 * Splits `text` as keepalived's alloc_strvec_quoted_escaped: whitespace outside quotes ends a
 * word, `'...'` and `"..."` group (a word may mix quoted and bare parts), and a backslash
 * escape is read everywhere, also inside single quotes. A word ends at a NUL, as C strings do.
 */
export function splitQuotedEscaped(text: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && WHITE_SPACE.includes(text[i]!)) i++;
    if (i >= text.length) break;
    let word = '';
    let quote: string | undefined;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') {
        if (i + 1 >= text.length) return { error: `a \`\\\` at the end of \`${text}\` escapes nothing` };
        const { char, next } = escapedChar(text, i + 1);
        word += char;
        i = next - 1;
      } else if (quote ? c === quote : c === '"' || c === "'") {
        quote = quote ? undefined : c;
      } else if (!quote && WHITE_SPACE.includes(c)) {
        break;
      } else {
        word += c;
      }
    }
    if (quote) return { error: `\`${text}\` is missing its closing ${quote}` };
    words.push(word.split('\0')[0]!);
  }
  return { words };
}

/**
 * A script keyword's words after the keyword (`lineRest`, as written): the command's argv and
 * the words after the command (a notify script's user and group).
 */
export function splitScriptLine(lineRest: string): { argv: string[]; after: string[] } | { error: string } {
  const line = splitQuotedEscaped(lineRest);
  if ('error' in line) return line;
  const [command, ...after] = line.words;
  if (command === undefined) return { argv: [], after };
  const argv = splitQuotedEscaped(command);
  return 'error' in argv ? argv : { argv: argv.words, after };
}
