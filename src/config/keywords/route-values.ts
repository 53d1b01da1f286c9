// The words of `ip route` / `ip rule` lines as keepalived 2.2.7 reads them: numbers in C's bases,
// tables, protocols, scopes, realms and DS fields by number or by /etc/iproute2's names, and
// prefixes with `default`.
import { type Family, maxPrefix, parseIp } from '../../inet/address.js';
import { NAME_FILES, type NameKind } from '../iproute2-names.js';
import type { Token } from '../lexer.js';
import type { IpPrefix } from '../types.js';
import type { BuildContext } from './table.js';

const U32_MAX = 0xffff_ffff;

/** C's strtoul with base 0: 0x1f hex, 017 octal, 15 decimal; undefined for anything else. */
export function cUnsigned(text: string): number | undefined {
  const value = /^0x[0-9a-f]+$/i.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^0[0-7]*$/.test(text)
      ? Number.parseInt(text, 8)
      : /^[1-9]\d*$/.test(text)
        ? Number(text)
        : Number.NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A number of at most `max` (C's bases), or `names` mapped, else an error at the word. */
export function numberOrName(
  tok: Token,
  ctx: BuildContext,
  what: string,
  max: number,
  names: Readonly<Record<string, number>> = {},
): number | undefined {
  const named = Object.hasOwn(names, tok.text) ? names[tok.text] : undefined;
  const value = named ?? cUnsigned(tok.text);
  if (value !== undefined && value <= max) return value;
  const known = Object.keys(names);
  const listed = known.length > 0 ? `${known.map((n) => `\`${n}\``).join(', ')} or ` : '';
  ctx.error(tok.pos, `${what} must be ${listed}a number from 0 to ${max}, got \`${tok.text}\``);
  return undefined;
}

/** The names known for `kind`, listed for an error, or nothing when there are none. */
function knownNames(ctx: BuildContext, kind: NameKind): string {
  const known = ctx.names.names(kind);
  return known.length > 0 ? ` (${known.map((n) => `\`${n}\``).join(', ')})` : '';
}

/**
 * A word of `kind` as keepalived reads it: a number up to the kind's maximum, or a name of its
 * /etc/iproute2 file (or of keepalived's built-in names); anything else is an error at the word.
 */
function named(tok: Token, ctx: BuildContext, kind: NameKind, what: string): number | undefined {
  const value = ctx.names.lookup(kind, tok.text);
  if (value !== undefined) return value;
  const { path, max } = NAME_FILES[kind];
  ctx.error(
    tok.pos,
    `${what} must be a number from 0 to ${max} or a name in ${path}${knownNames(ctx, kind)}, got \`${tok.text}\``,
  );
  return undefined;
}

export const readTable = (tok: Token, ctx: BuildContext): number | undefined => named(tok, ctx, 'table', '`table`');
export const readScope = (tok: Token, ctx: BuildContext): number | undefined => named(tok, ctx, 'scope', '`scope`');
export const readProtocol = (tok: Token, ctx: BuildContext): number | undefined =>
  named(tok, ctx, 'protocol', '`protocol`');
/** TOS / DS field, by number or by a name of rt_dsfield. */
export const readTos = (tok: Token, ctx: BuildContext): number | undefined => named(tok, ctx, 'dsfield', '`tos`');

/**
 * `realms [FROM/]TO`, each a number up to 255 or a name of rt_realms: RTA_FLOW / FRA_FLOW's
 * value, FROM in the upper 16 bits.
 */
export function readRealms(tok: Token, ctx: BuildContext): number | undefined {
  const parts = tok.text.split('/');
  const ids = parts.map((part) => ctx.names.lookup('realm', part));
  if (parts.length <= 2 && ids.every((id) => id !== undefined)) return ids.reduce((flow, id) => flow * 65536 + id, 0);
  ctx.error(
    tok.pos,
    `\`realms\` must be [FROM/]TO, each a number from 0 to 255 or a name in ${NAME_FILES.realm.path}${knownNames(ctx, 'realm')}, got \`${tok.text}\``,
  );
  return undefined;
}

export const readU32 = (tok: Token, ctx: BuildContext, what: string): number | undefined =>
  numberOrName(tok, ctx, `\`${what}\``, U32_MAX);

/** A prefix and its family; `default`, `any` and `all` have no family of their own. */
export interface ParsedPrefix {
  prefix: IpPrefix;
  family?: Family;
}

const ANY = new Set(['default', 'any', 'all']);

/** `ADDRESS[/LEN]` (a host without a length) or `default` / `any` / `all`. */
export function readPrefix(tok: Token, ctx: BuildContext, what: string): ParsedPrefix | undefined {
  if (ANY.has(tok.text)) return { prefix: { address: '', prefix: 0 } };
  const [addressText, lengthText, ...rest] = tok.text.split('/');
  const ip = parseIp(addressText!);
  const limit = ip ? maxPrefix(ip.family) : 0;
  const length = lengthText === undefined ? limit : /^\d+$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (!ip || rest.length > 0 || !(length <= limit)) {
    ctx.error(tok.pos, `${what} must be an address with an optional /length, or \`default\`; got \`${tok.text}\``);
    return undefined;
  }
  return { prefix: { address: ip.address, prefix: length }, family: ip.family };
}

/** The /0 of `default` given its family once the line is read. */
export function settlePrefix(prefix: IpPrefix, family: Family): IpPrefix {
  return prefix.address === '' ? { address: family === 4 ? '0.0.0.0' : '::', prefix: 0 } : prefix;
}
