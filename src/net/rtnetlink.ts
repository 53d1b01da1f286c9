/**
 * rtnetlink (rtnetlink(7)) as vigild needs it: the links and their state, interface addresses,
 * adding and removing virtual IPs, and notifications when links or addresses change. It acts
 * on the network namespace of the process.
 */

import type { Route, Rule } from '../config/index.js';
import { nativeConstants } from './native.js';
import { NetlinkSocket } from './netlink.js';
import { type NetlinkMessage, NLM_F_CREATE, NLM_F_EXCL } from './netlink-codec.js';
import {
  type IndexOf,
  ROUTE_ADD_FLAGS,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_NEWROUTE,
  RTM_NEWRULE,
  RULE_ADD_FLAGS,
  routeRequest,
  ruleRequest,
} from './route-codec.js';
import { type DeletedEntry, decodeDeletedEntry } from './route-events.js';
import {
  type AddressEvent,
  type AddressSpec,
  addressDumpRequest,
  addressRequest,
  decodeAddress,
  decodeAddressEvent,
  decodeLink,
  decodeLinkEvent,
  type InterfaceAddress,
  type Link,
  type LinkEvent,
  linkDeleteRequest,
  linkDumpRequest,
  linkUpRequest,
  type MacvlanSpec,
  macvlanRequest,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
} from './rtnetlink-codec.js';

export type {
  AddressEvent,
  AddressScope,
  AddressSpec,
  InterfaceAddress,
  Link,
  LinkEvent,
  MacvlanSpec,
} from './rtnetlink-codec.js';

/** Multicast groups (enum rtnetlink_groups). */
const RTNLGRP_LINK = 1;
const RTNLGRP_IPV4_IFADDR = 5;
const RTNLGRP_IPV6_IFADDR = 9;
const RTNLGRP_IPV4_ROUTE = 7;
const RTNLGRP_IPV4_RULE = 8;
const RTNLGRP_IPV6_ROUTE = 11;
const RTNLGRP_IPV6_RULE = 19;

export interface Watcher {
  close(): void;
}

async function dumpLinks(socket: NetlinkSocket): Promise<Link[]> {
  const replies = await socket.dump('list links', RTM_GETLINK, linkDumpRequest());
  return replies.filter((m) => m.type === RTM_NEWLINK).map(decodeLink);
}

async function dumpAddresses(socket: NetlinkSocket): Promise<InterfaceAddress[]> {
  const replies = await socket.dump('list addresses', RTM_GETADDR, addressDumpRequest());
  return replies.filter((m) => m.type === RTM_NEWADDR).flatMap((m) => decodeAddress(m) ?? []);
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

  /** Adds a route as its mode says; rejects with code EEXIST when the kernel keeps the one there. */
  async addRoute(route: Route, indexOf: IndexOf): Promise<void> {
    const operation = `add route ${route.to.address}/${route.to.prefix}`;
    await this.#socket.request(
      operation,
      RTM_NEWROUTE,
      ROUTE_ADD_FLAGS[route.mode],
      routeRequest(route, indexOf, 'add'),
    );
  }

  /** Removes a route of the route's protocol; rejects with code ESRCH when there is none. */
  async removeRoute(route: Route, indexOf: IndexOf): Promise<void> {
    const operation = `remove route ${route.to.address}/${route.to.prefix}`;
    await this.#socket.request(operation, RTM_DELROUTE, 0, routeRequest(route, indexOf, 'remove'));
  }

  /** Adds a rule; rejects with code EEXIST when an identical one is there. */
  async addRule(rule: Rule): Promise<void> {
    await this.#socket.request(`add rule ${rule.priority}`, RTM_NEWRULE, RULE_ADD_FLAGS, ruleRequest(rule));
  }

  /** Removes a rule; rejects with code ENOENT when there is none. */
  async removeRule(rule: Rule): Promise<void> {
    await this.#socket.request(`remove rule ${rule.priority}`, RTM_DELRULE, 0, ruleRequest(rule));
  }

  /** Creates a macvlan, down; rejects with code EEXIST when a link of that name is there. */
  async addMacvlan(spec: MacvlanSpec): Promise<void> {
    const operation = `create macvlan ${spec.name}`;
    await this.#socket.request(operation, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, macvlanRequest(spec));
  }

  async setLinkUp(index: number, name: string): Promise<void> {
    await this.#socket.request(`set ${name} up`, RTM_NEWLINK, 0, linkUpRequest(index));
  }

  /** Deletes a link; rejects with code ENODEV when it is gone. */
  async removeLink(index: number, name: string): Promise<void> {
    await this.#socket.request(`delete link ${name}`, RTM_DELLINK, 0, linkDeleteRequest(index));
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
    decodeLinkEvent,
    async (socket) => ({ kind: 'resync', links: await dumpLinks(socket) }),
    onEvent,
    onError,
  );
}

/** Calls `onEvent` when an IPv4 or IPv6 address is added to or removed from any interface. */
export function watchAddresses(onEvent: (event: AddressEvent) => void, onError: (error: Error) => void): Watcher {
  return watch<AddressEvent>(
    [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR],
    decodeAddressEvent,
    async (socket) => ({ kind: 'resync', addresses: await dumpAddresses(socket) }),
    onEvent,
    onError,
  );
}

/** A deleted route or rule of keepalived's protocol, or notifications lost (no dump tells what was deleted). */
export type RouteEvent = DeletedEntry | { kind: 'overrun' };

/** Calls `onEvent` when a route or rule marked `proto keepalived` is deleted. */
export function watchRoutes(onEvent: (event: RouteEvent) => void, onError: (error: Error) => void): Watcher {
  return watch<RouteEvent>(
    [RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE],
    decodeDeletedEntry,
    async () => ({ kind: 'overrun' }),
    onEvent,
    onError,
  );
}
