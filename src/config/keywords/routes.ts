// static_routes / virtual_routes and static_rules / virtual_rules: one `ip route` / `ip rule`
// line each, read as keepalived 2.2.7 reads them (vrrp_iproute.c, vrrp_iprule.c), and
// static_ipaddress, whose lines are virtual_ipaddress lines.
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import { closestMatch } from '../suggest.js';
import {
  type IpPrefix,
  PROTOCOL_KEEPALIVED,
  ROUTE_TYPES,
  type Route,
  type RouteType,
  type Rule,
  type RuleAction,
} from '../types.js';
import { LineReader } from './line-reader.js';
import {
  cUnsigned,
  numberOrName,
  readPrefix,
  readProtocol,
  readRealms,
  readScope,
  readTable,
  readTos,
  readU32,
  settlePrefix,
} from './route-values.js';
import { ARGS, type BuildContext, custom, type KeywordSpec, listLines } from './table.js';

const MAIN_TABLE = 254;

/** Route metrics (RTA_METRICS) vigil does not set: the option and its value are skipped. */
const ROUTE_METRICS: Readonly<Record<string, boolean>> = {
  // option → whether `lock` may come before the value
  mtu: true,
  advmss: true,
  rtt: true,
  rttvar: true,
  reordering: true,
  cwnd: true,
  ssthresh: true,
  rto_min: true,
  congctl: true,
  window: false,
  initcwnd: false,
  initrwnd: false,
  hoplimit: false,
  features: false,
  quickack: false,
  fastopen_no_cookie: false,
  pref: false,
  'ttl-propagate': false,
};
/** Options that change where a route leads: without them it would be another route, so it is left out. */
const ROUTE_UNSUPPORTED = ['encap', 'as', 'vrf', 'expires'];
/** Rule selectors vigil does not send: without them the rule would match more, so it is left out. */
const RULE_UNSUPPORTED = [
  'suppress_prefixlength',
  'sup_pl',
  'suppress_ifgroup',
  'sup_group',
  'tunnel-id',
  'uidrange',
  'l3mdev',
  'ipproto',
  'sport',
  'dport',
];

const ROUTE_OPTIONS = [
  'inet',
  'inet6',
  'src',
  'via',
  'gw',
  'from',
  'tos',
  'dsfield',
  'table',
  'protocol',
  'scope',
  'metric',
  'priority',
  'preference',
  'dev',
  'oif',
  'onlink',
  'add',
  'prepend',
  'append',
  'no_track',
  'track_group',
  'to',
  'nexthop',
  'or',
  ...ROUTE_TYPES,
  ...Object.keys(ROUTE_METRICS),
  ...ROUTE_UNSUPPORTED,
];

interface RouteDraft extends Omit<Route, 'family' | 'to' | 'protocol' | 'pos'> {
  to?: IpPrefix;
  protocol?: number;
}

/** Reads one option of a route line into `draft`; false after an error, 'skip' for a line left out. */
function readRouteOption(tok: Token, r: LineReader, draft: RouteDraft, staticEntry: boolean): boolean | 'skip' {
  const { ctx } = r;
  const value = () => r.take(tok);
  const address = (what: string): string | undefined => readHost(value(), r, what);
  const set = <K extends keyof RouteDraft>(key: K, v: RouteDraft[K] | undefined): boolean => {
    if (v === undefined) return false;
    draft[key] = v;
    return true;
  };
  switch (tok.text) {
    case 'inet':
    case 'inet6':
      return r.setFamilyByWord(tok);
    case 'src':
      return set('src', address('`src`'));
    case 'gw':
    case 'via': {
      if (tok.text === 'gw') ctx.warning(tok.pos, '`gw` is deprecated in keepalived; use `via`');
      const familyWord = r.peek()?.text;
      if (familyWord === 'inet' || familyWord === 'inet6') r.setFamily(familyWord === 'inet' ? 4 : 6, r.take()!);
      return set('via', address('`via`'));
    }
    case 'from': {
      const v = value();
      const parsed = v && readPrefix(v, ctx, '`from`');
      if (!parsed || !v) return false;
      if (parsed.family !== 6) {
        ctx.error(v.pos, '`from` (a source prefix) is only for IPv6 routes; `src` sets the preferred source');
        return false;
      }
      return r.setFamily(6, v) && set('from', parsed.prefix);
    }
    case 'tos':
    case 'dsfield': {
      const v = value();
      return set('tos', v && readTos(v, ctx));
    }
    case 'table': {
      const v = value();
      return set('table', v && readTable(v, ctx));
    }
    case 'realms': {
      const v = value();
      return set('realms', v && readRealms(v, ctx)) && ipv4Only(v!, r);
    }
    case 'protocol': {
      const v = value();
      return set('protocol', v && readProtocol(v, ctx));
    }
    case 'scope': {
      const v = value();
      return set('scope', v && readScope(v, ctx));
    }
    case 'metric':
    case 'priority':
    case 'preference': {
      const v = value();
      return set('metric', v && readU32(v, ctx, tok.text));
    }
    case 'dev':
    case 'oif':
      return set('dev', value()?.text);
    case 'onlink':
      draft.onlink = true;
      return true;
    case 'add':
    case 'prepend':
    case 'append':
      draft.mode = tok.text;
      return true;
    case 'no_track':
      draft.track = false;
      return true;
    case 'track_group':
      if (staticEntry) return r.skipOption(tok, 1);
      break;
    case 'or':
      return readOr(tok, r, draft);
    case 'nexthop':
      return readNextHops(tok, r, draft);
  }
  if (Object.hasOwn(ROUTE_METRICS, tok.text)) return r.skipOption(tok, 1, ROUTE_METRICS[tok.text]);
  if (ROUTE_UNSUPPORTED.includes(tok.text)) return r.skipLine(tok) ?? 'skip';
  return readDestination(tok, r, draft);
}

/** `realms` are IPv4's alone: keepalived makes the line IPv4 when nothing said otherwise yet. */
function ipv4Only(tok: Token, r: LineReader): boolean {
  if (r.family === 6) {
    r.ctx.error(tok.pos, `\`realms\` are only for IPv4, and this ${r.what} is IPv6`);
    return false;
  }
  return r.setFamily(4, tok);
}

/** A single address of the line's family. */
function readHost(tok: Token | undefined, r: LineReader, what: string): string | undefined {
  const parsed = tok && readPrefix(tok, r.ctx, what);
  if (!parsed || !tok || !r.setFamily(parsed.family, tok)) return undefined;
  if (parsed.prefix.prefix !== (parsed.family === 6 ? 128 : 32) || parsed.prefix.address === '') {
    r.ctx.error(tok.pos, `${what} must be a single address, got \`${tok.text}\``);
    return undefined;
  }
  return parsed.prefix.address;
}

/** keepalived's older `via A or B` (deprecated there): two paths, A and B. */
function readOr(tok: Token, r: LineReader, draft: RouteDraft): boolean {
  r.ctx.warning(tok.pos, '`or` is deprecated in keepalived; use `nexthop via A nexthop via B`');
  if (draft.nexthops) {
    r.ctx.error(tok.pos, 'a route takes one `or`, and not beside `nexthop`');
    return false;
  }
  const other = readHost(r.take(tok), r, '`or`');
  if (!other) return false;
  draft.nexthops = [
    { via: draft.via, onlink: false },
    { via: other, onlink: false },
  ];
  delete draft.via;
  return true;
}

/** `nexthop [via A] [dev D] [weight N] [onlink]`, repeated to the end of the line. */
function readNextHops(first: Token, r: LineReader, draft: RouteDraft): boolean | 'skip' {
  if (draft.nexthops) {
    r.ctx.error(first.pos, '`nexthop` cannot follow `or`');
    return false;
  }
  draft.nexthops = [];
  for (let tok: Token | undefined = first; tok; tok = r.take()) {
    if (tok.text === 'nexthop') {
      draft.nexthops.push({ onlink: false });
      continue;
    }
    const hop = draft.nexthops.at(-1)!;
    if (tok.text === 'onlink') hop.onlink = true;
    else if (tok.text === 'via') {
      const familyWord = r.peek()?.text;
      if (familyWord === 'inet' || familyWord === 'inet6') r.setFamily(familyWord === 'inet' ? 4 : 6, r.take()!);
      hop.via = readHost(r.take(tok), r, '`via`');
      if (!hop.via) return false;
    } else if (tok.text === 'dev') {
      hop.dev = r.take(tok)?.text;
      if (!hop.dev) return false;
    } else if (tok.text === 'weight') {
      const v = r.take(tok);
      hop.weight = v && numberOrName(v, r.ctx, '`weight`', 256);
      if (hop.weight === undefined) return false;
      if (hop.weight === 0) {
        r.ctx.error(v!.pos, '`weight` must be 1 to 256');
        return false;
      }
    } else if (['encap', 'realms', 'as'].includes(tok.text)) return r.skipLine(tok) ?? 'skip';
    else {
      r.ctx.error(tok.pos, `unknown \`nexthop\` option \`${tok.text}\` (it takes via, dev, weight and onlink)`);
      return false;
    }
  }
  return true;
}

/** `[to] PREFIX` or `TYPE PREFIX` (keepalived takes one or the other before the destination). */
function readDestination(tok: Token, r: LineReader, draft: RouteDraft): boolean {
  let destination: Token | undefined = tok;
  if (tok.text === 'to' || (ROUTE_TYPES as readonly string[]).includes(tok.text)) {
    if (tok.text !== 'to') draft.type = tok.text as RouteType;
    destination = r.take(tok);
    if (!destination) return false;
  }
  const suggestion = closestMatch(destination.text, ROUTE_OPTIONS);
  if (suggestion && !/^[\d.:a-f]+(\/\d+)?$/i.test(destination.text)) {
    r.ctx.error(destination.pos, `unknown route option \`${destination.text}\`; did you mean \`${suggestion}\`?`);
    return false;
  }
  const parsed = readPrefix(destination, r.ctx, 'a route destination');
  if (!parsed) return false;
  if (!r.setFamily(parsed.family, destination)) return false;
  draft.to = parsed.prefix;
  return true;
}

/**
 * keepalived reports a bad route or rule and leaves it out, and runs the rest: so does vigil,
 * with a warning at the word that is wrong.
 */
function leavingOut(ctx: BuildContext, what: string): BuildContext {
  const lenient = Object.create(ctx) as BuildContext;
  lenient.error = (pos, message) =>
    ctx.warning(pos, `${message}; this ${what} is left out, as keepalived 2.2.7 leaves it out`);
  return lenient;
}

/** One static_routes / virtual_routes line. */
export function readRoute(line: Statement, outer: BuildContext, staticEntry: boolean): Route | undefined {
  const ctx = leavingOut(outer, 'route');
  const r = new LineReader(line, ctx, 'route');
  const draft: RouteDraft = { type: 'unicast', table: MAIN_TABLE, onlink: false, mode: 'prepend', track: true };
  for (let tok = r.take(); tok; tok = r.take()) {
    const ok = readRouteOption(tok, r, draft, staticEntry);
    if (ok !== true) return undefined;
  }
  if (!draft.to) {
    ctx.error(line.keyword.pos, 'a route needs a destination (`default` for the default route)');
    return undefined;
  }
  const family = r.family ?? 4;
  const { to, protocol, ...rest } = draft;
  // keepalived cannot tell which interface a route without `dev` went to, so it does not track it.
  const track = draft.track && draft.dev !== undefined;
  const settled = { ...rest, family, to: settlePrefix(to, family), track };
  return { ...settled, protocol: routeProtocol(draft, line, ctx), pos: line.pos };
}

/**
 * keepalived marks a tracked route with its own protocol (18) and overrides any other, so that
 * it knows its routes when the kernel reports them deleted; keepalived also stops tracking a
 * route with no `dev`, but keeps the protocol.
 */
function routeProtocol(draft: RouteDraft, line: Statement, ctx: BuildContext): number {
  if (draft.protocol !== undefined && draft.protocol !== PROTOCOL_KEEPALIVED && draft.track) {
    ctx.warning(
      line.pos,
      `a tracked route is marked \`protocol keepalived\` (${PROTOCOL_KEEPALIVED}), as keepalived 2.2.7 does; add \`no_track\` to keep protocol ${draft.protocol}`,
    );
    return PROTOCOL_KEEPALIVED;
  }
  return draft.protocol ?? PROTOCOL_KEEPALIVED;
}

// ---- rules ---------------------------------------------------------------------------------

/** keepalived's first preference for rules written without one, counted down per family. */
const FIRST_ASSIGNED_PRIORITY = 16384;

const RULE_ACTIONS: readonly RuleAction[] = ['nop', 'blackhole', 'unreachable', 'prohibit'];
const RULE_OPTIONS = [
  'inet',
  'inet6',
  'from',
  'to',
  'table',
  'lookup',
  'not',
  'preference',
  'order',
  'priority',
  'tos',
  'dsfield',
  'fwmark',
  'dev',
  'iif',
  'oif',
  'protocol',
  'no_track',
  'track_group',
  'type',
  'goto',
  ...RULE_ACTIONS,
  ...RULE_UNSUPPORTED,
];

type RuleDraft = Partial<Omit<Rule, 'family' | 'pos'>> & { invert: boolean; track: boolean };

/** `fwmark MARK[/MASK]`, each in C's bases. */
function readFwmark(tok: Token, ctx: BuildContext, draft: RuleDraft): boolean {
  const [markText, maskText, ...rest] = tok.text.split('/');
  const mark = cUnsigned(markText!);
  const mask = maskText === undefined ? undefined : cUnsigned(maskText);
  if (
    mark === undefined ||
    mark > 0xffff_ffff ||
    rest.length > 0 ||
    (maskText !== undefined && !(mask! <= 0xffff_ffff))
  ) {
    ctx.error(tok.pos, `\`fwmark\` must be MARK or MARK/MASK (numbers up to 0xffffffff), got \`${tok.text}\``);
    return false;
  }
  draft.fwmark = mark;
  if (mask !== undefined) draft.fwmask = mask;
  return true;
}

function setAction(tok: Token, r: LineReader, draft: RuleDraft, action: RuleAction): boolean {
  if (draft.action !== undefined) {
    r.ctx.error(tok.pos, `a rule takes one action (table, goto, nop, blackhole, unreachable or prohibit)`);
    return false;
  }
  draft.action = action;
  return true;
}

function readRuleOption(tok: Token, r: LineReader, draft: RuleDraft, staticEntry: boolean): boolean | 'skip' {
  const { ctx } = r;
  const value = () => r.take(tok);
  const prefix = (key: 'from' | 'to'): boolean => {
    const v = value();
    const parsed = v && readPrefix(v, ctx, `\`${key}\``);
    if (!parsed || !v || !r.setFamily(parsed.family, v)) return false;
    draft[key] = parsed.prefix;
    return true;
  };
  switch (tok.text) {
    case 'inet':
    case 'inet6':
      return r.setFamilyByWord(tok);
    case 'from':
    case 'to':
      return prefix(tok.text);
    case 'table':
    case 'lookup': {
      const v = value();
      const table = v && readTable(v, ctx);
      if (table === undefined || !v) return false;
      if (table === 0) {
        ctx.error(v.pos, 'table 0 is not a table a rule can look up');
        return false;
      }
      draft.table = table;
      return setAction(tok, r, draft, 'table');
    }
    case 'not':
      draft.invert = true;
      return true;
    case 'preference':
    case 'order':
    case 'priority': {
      const v = value();
      draft.priority = v && readU32(v, ctx, tok.text);
      return draft.priority !== undefined;
    }
    case 'tos':
    case 'dsfield': {
      const v = value();
      draft.tos = v && readTos(v, ctx);
      return draft.tos !== undefined;
    }
    case 'fwmark': {
      const v = value();
      return v !== undefined && readFwmark(v, ctx, draft);
    }
    case 'realms': {
      const v = value();
      draft.realms = v && readRealms(v, ctx);
      return draft.realms !== undefined && ipv4Only(v!, r);
    }
    case 'dev':
    case 'iif':
      draft.iif = value()?.text;
      return draft.iif !== undefined;
    case 'oif':
      draft.oif = value()?.text;
      return draft.oif !== undefined;
    case 'protocol': {
      const v = value();
      draft.protocol = v && readProtocol(v, ctx);
      return draft.protocol !== undefined;
    }
    case 'no_track':
      draft.track = false;
      return true;
    case 'track_group':
      if (staticEntry) return r.skipOption(tok, 1);
      break;
  }
  if (RULE_UNSUPPORTED.includes(tok.text)) return r.skipLine(tok) ?? 'skip';
  return readRuleAction(tok, r, draft);
}

/** `[type] goto N | nop | blackhole | unreachable | prohibit`. */
function readRuleAction(tok: Token, r: LineReader, draft: RuleDraft): boolean {
  const word = tok.text === 'type' ? r.take(tok) : tok;
  if (!word) return false;
  if (word.text === 'goto') {
    const v = r.take(word);
    draft.goto = v && readU32(v, r.ctx, 'goto');
    return draft.goto !== undefined && setAction(word, r, draft, 'goto');
  }
  if ((RULE_ACTIONS as readonly string[]).includes(word.text))
    return setAction(word, r, draft, word.text as RuleAction);
  const suggestion = closestMatch(word.text, RULE_OPTIONS);
  r.ctx.error(word.pos, `unknown rule option \`${word.text}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
  return false;
}

/** The next preference keepalived gives rules without one, per family, across the whole file. */
const assignedPriorities = new WeakMap<BuildContext, { 4: number; 6: number }>();

/** One static_rules / virtual_rules line. */
export function readRule(line: Statement, outer: BuildContext, staticEntry: boolean): Rule | undefined {
  const ctx = leavingOut(outer, 'rule');
  const r = new LineReader(line, ctx, 'rule');
  const draft: RuleDraft = { invert: false, track: true };
  for (let tok = r.take(); tok; tok = r.take()) {
    const ok = readRuleOption(tok, r, draft, staticEntry);
    if (ok !== true) return undefined;
  }
  const { action } = draft;
  if (action === undefined) {
    ctx.error(
      line.keyword.pos,
      'a rule needs an action: `table`, `goto`, `nop`, `blackhole`, `unreachable` or `prohibit`',
    );
    return undefined;
  }
  if (draft.realms !== undefined && action !== 'table') {
    ctx.error(line.keyword.pos, '`realms` needs a `table` action');
    return undefined;
  }
  if (action === 'goto' && !(draft.priority !== undefined && draft.priority < draft.goto!)) {
    ctx.error(line.keyword.pos, 'a `goto` rule needs a `preference` lower than its target');
    return undefined;
  }
  const family = r.family ?? 4;
  const priority = draft.priority ?? assignPriority(family, line, outer);
  const protocol = ruleProtocol(draft, line, ctx);
  const { from, to, ...rest } = draft;
  return {
    ...rest,
    action,
    family,
    ...(from ? { from: settlePrefix(from, family) } : {}),
    ...(to ? { to: settlePrefix(to, family) } : {}),
    priority,
    ...(protocol === undefined ? {} : { protocol }),
    pos: line.pos,
  };
}

function assignPriority(family: 4 | 6, line: Statement, ctx: BuildContext): number {
  const next = assignedPriorities.get(ctx) ?? { 4: FIRST_ASSIGNED_PRIORITY, 6: FIRST_ASSIGNED_PRIORITY };
  assignedPriorities.set(ctx, next);
  const priority = next[family]--;
  ctx.warning(
    line.pos,
    `this rule has no \`preference\`; it gets ${priority}, as keepalived 2.2.7 would give it (counting down from ${FIRST_ASSIGNED_PRIORITY}), which is probably not what you want`,
  );
  return priority;
}

/** As for routes (routeProtocol): a tracked rule is keepalived's (18); an untracked one has only what is written. */
function ruleProtocol(draft: RuleDraft, line: Statement, ctx: BuildContext): number | undefined {
  if (!draft.track) return draft.protocol;
  if (draft.protocol !== undefined && draft.protocol !== PROTOCOL_KEEPALIVED) {
    ctx.warning(
      line.pos,
      `a tracked rule is marked \`protocol keepalived\` (${PROTOCOL_KEEPALIVED}), as keepalived 2.2.7 does; add \`no_track\` to keep protocol ${draft.protocol}`,
    );
  }
  return PROTOCOL_KEEPALIVED;
}

// ---- the blocks ----------------------------------------------------------------------------

type Lists<T> = { [K in keyof T]: T[K] extends (Route | Rule)[] ? K : never }[keyof T];

/** `NAME { LINE ... }` of routes or rules, appended to `target[key]` (keepalived appends each block). */
export function routeBlock<T, K extends Lists<T>>(
  name: string,
  key: K,
  read: typeof readRoute | typeof readRule,
  staticEntry: boolean,
): KeywordSpec<T> {
  return custom<T>(name, {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(target, stmt, ctx) {
      const list = target[key] as (Route | Rule)[];
      for (const line of listLines(stmt, ctx)) {
        const entry = read(line, ctx, staticEntry);
        if (entry) list.push(entry);
      }
    },
  });
}
