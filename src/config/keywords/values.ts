import { type IpAddress, maxPrefix, parseIp } from '../../inet/address.js';
import { splitScriptLine } from '../argv.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import type { Command, RunAs } from '../types.js';
import type { BuildContext, ValueParser } from './table.js';

export const INT32_MAX = 2_147_483_647;

export function integer(min: number, max = INT32_MAX): ValueParser<number> {
  return (tok, ctx, keyword) => {
    if (!/^[+-]?\d+$/.test(tok.text)) {
      ctx.error(tok.pos, `\`${keyword}\` expects a whole number, got \`${tok.text}\``);
      return undefined;
    }
    const n = Number(tok.text);
    if (n < min || n > max) {
      ctx.error(tok.pos, `\`${keyword}\` must be between ${min} and ${max}, got ${tok.text}`);
      return undefined;
    }
    return n;
  };
}

export const port: ValueParser<number> = (tok, ctx, keyword) => {
  if (/^\d+$/.test(tok.text) && Number(tok.text) >= 1 && Number(tok.text) <= 65535) return Number(tok.text);
  ctx.error(tok.pos, `\`${keyword}\`: \`${tok.text}\` is not a port (1-65535)`);
  return undefined;
};

/** A decimal number such as `3` or `0.5`; `min` is exclusive when `positive` is set. */
export function decimal(opts: { min?: number; max?: number; positive?: boolean } = {}): ValueParser<number> {
  const { min = 0, max = INT32_MAX, positive = false } = opts;
  return (tok, ctx, keyword) => {
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(tok.text)) {
      ctx.error(tok.pos, `\`${keyword}\` expects a number, got \`${tok.text}\``);
      return undefined;
    }
    const n = Number(tok.text);
    if (positive && n <= min) {
      ctx.error(tok.pos, `\`${keyword}\` must be greater than ${min}, got ${tok.text}`);
      return undefined;
    }
    if (n < min || n > max) {
      ctx.error(tok.pos, `\`${keyword}\` must be between ${min} and ${max}, got ${tok.text}`);
      return undefined;
    }
    return n;
  };
}

/** One of `values` in any case, as written in the list: keepalived compares DNS_CHECK's `type` so. */
export function oneOfAnyCase<V extends string>(values: readonly V[]): ValueParser<V> {
  const exact = oneOf(values);
  return (tok, ctx, keyword) => {
    const found = values.find((v) => v.toLowerCase() === tok.text.toLowerCase());
    return found ?? exact(tok, ctx, keyword);
  };
}

export function oneOf<V extends string>(values: readonly V[]): ValueParser<V> {
  return (tok, ctx, keyword) => {
    if ((values as readonly string[]).includes(tok.text)) return tok.text as V;
    ctx.error(
      tok.pos,
      `\`${keyword}\` must be one of ${values.map((v) => `\`${v}\``).join(', ')}; got \`${tok.text}\``,
    );
    return undefined;
  };
}

export const text: ValueParser<string> = (tok) => tok.text;

export const readIp: ValueParser<IpAddress> = (tok, ctx, keyword) => {
  const ip = parseIp(tok.text);
  if (!ip) ctx.error(tok.pos, `\`${keyword}\` expects an IPv4 or IPv6 address, got \`${tok.text}\``);
  return ip;
};

/** An address field stored as its canonical text. */
export const ipText: ValueParser<string> = (tok, ctx, keyword) => readIp(tok, ctx, keyword)?.address;

/** `ADDRESS[/PREFIX]`; the prefix is undefined when not written. */
export function readIpWithPrefix(
  tok: Token,
  ctx: BuildContext,
  what: string,
): { ip: IpAddress; prefix?: number } | undefined {
  const [addressText, prefixText, ...rest] = tok.text.split('/');
  const ip = parseIp(addressText!);
  if (!ip || rest.length > 0) {
    ctx.error(tok.pos, `${what}: \`${tok.text}\` is not an IPv4 or IPv6 address (optionally with /prefix)`);
    return undefined;
  }
  if (prefixText === undefined) return { ip };
  const limit = maxPrefix(ip.family);
  if (!/^\d+$/.test(prefixText) || Number(prefixText) > limit) {
    ctx.error(
      tok.pos,
      `${what}: prefix \`/${prefixText}\` must be between 0 and ${limit} for an IPv${ip.family} address`,
    );
    return undefined;
  }
  return { ip, prefix: Number(prefixText) };
}

/** `username [[:]groupname]`, as `user` and `script_user` take it. */
export function readRunAs(args: readonly Token[]): RunAs {
  const [user, group] = args;
  return runAsOf(user!.text, group?.text);
}

function runAsOf(user: string, group: string | undefined): RunAs {
  const groupName = group?.replace(/^:/, '');
  return groupName ? { user, group: groupName } : { user };
}

/**
 * The words as written on the line, from the first one to the line's comment or brace (see
 * Token.rest): keepalived reads a script keyword's line again from its raw text, where `'`
 * quotes and `\\` escapes too.
 */
const writtenText = (tokens: readonly Token[]): string | undefined =>
  tokens.some((t) => t.unclosed) ? undefined : tokens[0]?.rest?.trimEnd();

/**
 * A script command and the words after it, split as keepalived does (see ../argv.ts): the
 * command is the first word after the keyword, so `script /bin/check --fast` runs
 * `/bin/check` alone; the whole command must be quoted when it has arguments.
 */
function readScriptLine(
  keywordTok: Token,
  tokens: readonly Token[],
  ctx: BuildContext,
): { command: Command; after: string[] } | undefined {
  const keyword = keywordTok.text;
  const text = writtenText(tokens);
  // No text: the lexer has reported the unterminated quote that hides it.
  if (text === undefined) return undefined;
  const split = splitScriptLine(text);
  if ('error' in split) {
    ctx.error(tokens[0]!.pos, `\`${keyword}\`: ${split.error}`);
    return undefined;
  }
  if (split.argv.length === 0) {
    ctx.error((tokens[0] ?? keywordTok).pos, `\`${keyword}\` needs a command`);
    return undefined;
  }
  return { command: split.argv, after: split.after };
}

/** Warns that keepalived ignores `words` after what it reads of a script line. */
function warnIgnored(ctx: BuildContext, tok: Token, words: readonly string[], why: string): void {
  if (words.length === 0) return;
  const list = words.map((w) => `\`${w}\``).join(' ');
  ctx.warning(tok.pos, `${list} ${words.length === 1 ? 'is' : 'are'} ignored, as in keepalived: ${why}`);
}

/** A vrrp_script's `script` or a MISC_CHECK's `misc_path`: keepalived ignores words after the command. */
export function readCommand(keywordTok: Token, tokens: readonly Token[], ctx: BuildContext): Command | undefined {
  const line = readScriptLine(keywordTok, tokens, ctx);
  if (line) {
    const why = `only the first word is the command (\`${line.command.join(' ')}\`); put the whole command in double quotes to pass arguments`;
    warnIgnored(ctx, tokens[1] ?? tokens[0]!, line.after, why);
  }
  return line?.command;
}

/**
 * `notify_fifo_script COMMAND [username [groupname]]`: the command, and whom it runs as when
 * words follow it.
 */
export function readCommandAndUser(
  keywordTok: Token,
  tokens: readonly Token[],
  ctx: BuildContext,
): { command: Command; runAs?: RunAs } | undefined {
  const line = readScriptLine(keywordTok, tokens, ctx);
  if (!line) return undefined;
  const [user, group, ...rest] = line.after;
  warnIgnored(ctx, tokens[tokens.length - 1]!, rest, 'a script takes a user and a group after its command, no more');
  return user === undefined ? { command: line.command } : { command: line.command, runAs: runAsOf(user, group) };
}

/**
 * `notify_* COMMAND [username [groupname]]`. keepalived takes words after the command as the
 * user to run it as; vigil runs every script as script_user for now, so they are ignored.
 */
export function readNotifyCommand(stmt: Statement, ctx: BuildContext): Command | undefined {
  const line = readScriptLine(stmt.keyword, stmt.args, ctx);
  const [user, , ...rest] = line?.after ?? [];
  const last = stmt.args[stmt.args.length - 1]!;
  warnIgnored(ctx, last, rest, 'a script takes a user and a group after its command, no more');
  if (user !== undefined) {
    ctx.warning(
      (stmt.args[1] ?? stmt.args[0]!).pos,
      `running \`${stmt.keyword.text}\` as user \`${user}\` is accepted but not implemented by vigil yet; ignored. ` +
        'If it was meant as an argument, quote the whole command: keepalived reads words after the command as user and group',
    );
  }
  return line?.command;
}

/**
 * `weight N [reverse|noreverse]` as used by scripts, track files and track entries; `weightTok`
 * is the `weight` word itself and `rest` what follows it on the line.
 */
export function readWeight(
  weightTok: Token,
  rest: readonly Token[],
  ctx: BuildContext,
  range: readonly [number, number],
  reverseWords: readonly string[],
): { weight: number; reverse?: boolean } | undefined {
  const [valueTok, reverseTok, extra] = rest;
  if (!valueTok) {
    ctx.error(weightTok.pos, '`weight` needs a value');
    return undefined;
  }
  const weight = integer(range[0], range[1])(valueTok, ctx, 'weight');
  if (weight === undefined) return undefined;
  if (extra) {
    ctx.error(extra.pos, `unexpected \`${extra.text}\` after the weight`);
    return undefined;
  }
  if (!reverseTok) return { weight };
  if (!reverseWords.includes(reverseTok.text)) {
    const allowed = reverseWords.map((w) => `\`${w}\``).join(' or ');
    ctx.error(reverseTok.pos, `a weight may only be followed by ${allowed}, got \`${reverseTok.text}\``);
    return undefined;
  }
  return { weight, reverse: reverseTok.text === 'reverse' };
}
