/**
 * Deleted routes and rules as rtnetlink reports them (RTM_DELROUTE, RTM_DELRULE), and whether
 * one is a given configured route or rule, compared on what keepalived 2.2.7 compares
 * (keepalived_netlink.c): a route by table, family, destination and its length, TOS, and for a
 * virtual one also its metric and device; a rule by every selector it was added with. Pure.
 */
import type { Route, Rule } from '../config/index.js';
import { PROTOCOL_KEEPALIVED } from '../config/index.js';
import { readU32 } from './byte-order.js';
import { attributeData, attributesByType, type NetlinkMessage } from './netlink-codec.js';
import {
  AF_INET,
  AF_INET6,
  addressBytes,
  FIB_RULE_INVERT,
  FR_ACTIONS,
  FRA_DST,
  FRA_FLOW,
  FRA_FWMARK,
  FRA_FWMASK,
  FRA_GOTO,
  FRA_IIFNAME,
  FRA_OIFNAME,
  FRA_PRIORITY,
  FRA_PROTOCOL,
  FRA_SRC,
  FRA_TABLE,
  type IndexOf,
  RTA_DST,
  RTA_OIF,
  RTA_PRIORITY,
  RTA_TABLE,
  RTM_DELROUTE,
  RTM_DELRULE,
} from './route-codec.js';

const HEADER_LENGTH = 12;

interface Deleted {
  family: 4 | 6;
  header: Buffer;
  attributes: Map<number, Buffer>;
}

export type DeletedEntry = ({ kind: 'route' } | { kind: 'rule' }) & Deleted;

/** A deletion of a route or rule of keepalived's protocol (the only ones vigild adds), else undefined. */
export function decodeDeletedEntry(message: NetlinkMessage): DeletedEntry | undefined {
  const kind = message.type === RTM_DELROUTE ? 'route' : message.type === RTM_DELRULE ? 'rule' : undefined;
  const { payload } = message;
  const family = payload[0] === AF_INET ? 4 : payload[0] === AF_INET6 ? 6 : undefined;
  if (!kind || !family || payload.length < HEADER_LENGTH) return undefined;
  const header = payload.subarray(0, HEADER_LENGTH);
  const attributes = attributesByType(payload.subarray(HEADER_LENGTH));
  // A route's protocol is in its header; a rule's in FRA_PROTOCOL, which older kernels lack.
  const protocol = kind === 'route' ? header[5] : attributes.get(FRA_PROTOCOL)?.[0];
  if (protocol !== undefined && protocol !== PROTOCOL_KEEPALIVED) return undefined;
  return { kind, family, header, attributes };
}

const u32 = (attributes: Map<number, Buffer>, type: number): number | undefined => {
  const data = attributes.get(type);
  return data && attributeData.u32(data);
};
const text = (attributes: Map<number, Buffer>, type: number): string | undefined => {
  const data = attributes.get(type);
  return data && attributeData.string(data);
};
/** A missing address attribute is the family's any address. */
const sameAddress = (data: Buffer | undefined, address: string): boolean =>
  (data ?? Buffer.alloc(addressBytes(address).length)).equals(addressBytes(address));

/** The table of a route or rule: the attribute when there, else the header's byte. */
const tableOf = (deleted: Deleted, type: number) => u32(deleted.attributes, type) ?? deleted.header[4];

/** Whether `deleted` is `route`; `virtual`: an instance's, compared also on metric and device. */
export function isRoute(deleted: DeletedEntry, route: Route, virtual: boolean, indexOf: IndexOf): boolean {
  const { header, attributes } = deleted;
  if (deleted.kind !== 'route' || deleted.family !== route.family) return false;
  if (tableOf(deleted, RTA_TABLE) !== route.table || header[1] !== route.to.prefix) return false;
  if (header[3] !== (route.tos ?? 0) || !sameAddress(attributes.get(RTA_DST), route.to.address)) return false;
  if (!virtual) return true;
  if ((u32(attributes, RTA_PRIORITY) ?? 0) !== (route.metric ?? 0)) return false;
  return route.dev === undefined || u32(attributes, RTA_OIF) === indexOf(route.dev);
}

/** Whether `deleted` is `rule`. */
export function isRule(deleted: DeletedEntry, rule: Rule): boolean {
  const { header, attributes } = deleted;
  if (deleted.kind !== 'rule' || deleted.family !== rule.family) return false;
  const flags = readU32(header, 8);
  // As the rule was sent (ruleRequest): a /0 prefix goes without an address.
  const prefixMatches = (type: number, prefix: Rule['from']) =>
    prefix && prefix.prefix > 0
      ? attributes.has(type) && sameAddress(attributes.get(type), prefix.address)
      : !attributes.has(type);
  return (
    u32(attributes, FRA_PRIORITY) === rule.priority &&
    header[7] === FR_ACTIONS[rule.action] &&
    (rule.action !== 'goto' || u32(attributes, FRA_GOTO) === rule.goto) &&
    tableOf(deleted, FRA_TABLE) === (rule.action === 'table' ? rule.table : 0) &&
    ((flags & FIB_RULE_INVERT) !== 0) === rule.invert &&
    header[2] === (rule.from?.prefix ?? 0) &&
    header[1] === (rule.to?.prefix ?? 0) &&
    header[3] === (rule.tos ?? 0) &&
    u32(attributes, FRA_FWMARK) === rule.fwmark &&
    // A mark without a mask is reported with the full one.
    (u32(attributes, FRA_FWMASK) ?? 0xffff_ffff) === (rule.fwmask ?? 0xffff_ffff) &&
    (u32(attributes, FRA_FLOW) ?? 0) === (rule.realms ?? 0) &&
    text(attributes, FRA_IIFNAME) === rule.iif &&
    text(attributes, FRA_OIFNAME) === rule.oif &&
    prefixMatches(FRA_SRC, rule.from) &&
    prefixMatches(FRA_DST, rule.to)
  );
}
