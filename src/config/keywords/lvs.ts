import { type IpAddress, maxPrefix, netmaskPrefix, parseIp, prefixRange } from '../../inet/address.js';
import { formatPos, type SourcePos } from '../diagnostics.js';
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
  field('weight', 'weight', integer(0, REAL_SERVER_WEIGHT_MAX)),
  ...(['notify_up', 'notify_down'] as const).map((name) =>
    custom<RealServer>(name, {
      args: [1, 3],
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
const DEFAULT_PERSISTENCE_TIMEOUT = 360;

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
      args: [1, 3],
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

// ---- what keepalived makes of a virtual_server -------------------------------------------------
//
// keepalived checks every virtual server once the whole configuration is read
// (validate_check_config) and corrects what it cannot program as written, logging each
// correction. vigil makes the same corrections, so it programs the same IPVS table, and reports
// each one as a warning at the words it overrides, saying how to write what is meant.

/** How a virtual server reaches IPVS: as address services, fwmark services, or (a group) both. */
interface Services {
  /** An address key, or a group with address entries: keepalived's "specified by address". */
  byAddress: boolean;
  /** A fwmark key, or a group whose entries are all fwmarks. */
  onlyFwmark: boolean;
  /** A fwmark key, or a group with any fwmark entry. */
  anyFwmark: boolean;
  group?: VirtualServerGroup;
}

function servicesOf(vs: VirtualServer, groups: readonly VirtualServerGroup[]): Services {
  const { key } = vs;
  if (key.kind !== 'group')
    return { byAddress: key.kind === 'ip', onlyFwmark: key.kind === 'fwmark', anyFwmark: key.kind === 'fwmark' };
  // An undefined group is reported by validation; it stands for no services.
  const group = groups.find((g) => g.name === key.name);
  const entries = group?.entries ?? [];
  const byAddress = entries.some((e) => e.kind !== 'fwmark');
  return {
    byAddress,
    onlyFwmark: !byAddress && entries.length > 0,
    anyFwmark: entries.some((e) => e.kind === 'fwmark'),
    group,
  };
}

/** The virtual_server line as written: `198.51.100.80 80`, `fwmark 7`, `group WEB`. */
function virtualServerText(vs: VirtualServer, ctx: BuildContext): string {
  return ctx.sites
    .get(vs, Sites.DEFINITION)!
    .args.map((a) => a.text)
    .join(' ');
}

/** Position of the port word of `stmt` (`real_server ADDR PORT`), else of its address. */
function portPos(stmt: Statement): SourcePos {
  return (stmt.args[1] ?? stmt.args[0] ?? stmt.keyword).pos;
}

/**
 * Resolves every virtual server once the whole configuration is read (groups may come later in
 * the file): keepalived's corrections, then the defaults that depend on the whole block.
 */
export function resolveVirtualServers(
  config: { virtualServers: VirtualServer[]; virtualServerGroups: VirtualServerGroup[] },
  ctx: BuildContext,
): void {
  config.virtualServers = config.virtualServers.filter((vs) => hasRealServers(vs, ctx));
  for (const vs of config.virtualServers) resolveVirtualServer(vs, servicesOf(vs, config.virtualServerGroups), ctx);
}

function resolveVirtualServer(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  resolveProtocol(vs, services, ctx);
  resolveOnePacket(vs, services, ctx);
  resolveHaSuspend(vs, services, ctx);
  persistPortless(vs, services, ctx);
  if (vs.key.kind === 'fwmark') {
    const familyWord = ctx.sites.get(vs, 'ip_family')?.args[0]?.text;
    const family: Family = familyWord === 'inet6' ? 6 : familyWord === 'inet' ? 4 : (vs.realServers[0]?.family ?? 4);
    vs.key.family = family;
  }
  resolvePorts(vs, services, ctx);
  removeDuplicateRealServers(vs, ctx);
  capQuorum(vs, ctx);
  for (const rs of vs.realServers) {
    if (!ctx.sites.has(rs, 'inhibit_on_failure')) rs.inhibitOnFailure = vs.inhibitOnFailure;
    for (const checker of rs.checkers) resolveChecker(checker, rs, vs, ctx);
  }
}

/** keepalived ignores a virtual server without real servers, whatever else it has. */
function hasRealServers(vs: VirtualServer, ctx: BuildContext): boolean {
  if (vs.realServers.length > 0) return true;
  // real_server lines that were all invalid have been reported already.
  if (!ctx.sites.has(vs, 'real_server')) {
    const sorry = vs.sorryServer ? ' (its sorry_server too)' : '';
    ctx.warning(
      vs.pos,
      `virtual_server \`${virtualServerText(vs, ctx)}\` has no \`real_server\`: keepalived ignores the whole virtual server${sorry}, and so does vigil; add the real servers, or delete the block`,
    );
  }
  return false;
}

/** Address services need a protocol (keepalived: UDP when unset); fwmark services have none. */
function resolveProtocol(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const stmt = ctx.sites.get(vs, 'protocol');
  if (services.byAddress && !stmt) {
    ctx.warning(
      vs.pos,
      'no `protocol` in this virtual_server: keepalived programs it as UDP, and so does vigil; add `protocol TCP` if TCP is meant',
    );
  } else if (services.onlyFwmark && stmt) {
    const what = services.group
      ? `virtual_server_group \`${services.group.name}\` has only fwmark entries, and a fwmark service`
      : 'a fwmark virtual_server';
    ctx.warning(
      stmt.keyword.pos,
      `\`protocol\` is ignored: ${what} takes packets by their firewall mark, whatever their protocol; keepalived ignores it, and so does vigil; remove it, and match the protocol where the mark is set`,
    );
  }
}

/** ha_suspend follows a VIP, and a firewall mark has none: keepalived turns it off for fwmarks. */
function resolveHaSuspend(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const stmt = ctx.sites.get(vs, 'ha_suspend');
  if (!stmt || !services.anyFwmark) return;
  vs.haSuspend = false;
  ctx.warning(
    stmt.keyword.pos,
    '`ha_suspend` cannot follow a fwmark service: a mark has no address for VRRP to hold; keepalived turns it off, and so does vigil, so the service is programmed whatever the VRRP state; remove `ha_suspend`',
  );
}

/** One-packet scheduling is for UDP; keepalived turns it off on other address services. */
function resolveOnePacket(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const ops = ctx.sites.get(vs, 'ops');
  if (!ops || !services.byAddress || vs.protocol === 'UDP') return;
  vs.onePacket = false;
  ctx.warning(
    ops.keyword.pos,
    `\`ops\` (one-packet scheduling) needs UDP, but this virtual_server is ${vs.protocol}: keepalived turns it off, and so does vigil; remove \`ops\`, or set \`protocol UDP\` if UDP is meant`,
  );
}

/**
 * An address service without a port (written as none or 0) takes every port, which IPVS allows
 * only for a persistent service: keepalived makes it persistent for its default 360 seconds.
 */
function persistPortless(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  if (vs.persistenceTimeout !== undefined) return;
  const fix = `keepalived makes it persistent with \`persistence_timeout ${DEFAULT_PERSISTENCE_TIMEOUT}\`, and so does vigil`;
  const portless = services.group?.entries.find((e) => e.kind !== 'fwmark' && e.port === 0);
  if (vs.key.kind === 'ip' && vs.key.port === 0) {
    ctx.warning(
      portPos(ctx.sites.get(vs, Sites.DEFINITION)!),
      `a virtual_server without a port is only valid when persistent: ${fix}; add the port, or set \`persistence_timeout\` to choose the timeout`,
    );
  } else if (portless) {
    ctx.warning(
      portless.pos,
      `this virtual_server_group entry has no port, which is only valid for a persistent service, and \`virtual_server group ${services.group!.name}\` at ${formatPos(vs.pos)} is not persistent: ${fix}; add the port here, or set \`persistence_timeout\` in that virtual_server to choose the timeout`,
    );
  } else {
    return;
  }
  vs.persistenceTimeout = DEFAULT_PERSISTENCE_TIMEOUT;
}

/**
 * Real and sorry server ports as keepalived programs them. NAT translates to any port: an
 * omitted real server port is the virtual server's. DR and TUN deliver packets to the port they
 * were sent to, so keepalived sets the virtual server's port (none for a fwmark), correcting a
 * different one; for a group it only warns, and sends each entry its own port (see desiredTable).
 */
function resolvePorts(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const { key } = vs;
  const servers: { server: { port: number }; what: string; stmt: Statement }[] = vs.realServers.map((rs) => ({
    server: rs,
    what: 'real_server',
    stmt: ctx.sites.get(rs, Sites.DEFINITION)!,
  }));
  if (vs.sorryServer)
    servers.push({ server: vs.sorryServer, what: 'sorry_server', stmt: ctx.sites.get(vs, 'sorry_server')! });
  const nat = vs.lbKind === 'NAT';
  const useNat = `or use \`lvs_method NAT\` to translate ports`;
  for (const { server, what, stmt } of servers) {
    const why = `with \`lvs_method ${vs.lbKind}\` packets reach the ${what} on the port they were sent to`;
    const at = portPos(stmt);
    if (key.kind === 'ip') {
      // keepalived leaves a NAT sorry server without a port at 0: IPVS then uses the service's.
      if (server.port === 0 && (!nat || what === 'real_server')) server.port = key.port;
      else if (!nat && server.port !== key.port) {
        ctx.warning(
          at,
          `\`${what}\` port ${server.port} differs from the virtual_server's port ${key.port}: ${why}, so keepalived sets it to ${key.port}, and so does vigil; write port ${key.port} or no port, ${useNat}`,
        );
        server.port = key.port;
      }
    } else if (nat || server.port === 0) {
    } else if (key.kind === 'fwmark') {
      ctx.warning(
        at,
        `a fwmark virtual_server has no port for a \`${what}\` to match: ${why}, so keepalived clears port ${server.port}, and so does vigil; write no port, ${useNat}`,
      );
      server.port = 0;
    } else {
      const entry = services.group?.entries.find((e) => e.kind === 'fwmark' || e.port !== server.port);
      if (!entry) continue;
      const entryText =
        entry.kind === 'fwmark'
          ? `fwmark ${entry.mark}, which has no port`
          : `port ${entry.port} at ${formatPos(entry.pos)}`;
      const programmed = entry.kind === 'fwmark' ? 'no port' : `port ${entry.port}`;
      const checks = what === 'real_server' ? ' (its checks connect to it)' : '';
      ctx.warning(
        at,
        `\`${what}\` port ${server.port} does not match virtual_server_group \`${services.group!.name}\` (${entryText}): ${why}, so keepalived keeps port ${server.port}${checks} but programs ${programmed} for that entry, and so does vigil; make the ports match, ${useNat}`,
      );
    }
  }
}

/** keepalived removes a real server listed twice (same address and port), keeping the first. */
function removeDuplicateRealServers(vs: VirtualServer, ctx: BuildContext): void {
  const seen = new Map<string, RealServer>();
  vs.realServers = vs.realServers.filter((rs) => {
    const id = `${rs.address}|${rs.port}`;
    const first = seen.get(id);
    if (!first) {
      seen.set(id, rs);
      return true;
    }
    ctx.warning(
      ctx.sites.get(rs, Sites.DEFINITION)!.args[0]!.pos,
      `real_server \`${rs.address} ${rs.port}\` is already listed at ${formatPos(first.pos)} in this virtual_server: keepalived removes this second one, and so does vigil; delete it, or merge its settings into the first`,
    );
    return false;
  });
}

/**
 * A quorum above the total weight of the real servers could never be reached: keepalived lowers
 * it to that total, then keeps hysteresis below the quorum.
 */
function capQuorum(vs: VirtualServer, ctx: BuildContext): void {
  const total = vs.realServers.reduce((sum, rs) => sum + rs.weight, 0);
  if (vs.quorum > total) {
    const stmt = ctx.sites.get(vs, 'quorum');
    const what = stmt ? `\`quorum ${vs.quorum}\`` : `the default \`quorum\` of ${vs.quorum}`;
    ctx.warning(
      stmt?.args[0]?.pos ?? vs.pos,
      `${what} exceeds the total weight of the real servers, ${total}, so it could never be reached: keepalived lowers it to ${total}, and so does vigil; set \`quorum\` to at most ${total}, or raise the weights`,
    );
    vs.quorum = total;
  }
  const highest = Math.max(0, vs.quorum - 1);
  if (vs.hysteresis >= vs.quorum && vs.hysteresis !== highest) {
    const stmt = ctx.sites.get(vs, 'hysteresis');
    ctx.warning(
      stmt?.args[0]?.pos ?? vs.pos,
      `\`hysteresis ${vs.hysteresis}\` is not below the quorum, ${vs.quorum}: keepalived sets it to ${highest}, and so does vigil; set \`hysteresis\` below the quorum`,
    );
    vs.hysteresis = highest;
  }
}

export const lvsTables = [virtualServerBlock, realServerBlock] as const;
