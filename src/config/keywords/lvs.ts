import { type IpAddress, maxPrefix, netmaskPrefix, parseIp, prefixRange } from '../../inet/address.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import {
  type Family,
  type RealServer,
  SCHEDULERS,
  type VirtualServer,
  type VirtualServerGroup,
  type VirtualServerGroupEntry,
  type VirtualServerKey,
} from '../types.js';
import { checkDefaultKeywords, checkerKeywords, resolveChecker, virtualhostKeyword } from './checkers.js';
import {
  ARGS,
  applyBlock,
  type BuildContext,
  custom,
  defineBlock,
  field,
  flag,
  type KeywordSpec,
  Sites,
  toggle,
  type ValueParser,
} from './table.js';
import { INT32_MAX, integer, oneOf, port, readIp, readIpWithPrefix, readNotifyCommand } from './values.js';

const FWMARK_MAX = 0xffffffff;
const fwmark = integer(1, FWMARK_MAX);

/**
 * An optional port argument: 0 when absent or written as zero (keepalived reads `0` as "no port"),
 * undefined after reporting a bad one.
 */
function optionalPort(tok: Token | undefined, ctx: BuildContext, keyword: string): number | undefined {
  if (!tok || /^0+$/.test(tok.text)) return 0;
  return port(tok, ctx, keyword);
}

// ---- virtual_server_group ------------------------------------------------------------------

/**
 * The address part of a group line: `ADDR`, `ADDR/PREFIX`, `ADDR-LAST` (last IPv4 octet or
 * IPv6 group) or `ADDR-ADDR`.
 */
function readGroupAddress(tok: Token, ctx: BuildContext): { first: IpAddress; last: IpAddress } | undefined {
  if (tok.text.includes('/')) {
    const parsed = readIpWithPrefix(tok, ctx, 'virtual_server_group');
    return parsed && prefixRange(parsed.ip, parsed.prefix ?? maxPrefix(parsed.ip.family));
  }
  const [firstText, lastText, ...rest] = tok.text.split('-');
  const first = parseIp(firstText!);
  if (!first || rest.length > 0) {
    ctx.error(tok.pos, `\`virtual_server_group\`: \`${tok.text}\` is not an address, address/prefix or address range`);
    return undefined;
  }
  if (lastText === undefined) return { first, last: first };
  const last = parseIp(lastText) ?? lastComponentReplaced(first, lastText);
  const invalid = (reason: string): undefined => {
    ctx.error(tok.pos, `\`virtual_server_group\`: range \`${tok.text}\` is invalid: ${reason}`);
    return undefined;
  };
  if (!last)
    return invalid(
      `its end \`${lastText}\` is neither an address nor a last ${first.family === 4 ? 'octet' : 'group'}`,
    );
  if (last.family !== first.family) return invalid('it mixes IPv4 and IPv6');
  if (compareIp(last, first) < 0) return invalid('it ends before it starts');
  return { first, last };
}

/** `198.51.100.1` + `20` → `198.51.100.20`; `2001:db8::1` + `ff` → `2001:db8::ff`. */
function lastComponentReplaced(first: IpAddress, component: string): IpAddress | undefined {
  const valid =
    first.family === 4 ? /^\d{1,3}$/.test(component) && Number(component) <= 255 : /^[0-9a-fA-F]{1,4}$/.test(component);
  if (!valid) return undefined;
  const text =
    first.family === 4
      ? first.address.replace(/\d+$/, component)
      : `${first.address.replace(/:[0-9a-f]*$/, '')}:${component}`;
  return parseIp(text);
}

function compareIp(a: IpAddress, b: IpAddress): number {
  for (let i = 0; i < a.bytes.length; i++) {
    const d = a.bytes[i]! - b.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function readGroupEntry(line: Statement, ctx: BuildContext): VirtualServerGroupEntry | undefined {
  const pos = line.keyword.pos;
  if (line.keyword.text === 'fwmark') {
    const [markTok, familyTok, extra] = line.args;
    if (!markTok || extra) {
      ctx.error(
        (extra ?? line.keyword).pos,
        '`fwmark` in a virtual_server_group takes a mark and optionally `inet` or `inet6`',
      );
      return undefined;
    }
    const mark = fwmark(markTok, ctx, 'fwmark');
    if (mark === undefined) return undefined;
    if (!familyTok) return { kind: 'fwmark', mark, pos };
    const family = oneOf(['inet', 'inet6'] as const)(familyTok, ctx, 'fwmark');
    return family && { kind: 'fwmark', mark, family: family === 'inet' ? 4 : 6, pos };
  }
  const [portTok, extra] = line.args;
  if (extra) {
    ctx.error(
      extra.pos,
      `unexpected \`${extra.text}\`: a virtual_server_group line is \`ADDRESS [PORT]\` or \`fwmark MARK\``,
    );
    return undefined;
  }
  const range = readGroupAddress(line.keyword, ctx);
  const entryPort = optionalPort(portTok, ctx, 'virtual_server_group');
  if (!range || entryPort === undefined) return undefined;
  const { first, last } = range;
  if (first.address === last.address)
    return { kind: 'ip', address: first.address, family: first.family, port: entryPort, pos };
  return { kind: 'range', first: first.address, last: last.address, family: first.family, port: entryPort, pos };
}

export function readVirtualServerGroupEntries(group: VirtualServerGroup, stmt: Statement, ctx: BuildContext): void {
  for (const line of stmt.block ?? []) {
    if (line.block) {
      ctx.error(line.keyword.pos, '`virtual_server_group` entries cannot open a `{ ... }` block');
      continue;
    }
    const entry = readGroupEntry(line, ctx);
    if (entry) group.entries.push(entry);
  }
}

// ---- real_server ---------------------------------------------------------------------------

/** IPVS weights are a non-negative int32; keepalived keeps INT32_MAX for its fault state. */
const REAL_SERVER_WEIGHT_MAX = INT32_MAX - 1;

const realServerBlock = defineBlock<RealServer>('real_server', [
  toggle('smtp_alert', 'smtpAlert'),
  field('weight', 'weight', integer(0, REAL_SERVER_WEIGHT_MAX)),
  ...(['notify_up', 'notify_down'] as const).map((name) =>
    custom<RealServer>(name, {
      // The command's words are counted as keepalived reads them, by readNotifyCommand.
      args: ARGS.atLeastOne,
      apply(rs, stmt, ctx) {
        const command = readNotifyCommand(stmt, ctx);
        if (command) rs[name === 'notify_up' ? 'notifyUp' : 'notifyDown'] = command;
      },
    }),
  ),
  field('uthreshold', 'uthreshold', integer(0)),
  field('lthreshold', 'lthreshold', integer(0)),
  toggle('inhibit_on_failure', 'inhibitOnFailure'),
  virtualhostKeyword,
  ...checkDefaultKeywords,
  ...checkerKeywords,
]);

const realServerKeyword = custom<VirtualServer>('real_server', {
  args: [1, 2],
  block: 'optional',
  repeatable: true,
  apply(vs, stmt, ctx) {
    const ip = readIp(stmt.args[0]!, ctx, 'real_server');
    const rsPort = optionalPort(stmt.args[1], ctx, 'real_server');
    if (!ip || rsPort === undefined) return;
    const rs: RealServer = {
      pos: stmt.keyword.pos,
      address: ip.address,
      family: ip.family,
      port: rsPort,
      weight: 1,
      inhibitOnFailure: false,
      checkers: [],
    };
    ctx.sites.note(rs, Sites.DEFINITION, stmt);
    applyBlock(realServerBlock, stmt.block ?? [], rs, ctx);
    vs.realServers.push(rs);
  },
});

// ---- virtual_server ------------------------------------------------------------------------

/** Persistence without a value means keepalived's default of 6 minutes. */
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;

const persistenceGranularity: ValueParser<string> = (tok, ctx, keyword) => {
  const ip = parseIp(tok.text);
  if (ip && netmaskPrefix(ip) !== undefined) return ip.address;
  if (/^\d+$/.test(tok.text) && Number(tok.text) >= 1 && Number(tok.text) <= 128) return tok.text;
  ctx.error(
    tok.pos,
    `\`${keyword}\` expects an IPv4 netmask such as 255.255.255.0 or an IPv6 prefix length, got \`${tok.text}\``,
  );
  return undefined;
};

const SCHED_FLAGS = {
  'sh-port': 'shPort',
  'sh-fallback': 'shFallback',
  'mh-port': 'mhPort',
  'mh-fallback': 'mhFallback',
} as const;

const virtualServerBlock = defineBlock<VirtualServer>('virtual_server', [
  toggle('smtp_alert', 'smtpAlert'),
  field('lvs_sched', 'scheduler', oneOf(SCHEDULERS), ['lb_algo']),
  ...Object.entries(SCHED_FLAGS).map(([name, key]) =>
    custom<VirtualServer>(name, {
      args: ARGS.none,
      apply(vs) {
        vs.schedFlags[key] = true;
      },
    }),
  ),
  field('lvs_method', 'lbKind', oneOf(['NAT', 'DR', 'TUN'] as const), ['lb_kind']),
  custom('persistence_timeout', {
    args: ARGS.optional,
    apply(vs, stmt, ctx) {
      const timeout = stmt.args[0] ? integer(0)(stmt.args[0], ctx, 'persistence_timeout') : DEFAULT_PERSISTENCE_TIMEOUT;
      // 0 is how keepalived configurations say "not persistent".
      if (timeout === 0) delete vs.persistenceTimeout;
      else if (timeout !== undefined) vs.persistenceTimeout = timeout;
    },
  }),
  field('persistence_granularity', 'persistenceGranularity', persistenceGranularity),
  field('protocol', 'protocol', oneOf(['TCP', 'UDP', 'SCTP'] as const)),
  flag('ha_suspend', 'haSuspend'),
  flag('ops', 'onePacket'),
  toggle('omega', 'omega'),
  field('quorum', 'quorum', integer(0)),
  field('hysteresis', 'hysteresis', integer(0)),
  ...(['quorum_up', 'quorum_down'] as const).map((name) =>
    custom<VirtualServer>(name, {
      // The command's words are counted as keepalived reads them, by readNotifyCommand.
      args: ARGS.atLeastOne,
      apply(vs, stmt, ctx) {
        const command = readNotifyCommand(stmt, ctx);
        if (command) vs[name === 'quorum_up' ? 'quorumUp' : 'quorumDown'] = command;
      },
    }),
  ),
  // Only matters for fwmark services; read when the family is worked out.
  custom('ip_family', {
    args: ARGS.one,
    apply(_vs, stmt, ctx) {
      oneOf(['inet', 'inet6'])(stmt.args[0]!, ctx, 'ip_family');
    },
  }),
  custom('sorry_server', {
    args: [1, 2],
    apply(vs, stmt, ctx) {
      const ip = readIp(stmt.args[0]!, ctx, 'sorry_server');
      const sorryPort = optionalPort(stmt.args[1], ctx, 'sorry_server');
      if (ip && sorryPort !== undefined)
        vs.sorryServer = { address: ip.address, port: sorryPort, family: ip.family, pos: stmt.args[0]!.pos };
    },
  }),
  flag('sorry_server_inhibit', 'sorryServerInhibit'),
  toggle('inhibit_on_failure', 'inhibitOnFailure'),
  virtualhostKeyword,
  ...checkDefaultKeywords,
  realServerKeyword,
]);

/** `virtual_server ADDRESS [PORT]`, `virtual_server fwmark MARK` or `virtual_server group NAME`. */
function readVirtualServerKey(stmt: Statement, ctx: BuildContext): VirtualServerKey | undefined {
  const [first, second] = stmt.args;
  if (first!.text === 'fwmark' || first!.text === 'group') {
    if (!second) {
      ctx.error(
        first!.pos,
        `\`virtual_server ${first!.text}\` needs a ${first!.text === 'fwmark' ? 'mark' : 'group name'}`,
      );
      return undefined;
    }
    if (first!.text === 'group') return { kind: 'group', name: second.text };
    const mark = fwmark(second, ctx, 'virtual_server fwmark');
    return mark === undefined ? undefined : { kind: 'fwmark', mark, family: 4 };
  }
  const ip = readIp(first!, ctx, 'virtual_server');
  const vsPort = optionalPort(second, ctx, 'virtual_server');
  if (!ip || vsPort === undefined) return undefined;
  return { kind: 'ip', address: ip.address, family: ip.family, port: vsPort };
}

export const virtualServerKeyword: KeywordSpec<{ virtualServers: VirtualServer[] }> = custom('virtual_server', {
  args: [1, 2],
  block: true,
  repeatable: true,
  apply(config, stmt, ctx) {
    const key = readVirtualServerKey(stmt, ctx);
    if (!key) return;
    const vs: VirtualServer = {
      pos: stmt.keyword.pos,
      key,
      // keepalived's default: it programs an address service without `protocol` as UDP.
      protocol: 'UDP',
      scheduler: 'wlc',
      schedFlags: { shPort: false, shFallback: false, mhPort: false, mhFallback: false },
      lbKind: 'NAT',
      delayLoop: 60,
      haSuspend: false,
      onePacket: false,
      alpha: false,
      omega: false,
      quorum: 1,
      hysteresis: 0,
      sorryServerInhibit: false,
      inhibitOnFailure: false,
      realServers: [],
    };
    ctx.sites.note(vs, Sites.DEFINITION, stmt);
    applyBlock(virtualServerBlock, stmt.block!, vs, ctx);
    config.virtualServers.push(vs);
  },
});

/**
 * Fills in what depends on the whole block and the rest of the file, once keepalived's
 * corrections (../lvs-corrections.ts) have been made: a fwmark service's family, and what real
 * servers and their checkers inherit.
 */
export function resolveVirtualServer(vs: VirtualServer, ctx: BuildContext): void {
  if (vs.key.kind === 'fwmark') {
    const familyWord = ctx.sites.get(vs, 'ip_family')?.args[0]?.text;
    const family: Family = familyWord === 'inet6' ? 6 : familyWord === 'inet' ? 4 : (vs.realServers[0]?.family ?? 4);
    vs.key.family = family;
  }
  for (const rs of vs.realServers) {
    if (!ctx.sites.has(rs, 'inhibit_on_failure')) rs.inhibitOnFailure = vs.inhibitOnFailure;
    for (const checker of rs.checkers) resolveChecker(checker, rs, vs, ctx);
  }
}

export const lvsTables = [virtualServerBlock, realServerBlock] as const;
