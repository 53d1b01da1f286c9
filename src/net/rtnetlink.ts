/**
 * rtnetlink (rtnetlink(7)) as vigild needs it: the links and their state, interface addresses,
 * adding and removing virtual IPs, and notifications when links or addresses change. It acts
 * on the network namespace of the process.
 */
import { type Family, parseIp } from '../inet/address.js';
import { readI32, readU32, writeU32 } from './byte-order.js';
import { nativeConstants } from './native.js';
import { NetlinkSocket } from './netlink.js';
import {
  type AttributeInput,
  attribute,
  attributeData,
  attributesByType,
  encodeAttributes,
  type NetlinkMessage,
  NLM_F_CREATE,
  NLM_F_EXCL,
} from './netlink-codec.js';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_GETADDR = 22;

/** Multicast groups (enum rtnetlink_groups). */
const RTNLGRP_LINK = 1;
const RTNLGRP_IPV4_IFADDR = 5;
const RTNLGRP_IPV6_IFADDR = 9;

/** struct ifinfomsg: family, pad, type (u16), index (i32), flags (u32), change (u32). */
const IFINFOMSG_LENGTH = 16;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const IFF_LOWER_UP = 0x10000;

/** struct ifaddrmsg: family, prefixlen, flags (u8), scope, index (u32). */
const IFADDRMSG_LENGTH = 8;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
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

export interface Watcher {
  close(): void;
}

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

function decodeLink(message: NetlinkMessage): Link {
  const { payload } = message;
  const flags = readU32(payload, 8);
  const attributes = attributesByType(payload.subarray(IFINFOMSG_LENGTH));
  const name = attributes.get(IFLA_IFNAME);
  const mac = attributes.get(IFLA_ADDRESS);
  const mtu = attributes.get(IFLA_MTU);
  return {
    index: readI32(payload, 4),
    name: name ? attributeData.string(name) : '',
    up: (flags & IFF_UP) !== 0,
    running: (flags & IFF_RUNNING) !== 0,
    lowerUp: (flags & IFF_LOWER_UP) !== 0,
    ...(mac && mac.length > 0 ? { mac: formatMac(mac) } : {}),
    ...(mtu ? { mtu: attributeData.u32(mtu) } : {}),
    flags,
  };
}

/** Undefined for families other than IPv4 and IPv6 (the kernel reports those too, e.g. for MPLS). */
function decodeAddress(message: NetlinkMessage): InterfaceAddress | undefined {
  const { payload } = message;
  const c = nativeConstants();
  const family = payload[0] === c.AF_INET ? 4 : payload[0] === c.AF_INET6 ? 6 : undefined;
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

function ifinfomsg(): Buffer {
  const header = Buffer.alloc(IFINFOMSG_LENGTH);
  header[0] = nativeConstants().AF_UNSPEC;
  return header;
}

function ifaddrmsg(family: number, prefix: number, flags: number, scope: number, ifindex: number): Buffer {
  const header = Buffer.alloc(IFADDRMSG_LENGTH);
  header[0] = family;
  header[1] = prefix;
  header[2] = flags & 0xff;
  header[3] = scope;
  writeU32(header, ifindex, 4);
  return header;
}

async function dumpLinks(socket: NetlinkSocket): Promise<Link[]> {
  const replies = await socket.dump('list links', RTM_GETLINK, ifinfomsg());
  return replies.filter((m) => m.type === RTM_NEWLINK).map(decodeLink);
}

async function dumpAddresses(socket: NetlinkSocket): Promise<InterfaceAddress[]> {
  const replies = await socket.dump('list addresses', RTM_GETADDR, ifaddrmsg(nativeConstants().AF_UNSPEC, 0, 0, 0, 0));
  return replies.filter((m) => m.type === RTM_NEWADDR).flatMap((m) => decodeAddress(m) ?? []);
}

/** The ifaddrmsg and attributes that name one address, shared by add and remove. */
function addressRequest(spec: AddressSpec, operation: string, options: { skipDad: boolean }): Buffer {
  const ip = parseIp(spec.address);
  if (!ip) throw new RangeError(`${operation}: ${JSON.stringify(spec.address)} is not an IPv4 or IPv6 address`);
  const maxPrefix = ip.family === 4 ? 32 : 128;
  if (!Number.isInteger(spec.prefix) || spec.prefix < 0 || spec.prefix > maxPrefix) {
    throw new RangeError(`${operation}: prefix length ${spec.prefix} is outside 0-${maxPrefix}`);
  }
  const c = nativeConstants();
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
  const family = ip.family === 4 ? c.AF_INET : c.AF_INET6;
  const scope = SCOPE_VALUES[spec.scope ?? 'global'];
  return Buffer.concat([ifaddrmsg(family, spec.prefix, flags, scope, spec.ifindex), encodeAttributes(attributes)]);
}

/** A request socket to the kernel's routing subsystem; close it when done. */
export class Rtnetlink {
  readonly #socket = new NetlinkSocket(nativeConstants().NETLINK_ROUTE);

  listLinks(): Promise<Link[]> {
    return dumpLinks(this.#socket);
  }

  listAddresses(): Promise<InterfaceAddress[]> {
    return dumpAddresses(this.#socket);
  }

  /**
   * Adds an address; rejects with code EEXIST when it is already there, so the caller knows
   * whether it owns it. IPv6 addresses skip duplicate address detection (IFA_F_NODAD), as
   * keepalived's do: a VIP must be usable the moment this router becomes master.
   */
  async addAddress(spec: AddressSpec): Promise<void> {
    const operation = `add ${spec.address}/${spec.prefix} to ifindex ${spec.ifindex}`;
    const payload = addressRequest(spec, operation, { skipDad: true });
    await this.#socket.request(operation, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, payload);
  }

  /** Removes an address; rejects with code EADDRNOTAVAIL when it is not there. */
  async removeAddress(spec: AddressSpec): Promise<void> {
    const operation = `remove ${spec.address}/${spec.prefix} from ifindex ${spec.ifindex}`;
    await this.#socket.request(operation, RTM_DELADDR, 0, addressRequest(spec, operation, { skipDad: false }));
  }

  close(): void {
    this.#socket.close();
  }
}

/**
 * Opens a socket in `groups`, hands every notification `decode` understands to `onEvent`, and
 * after an overflow dumps the table again with `resync`. Receive failures go to `onError`.
 */
function watch<E>(
  groups: number[],
  decode: (message: NetlinkMessage) => E | undefined,
  resync: (socket: NetlinkSocket) => Promise<E>,
  onEvent: (event: E) => void,
  onError: (error: Error) => void,
): Watcher {
  const socket = new NetlinkSocket(nativeConstants().NETLINK_ROUTE, groups);
  socket.on('error', onError);
  socket.on('notification', (message) => {
    const event = decode(message);
    if (event) onEvent(event);
  });
  socket.on('overrun', () => {
    resync(socket).then(onEvent, (error: Error) => {
      // A watcher closed during the dump has nobody left to tell.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_SOCKET_CLOSED') onError(error);
    });
  });
  return { close: () => socket.close() };
}

/** Calls `onEvent` when a link is added, changes (up/down, carrier, name, ...) or is removed. */
export function watchLinks(onEvent: (event: LinkEvent) => void, onError: (error: Error) => void): Watcher {
  return watch<LinkEvent>(
    [RTNLGRP_LINK],
    (message) => {
      if (message.type === RTM_NEWLINK) return { kind: 'changed', link: decodeLink(message) };
      if (message.type === RTM_DELLINK) return { kind: 'removed', link: decodeLink(message) };
      return undefined;
    },
    async (socket) => ({ kind: 'resync', links: await dumpLinks(socket) }),
    onEvent,
    onError,
  );
}

/** Calls `onEvent` when an IPv4 or IPv6 address is added to or removed from any interface. */
export function watchAddresses(onEvent: (event: AddressEvent) => void, onError: (error: Error) => void): Watcher {
  return watch<AddressEvent>(
    [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR],
    (message) => {
      const address = message.type === RTM_NEWADDR || message.type === RTM_DELADDR ? decodeAddress(message) : undefined;
      if (!address) return undefined;
      return { kind: message.type === RTM_NEWADDR ? 'added' : 'removed', address };
    },
    async (socket) => ({ kind: 'resync', addresses: await dumpAddresses(socket) }),
    onEvent,
    onError,
  );
}
