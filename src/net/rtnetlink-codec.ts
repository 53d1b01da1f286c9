/**
 * rtnetlink's messages (rtnetlink(7)) as vigild reads and writes them: links (ifinfomsg),
 * interface addresses (ifaddrmsg) and the notifications the kernel multicasts when either
 * changes. Pure: no sockets; ./rtnetlink.ts sends and receives them.
 */
import { type Family, parseIp } from '../inet/address.js';
import { readI32, readU32, writeU32 } from './byte-order.js';
import {
  type AttributeInput,
  attribute,
  attributeData,
  attributesByType,
  encodeAttributes,
  type NetlinkMessage,
} from './netlink-codec.js';

// Linux's address families: fixed in its ABI, written here so that the codec stays pure.
const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_INET6 = 10;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;

/** struct ifinfomsg: family, pad, type (u16), index (i32), flags (u32), change (u32). */
const IFINFOMSG_LENGTH = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_MACVLAN_MODE = 1;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const IFF_LOWER_UP = 0x10000;

/** struct ifaddrmsg: family, prefixlen, flags (u8), scope, index (u32). */
const IFADDRMSG_LENGTH = 8;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
/** struct ifa_cacheinfo: preferred and valid lifetimes (s), then two timestamps the kernel keeps. */
const IFA_CACHEINFO = 6;
const INFINITY_LIFETIME = 0xffffffff;
/** The full 32-bit flags; ifaddrmsg's own field has room for the low 8 only. */
const IFA_FLAGS = 8;
const IFA_F_SECONDARY = 0x01;
const IFA_F_NODAD = 0x02;
const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;

/** IFNAMSIZ less the terminating NUL. */
const MAX_LABEL_LENGTH = 15;

export type AddressScope = 'global' | 'site' | 'link' | 'host' | 'nowhere';
const SCOPE_VALUES: Record<AddressScope, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const SCOPE_NAMES = new Map(Object.entries(SCOPE_VALUES).map(([name, value]) => [value, name as AddressScope]));

export interface Link {
  index: number;
  name: string;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_RUNNING: operationally up. */
  running: boolean;
  /** IFF_LOWER_UP: the carrier is present. */
  lowerUp: boolean;
  /** The hardware address, lowercase and colon-separated; absent for links without one. */
  mac?: string;
  mtu?: number;
  /** Every IFF_* flag as the kernel reports it. */
  flags: number;
  /** IFLA_LINK: the index of the link this one is made on (a macvlan's lower device). */
  parentIndex?: number;
  /** IFLA_INFO_KIND: the driver of a virtual link, e.g. `macvlan`, `veth`. */
  kind?: string;
  /** IFLA_MACVLAN_MODE of a macvlan (MACVLAN_MODE_PRIVATE is 1). */
  macvlanMode?: number;
}

/** A macvlan to create (`ip link add link PARENT name NAME address MAC type macvlan mode MODE`). */
export interface MacvlanSpec {
  name: string;
  parentIndex: number;
  mac: string;
  /** MACVLAN_MODE_*: 1 private, 2 vepa, 4 bridge, 8 passthru. */
  mode: number;
}

export interface InterfaceAddress {
  ifindex: number;
  family: Family;
  address: string;
  prefix: number;
  /** IPv4 only: the kernel keeps no labels for IPv6 addresses. */
  label?: string;
  broadcast?: string;
  /** A name for the standard scopes, the number for any other. */
  scope: AddressScope | number;
  /** An IPv4 address added beside another in the same subnet. */
  secondary: boolean;
  /** IPv6 duplicate address detection is still running: not yet usable as a source. */
  tentative: boolean;
  /** IPv6 duplicate address detection found the address in use elsewhere. */
  dadFailed: boolean;
  /** Every IFA_F_* flag as the kernel reports it. */
  flags: number;
}

export interface AddressSpec {
  ifindex: number;
  address: string;
  prefix: number;
  /** IPv4 only, at most 15 bytes; ignored for IPv6, which has no labels (as keepalived does). */
  label?: string;
  /** Defaults to global. */
  scope?: AddressScope;
  /** IPv4 only. */
  broadcast?: string;
  /** IPv6 only: seconds the address stays preferred as a source (0: deprecated at once); unset, forever. */
  preferredLifetime?: number;
}

export type LinkEvent =
  | { kind: 'changed'; link: Link }
  | { kind: 'removed'; link: Link }
  /** Notifications were lost (queue overflow): here is every link as it is now. */
  | { kind: 'resync'; links: Link[] };

export type AddressEvent =
  | { kind: 'added'; address: InterfaceAddress }
  | { kind: 'removed'; address: InterfaceAddress }
  /** Notifications were lost (queue overflow): here is every address as it is now. */
  | { kind: 'resync'; addresses: InterfaceAddress[] };

function formatMac(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function formatIp(bytes: Buffer): string | undefined {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) return undefined;
  // parseIp writes the canonical (RFC 5952) form of the full eight-group spelling.
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return parseIp(groups.join(':'))?.address;
}

/** IFLA_LINKINFO's kind and, for a macvlan, its mode. */
function linkInfo(data: Buffer | undefined): Pick<Link, 'kind' | 'macvlanMode'> {
  if (!data) return {};
  const info = attributesByType(data);
  const kind = info.get(IFLA_INFO_KIND);
  if (!kind) return {};
  const name = attributeData.string(kind);
  const mode = name === 'macvlan' ? info.get(IFLA_INFO_DATA) : undefined;
  const macvlanMode = mode && attributesByType(mode).get(IFLA_MACVLAN_MODE);
  return { kind: name, ...(macvlanMode ? { macvlanMode: attributeData.u32(macvlanMode) } : {}) };
}

export function decodeLink(message: NetlinkMessage): Link {
  const { payload } = message;
  const flags = readU32(payload, 8);
  const attributes = attributesByType(payload.subarray(IFINFOMSG_LENGTH));
  const name = attributes.get(IFLA_IFNAME);
  const mac = attributes.get(IFLA_ADDRESS);
  const mtu = attributes.get(IFLA_MTU);
  const parent = attributes.get(IFLA_LINK);
  return {
    index: readI32(payload, 4),
    name: name ? attributeData.string(name) : '',
    up: (flags & IFF_UP) !== 0,
    running: (flags & IFF_RUNNING) !== 0,
    lowerUp: (flags & IFF_LOWER_UP) !== 0,
    ...(mac && mac.length > 0 ? { mac: formatMac(mac) } : {}),
    ...(mtu ? { mtu: attributeData.u32(mtu) } : {}),
    flags,
    ...(parent ? { parentIndex: attributeData.u32(parent) } : {}),
    ...linkInfo(attributes.get(IFLA_LINKINFO)),
  };
}

/** Undefined for families other than IPv4 and IPv6 (the kernel reports those too, e.g. for MPLS). */
export function decodeAddress(message: NetlinkMessage): InterfaceAddress | undefined {
  const { payload } = message;
  const family = payload[0] === AF_INET ? 4 : payload[0] === AF_INET6 ? 6 : undefined;
  if (!family) return undefined;
  const attributes = attributesByType(payload.subarray(IFADDRMSG_LENGTH));
  // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point IPv4 links,
  // and the only one IPv6 reports.
  const local = attributes.get(IFA_LOCAL) ?? attributes.get(IFA_ADDRESS);
  const address = local && formatIp(local);
  if (!address) return undefined;
  const extendedFlags = attributes.get(IFA_FLAGS);
  const flags = extendedFlags ? attributeData.u32(extendedFlags) : payload[2]!;
  const label = attributes.get(IFA_LABEL);
  const broadcast = attributes.get(IFA_BROADCAST);
  const scope = payload[3]!;
  return {
    ifindex: readU32(payload, 4),
    family,
    address,
    prefix: payload[1]!,
    ...(label ? { label: attributeData.string(label) } : {}),
    ...(broadcast ? { broadcast: formatIp(broadcast) } : {}),
    scope: SCOPE_NAMES.get(scope) ?? scope,
    secondary: (flags & IFA_F_SECONDARY) !== 0,
    tentative: (flags & IFA_F_TENTATIVE) !== 0,
    dadFailed: (flags & IFA_F_DADFAILED) !== 0,
    flags,
  };
}

/** struct ifinfomsg for AF_UNSPEC: which link, and which of its IFF_* flags to set (`change`) to what. */
function ifinfomsg(index = 0, flags = 0, change = 0): Buffer {
  const header = Buffer.alloc(IFINFOMSG_LENGTH);
  header[0] = AF_UNSPEC;
  writeU32(header, index, 4);
  writeU32(header, flags, 8);
  writeU32(header, change, 12);
  return header;
}

/** The payload of a link dump request: every link. */
export const linkDumpRequest = (): Buffer => ifinfomsg();

function macBytes(mac: string): Buffer {
  const octets = mac.split(':');
  if (octets.length !== 6 || octets.some((o) => !/^[0-9a-f]{1,2}$/i.test(o)))
    throw new RangeError(`${JSON.stringify(mac)} is not a MAC address`);
  return Buffer.from(octets.map((o) => Number.parseInt(o, 16)));
}

/**
 * RTM_NEWLINK creating a macvlan, its attributes in iproute2's order. The nests carry no
 * NLA_F_NESTED, as iproute2's and keepalived's do not: the kernel takes IFLA_LINKINFO either way.
 */
export function macvlanRequest(spec: MacvlanSpec): Buffer {
  if (Buffer.byteLength(spec.name) > MAX_LABEL_LENGTH || spec.name.length === 0)
    throw new RangeError(`interface name ${JSON.stringify(spec.name)} must be 1-${MAX_LABEL_LENGTH} bytes`);
  const data = encodeAttributes([attribute.u32(IFLA_MACVLAN_MODE, spec.mode)]);
  const info = encodeAttributes([
    attribute.bytes(IFLA_INFO_KIND, Buffer.from('macvlan')),
    attribute.bytes(IFLA_INFO_DATA, data),
  ]);
  return Buffer.concat([
    ifinfomsg(),
    encodeAttributes([
      attribute.bytes(IFLA_ADDRESS, macBytes(spec.mac)),
      attribute.u32(IFLA_LINK, spec.parentIndex),
      attribute.string(IFLA_IFNAME, spec.name),
      attribute.bytes(IFLA_LINKINFO, info),
    ]),
  ]);
}

/** RTM_NEWLINK setting a link administratively up (`ip link set NAME up`). */
export const linkUpRequest = (index: number): Buffer => ifinfomsg(index, IFF_UP, IFF_UP);

/** RTM_DELLINK's payload for one link. */
export const linkDeleteRequest = (index: number): Buffer => ifinfomsg(index);

function ifaddrmsg(family: number, prefix: number, flags: number, scope: number, ifindex: number): Buffer {
  const header = Buffer.alloc(IFADDRMSG_LENGTH);
  header[0] = family;
  header[1] = prefix;
  header[2] = flags & 0xff;
  header[3] = scope;
  writeU32(header, ifindex, 4);
  return header;
}

/** The payload of an address dump request: every address of every family. */
export const addressDumpRequest = (): Buffer => ifaddrmsg(AF_UNSPEC, 0, 0, 0, 0);

/** Preferred for `preferred` seconds, valid for ever. */
function cacheInfo(preferred: number): Buffer {
  const info = Buffer.alloc(16);
  writeU32(info, preferred, 0);
  writeU32(info, INFINITY_LIFETIME, 4);
  return info;
}

/** The ifaddrmsg and attributes that name one address, shared by add and remove. */
export function addressRequest(spec: AddressSpec, operation: string, options: { skipDad: boolean }): Buffer {
  const ip = parseIp(spec.address);
  if (!ip) throw new RangeError(`${operation}: ${JSON.stringify(spec.address)} is not an IPv4 or IPv6 address`);
  const maxPrefix = ip.family === 4 ? 32 : 128;
  if (!Number.isInteger(spec.prefix) || spec.prefix < 0 || spec.prefix > maxPrefix) {
    throw new RangeError(`${operation}: prefix length ${spec.prefix} is outside 0-${maxPrefix}`);
  }
  const bytes = Buffer.from(ip.bytes);
  const attributes: AttributeInput[] = [attribute.bytes(IFA_LOCAL, bytes), attribute.bytes(IFA_ADDRESS, bytes)];
  if (ip.family === 4) {
    if (spec.label !== undefined) {
      if (Buffer.byteLength(spec.label) > MAX_LABEL_LENGTH)
        throw new RangeError(
          `${operation}: label ${JSON.stringify(spec.label)} is longer than ${MAX_LABEL_LENGTH} bytes`,
        );
      attributes.push(attribute.string(IFA_LABEL, spec.label));
    }
    if (spec.broadcast !== undefined) {
      const broadcast = parseIp(spec.broadcast);
      if (broadcast?.family !== 4)
        throw new RangeError(`${operation}: broadcast ${JSON.stringify(spec.broadcast)} is not an IPv4 address`);
      attributes.push(attribute.bytes(IFA_BROADCAST, Buffer.from(broadcast.bytes)));
    }
  } else if (spec.broadcast !== undefined) {
    throw new RangeError(`${operation}: IPv6 has no broadcast address`);
  }
  const flags = options.skipDad && ip.family === 6 ? IFA_F_NODAD : 0;
  if (flags) attributes.push(attribute.u32(IFA_FLAGS, flags));
  if (ip.family === 6 && spec.preferredLifetime !== undefined)
    attributes.push(attribute.bytes(IFA_CACHEINFO, cacheInfo(spec.preferredLifetime)));
  const family = ip.family === 4 ? AF_INET : AF_INET6;
  const scope = SCOPE_VALUES[spec.scope ?? 'global'];
  return Buffer.concat([ifaddrmsg(family, spec.prefix, flags, scope, spec.ifindex), encodeAttributes(attributes)]);
}

/** A link notification (RTNLGRP_LINK); undefined for any other message. */
export function decodeLinkEvent(message: NetlinkMessage): LinkEvent | undefined {
  if (message.type === RTM_NEWLINK) return { kind: 'changed', link: decodeLink(message) };
  if (message.type === RTM_DELLINK) return { kind: 'removed', link: decodeLink(message) };
  return undefined;
}

/**
 * An address notification (RTNLGRP_IPV4_IFADDR / RTNLGRP_IPV6_IFADDR): RTM_NEWADDR when one is
 * added or changes, RTM_DELADDR when one is removed, by anyone. Undefined for other messages and
 * for families other than IPv4 and IPv6.
 */
export function decodeAddressEvent(message: NetlinkMessage): AddressEvent | undefined {
  const kind = message.type === RTM_NEWADDR ? 'added' : message.type === RTM_DELADDR ? 'removed' : undefined;
  const address = kind && decodeAddress(message);
  return address ? { kind, address } : undefined;
}
