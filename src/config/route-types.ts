/**
 * The typed forms of keepalived's static_routes / virtual_routes and static_rules /
 * virtual_rules lines. Numbers are the kernel's (rtnetlink(7)), so the netlink layer needs no
 * tables of names.
 */
import type { Family } from '../inet/address.js';
import type { SourcePos } from './diagnostics.js';

/** `ADDRESS/PREFIX`, canonical; `default` (and `any`, `all`) is the /0 of the family. */
export interface IpPrefix {
  address: string;
  prefix: number;
}

/** The route types of `ip route` (RTN_*), by name. */
export const ROUTE_TYPES = [
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

/**
 * How a route is added when a matching one exists: keepalived's default `prepend`
 * (NLM_F_CREATE: before it), `add` (NLM_F_EXCL: not at all) or `append` (after it).
 */
export type RouteMode = 'prepend' | 'add' | 'append';

/** keepalived's routing protocol number (RTPROT_KEEPALIVED): what it marks its routes and rules with. */
export const PROTOCOL_KEEPALIVED = 18;

/** One path of a multipath route (`nexthop ...`, or keepalived's older `via A or B`). */
export interface NextHop {
  via?: string;
  dev?: string;
  /** 1-256. */
  weight?: number;
  onlink: boolean;
}

export interface Route {
  family: Family;
  to: IpPrefix;
  type: RouteType;
  /** `src`: the preferred source address (RTA_PREFSRC). */
  src?: string;
  /** `from`: the source prefix (IPv6 only). */
  from?: IpPrefix;
  via?: string;
  dev?: string;
  /** Several paths (RTA_MULTIPATH); `via` is then unset. */
  nexthops?: NextHop[];
  table: number;
  metric?: number;
  /** RTM protocol; keepalived's 18 unless `no_track` and `protocol` say otherwise. */
  protocol: number;
  /** RT_SCOPE_*; unset, universe (0), as keepalived sends it. */
  scope?: number;
  tos?: number;
  /** `realms [FROM/]TO` (RTA_FLOW, IPv4 only): FROM in the upper 16 bits. */
  realms?: number;
  onlink: boolean;
  mode: RouteMode;
  /** Not `no_track`. */
  track: boolean;
  pos: SourcePos;
}

/** What a rule does with a packet it matches (FR_ACT_*), by name. */
export type RuleAction = 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

export interface Rule {
  family: Family;
  from?: IpPrefix;
  to?: IpPrefix;
  action: RuleAction;
  /** The table of a `table` action. */
  table?: number;
  /** The preference a `goto` action jumps to. */
  goto?: number;
  /** `not`: the selector is inverted. */
  invert: boolean;
  /** `preference` / `priority` / `order`; keepalived assigns one from 16384 down when not written. */
  priority: number;
  tos?: number;
  /** `realms [FROM/]TO` (FRA_FLOW, IPv4 only, with a `table` action). */
  realms?: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  /** FRA_PROTOCOL; keepalived's 18 unless `no_track` (then only when written). */
  protocol?: number;
  track: boolean;
  pos: SourcePos;
}
