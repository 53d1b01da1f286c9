/**
 * Splits a script command into argv the way keepalived does: unquoted whitespace separates
 * arguments, single or double quotes group (and are removed), and a backslash outside single
 * quotes makes the next character literal. No shell is involved, so nothing else is special.
 */
export function splitCommand(text: string): { argv: string[] } | { error: string } {
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) {
        quote = undefined;
      } else if (c === '\\' && quote === '"' && i + 1 < text.length) {
        current += text[++i];
      } else {
        current += c;
      }
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else {
      current += c;
    }
  }
  if (quote) return { error: `unterminated ${quote === '"' ? 'double' : 'single'} quote in command` };
  if (inWord) argv.push(current);
  return { argv };
}
