/**
 * rtnetlink's route and rule messages (rtnetlink(7): struct rtmsg, struct fib_rule_hdr) as
 * vigild writes them to add and remove the routes and rules of static_routes / virtual_routes
 * and static_rules / virtual_rules, filled as keepalived 2.2.7 fills them. Pure: no sockets.
 */
import type { IpPrefix, NextHop, Route, RouteMode, Rule, RuleAction } from '../config/index.js';
import { ROUTE_TYPES } from '../config/index.js';
import { parseIp } from '../inet/address.js';
import { writeI32, writeU16, writeU32 } from './byte-order.js';
import { type AttributeInput, attribute, encodeAttributes, NLM_F_CREATE, NLM_F_EXCL } from './netlink-codec.js';

export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;

/** Adds after any matching route (`ip route append`). */
export const NLM_F_APPEND = 0x800;

export const AF_INET = 2;
export const AF_INET6 = 10;
const HEADER_LENGTH = 12;

export const RTA_DST = 1;
const RTA_SRC = 2;
export const RTA_OIF = 4;
const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_MULTIPATH = 9;
const RTA_FLOW = 11;
/** struct rtnexthop: length (u16), flags, hops (the weight less one), ifindex (i32). */
const RTNEXTHOP_LENGTH = 8;
export const RTA_TABLE = 15;
const RTNH_F_ONLINK = 4;
const RT_SCOPE_UNIVERSE = 0;
/** In a delete: any scope matches. */
const RT_SCOPE_NOWHERE = 255;

export const FRA_DST = 1;
export const FRA_SRC = 2;
export const FRA_IIFNAME = 3;
export const FRA_GOTO = 4;
export const FRA_PRIORITY = 6;
export const FRA_FWMARK = 10;
export const FRA_FLOW = 11;
export const FRA_TABLE = 15;
export const FRA_FWMASK = 16;
export const FRA_OIFNAME = 17;
export const FRA_PROTOCOL = 21;
export const FIB_RULE_INVERT = 0x2;

/** RTN_* by number: RTN_UNSPEC, then the route types as `ip route` names them. */
const RTN_TYPES: readonly string[] = ['unspec', ...ROUTE_TYPES];
export const FR_ACTIONS: Record<RuleAction, number> = {
  table: 1,
  goto: 2,
  nop: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
};

/** The netlink flags of adding a route in each mode (beside NLM_F_REQUEST and NLM_F_ACK). */
export const ROUTE_ADD_FLAGS: Record<RouteMode, number> = {
  prepend: NLM_F_CREATE,
  add: NLM_F_CREATE | NLM_F_EXCL,
  append: NLM_F_CREATE | NLM_F_APPEND,
};
/** keepalived adds a rule only when no identical one is there. */
export const RULE_ADD_FLAGS = NLM_F_CREATE | NLM_F_EXCL;

const familyCode = (family: 4 | 6): number => (family === 4 ? AF_INET : AF_INET6);

export function addressBytes(address: string): Buffer {
  const ip = parseIp(address);
  if (!ip) throw new RangeError(`${JSON.stringify(address)} is not an IPv4 or IPv6 address`);
  return Buffer.from(ip.bytes);
}

/** A /0 needs no address: the kernel reads a missing one as any. */
const prefixAttribute = (type: number, prefix: IpPrefix | undefined): AttributeInput[] =>
  prefix && prefix.prefix > 0 ? [attribute.bytes(type, addressBytes(prefix.address))] : [];

/** Tables above 255 do not fit the header's byte: they go in an attribute, the header says unspec (0). */
const tableParts = (table: number, attributeType: number): { byte: number; attributes: AttributeInput[] } =>
  table < 256 ? { byte: table, attributes: [] } : { byte: 0, attributes: [attribute.u32(attributeType, table)] };

/** The 12-byte header shared by struct rtmsg and struct fib_rule_hdr: eight bytes, then a u32 of flags. */
function header(bytes: readonly number[], flags: number): Buffer {
  const buffer = Buffer.alloc(HEADER_LENGTH);
  bytes.forEach((b, i) => {
    buffer[i] = b;
  });
  writeU32(buffer, flags, 8);
  return buffer;
}

/** An interface's index by name: the kernel wants numbers. */
export type IndexOf = (ifname: string) => number;

/** RTA_MULTIPATH's data: one struct rtnexthop and its gateway per path. */
function multipath(hops: readonly NextHop[], indexOf: IndexOf): Buffer {
  return Buffer.concat(
    hops.map((hop) => {
      const gateway = hop.via
        ? encodeAttributes([attribute.bytes(RTA_GATEWAY, addressBytes(hop.via))])
        : Buffer.alloc(0);
      const rtnh = Buffer.alloc(RTNEXTHOP_LENGTH);
      writeU16(rtnh, RTNEXTHOP_LENGTH + gateway.length, 0);
      rtnh[2] = hop.onlink ? RTNH_F_ONLINK : 0;
      rtnh[3] = (hop.weight ?? 1) - 1;
      writeI32(rtnh, hop.dev ? indexOf(hop.dev) : 0, 4);
      return Buffer.concat([rtnh, gateway]);
    }),
  );
}

/**
 * The payload of RTM_NEWROUTE / RTM_DELROUTE for `route`. A delete
 * names the route as it was added, with its protocol, so that it removes only a route that
 * vigild (or keepalived) added, never an identical one of another protocol.
 */
export function routeRequest(route: Route, indexOf: IndexOf, operation: 'add' | 'remove'): Buffer {
  const table = tableParts(route.table, RTA_TABLE);
  const scope = route.scope ?? (operation === 'add' ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE);
  // keepalived names the type in a delete only when written; unspec (0) matches any.
  const type = operation === 'remove' && route.type === 'unicast' ? 0 : RTN_TYPES.indexOf(route.type);
  const rtmsg = header(
    [
      familyCode(route.family),
      route.to.prefix,
      route.from?.prefix ?? 0,
      route.tos ?? 0,
      table.byte,
      route.protocol,
      scope,
      type,
    ],
    route.onlink ? RTNH_F_ONLINK : 0,
  );
  const attributes: AttributeInput[] = [
    ...table.attributes,
    ...prefixAttribute(RTA_DST, route.to),
    ...prefixAttribute(RTA_SRC, route.from),
    ...(route.src ? [attribute.bytes(RTA_PREFSRC, addressBytes(route.src))] : []),
    ...(route.via ? [attribute.bytes(RTA_GATEWAY, addressBytes(route.via))] : []),
    ...(route.dev === undefined ? [] : [attribute.u32(RTA_OIF, indexOf(route.dev))]),
    ...(route.metric === undefined ? [] : [attribute.u32(RTA_PRIORITY, route.metric)]),
    // As keepalived: realms 0 (or none) sends nothing.
    ...(route.realms ? [attribute.u32(RTA_FLOW, route.realms)] : []),
    ...(route.nexthops ? [attribute.bytes(RTA_MULTIPATH, multipath(route.nexthops, indexOf))] : []),
  ];
  return Buffer.concat([rtmsg, encodeAttributes(attributes)]);
}

/** The payload of RTM_NEWRULE / RTM_DELRULE for `rule`: the same for both, as keepalived sends them. */
export function ruleRequest(rule: Rule): Buffer {
  const table = tableParts(rule.action === 'table' ? (rule.table ?? 0) : 0, FRA_TABLE);
  const frh = header(
    [
      familyCode(rule.family),
      rule.to?.prefix ?? 0,
      rule.from?.prefix ?? 0,
      rule.tos ?? 0,
      table.byte,
      0,
      0,
      FR_ACTIONS[rule.action],
    ],
    rule.invert ? FIB_RULE_INVERT : 0,
  );
  const attributes: AttributeInput[] = [
    ...table.attributes,
    ...prefixAttribute(FRA_SRC, rule.from),
    ...prefixAttribute(FRA_DST, rule.to),
    attribute.u32(FRA_PRIORITY, rule.priority),
    ...(rule.fwmark === undefined ? [] : [attribute.u32(FRA_FWMARK, rule.fwmark)]),
    ...(rule.fwmask === undefined ? [] : [attribute.u32(FRA_FWMASK, rule.fwmask)]),
    ...(rule.realms ? [attribute.u32(FRA_FLOW, rule.realms)] : []),
    ...(rule.iif ? [attribute.string(FRA_IIFNAME, rule.iif)] : []),
    ...(rule.oif ? [attribute.string(FRA_OIFNAME, rule.oif)] : []),
    ...(rule.protocol === undefined ? [] : [attribute.u8(FRA_PROTOCOL, rule.protocol)]),
    ...(rule.action === 'goto' ? [attribute.u32(FRA_GOTO, rule.goto!)] : []),
  ];
  return Buffer.concat([frh, encodeAttributes(attributes)]);
}
