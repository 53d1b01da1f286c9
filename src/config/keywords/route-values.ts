// The words of `ip route` / `ip rule` lines as keepalived 2.2.7 reads them: numbers in C's bases,
// tables, protocols and scopes by name or number, and prefixes with `default`.
import { type Family, maxPrefix, parseIp } from '../../inet/address.js';
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

/** The tables every rt_tables has; vigil does not read /etc/iproute2/rt_tables for others. */
const TABLES = { unspec: 0, default: 253, main: 254, local: 255 };
/** RT_SCOPE_*, as keepalived names them. */
const SCOPES = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
/** The routing protocols of iproute2's rt_protos (RTPROT_*). */
const PROTOCOLS = {
  unspec: 0,
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  gated: 8,
  ra: 9,
  mrt: 10,
  zebra: 11,
  bird: 12,
  dnrouted: 13,
  xorp: 14,
  ntk: 15,
  dhcp: 16,
  keepalived: 18,
  babel: 42,
  openr: 99,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
  eigrp: 192,
};

export const readTable = (tok: Token, ctx: BuildContext): number | undefined =>
  numberOrName(tok, ctx, '`table`', U32_MAX, TABLES);
export const readScope = (tok: Token, ctx: BuildContext): number | undefined =>
  numberOrName(tok, ctx, '`scope`', 255, SCOPES);
export const readProtocol = (tok: Token, ctx: BuildContext): number | undefined =>
  numberOrName(tok, ctx, '`protocol`', 255, PROTOCOLS);
export const readU32 = (tok: Token, ctx: BuildContext, what: string): number | undefined =>
  numberOrName(tok, ctx, `\`${what}\``, U32_MAX);
/** TOS / DS field: a number; vigil does not read the names of /etc/iproute2/rt_dsfield. */
export const readTos = (tok: Token, ctx: BuildContext): number | undefined => numberOrName(tok, ctx, '`tos`', 255);

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
