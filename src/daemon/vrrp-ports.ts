// The VRRP engine's ports made real: raw VRRP sockets, rtnetlink for VIPs (and a watch that puts
// back a VIP someone deletes from a master), AF_PACKET for gratuitous ARP / unsolicited NA, the
// process clock, and the daemon's log and event stream.
import { processClock } from '../clock.js';
import type { Config, VrrpInstance as InstanceConfig, Vip } from '../config/index.js';
import { FrameSocket } from '../net/frame-socket.js';
import { interfaceIndex } from '../net/native.js';
import { OwnedRoutes, type RouteLedger } from '../net/owned-routes.js';
import { type InterfaceAddress, type Link, type Rtnetlink, watchAddresses } from '../net/rtnetlink.js';
import { type AddressLedger, VipAddresses } from '../net/vip-addresses.js';
import { VrrpSocket } from '../net/vrrp-socket.js';
import type { EnginePorts } from '../vrrp/engine.js';
import { buildGratuitousArp, buildUnsolicitedNeighborAdvert } from '../vrrp/gratuitous.js';
import { announceIntervalsOf, type InstanceObserver } from '../vrrp/instance.js';
import type { Family } from '../vrrp/packet.js';
import type { Logger } from './logger.js';
import { needsDropRules, type VipFirewall } from './vip-firewall.js';
import { VipGuard } from './vip-guard.js';

export interface HostSnapshot {
  links: Link[];
  addresses: InterfaceAddress[];
}

/** What the host looks like now: the interfaces (for MACs) and their addresses (for sources). */
export async function snapshotHost(rtnl: Rtnetlink): Promise<HostSnapshot> {
  const [links, addresses] = await Promise.all([rtnl.listLinks(), rtnl.listAddresses()]);
  return { links, addresses };
}

export function realEnginePorts(
  config: Config,
  host: HostSnapshot,
  rtnl: Rtnetlink,
  ledger: AddressLedger,
  routeLedger: RouteLedger,
  observer: InstanceObserver,
  log: Logger,
  firewall: VipFirewall,
  vmacOf?: (instance: InstanceConfig) => string | undefined,
): EnginePorts & { update(config: Config, host: HostSnapshot): void; close(): void } {
  // A reload brings a new config and a new look at the host (interfaces may have come since).
  let current = { config, host, vipAddresses: vipAddressesOf(config) };
  const frameSockets = new Map<number, FrameSocket>();
  const frameSocket = (ifindex: number) => {
    const socket = frameSockets.get(ifindex) ?? new FrameSocket(ifindex);
    frameSockets.set(ifindex, socket);
    return socket;
  };
  const macOf = (ifname: string) => {
    const mac = current.host.links.find((l) => l.name === ifname)?.mac;
    if (!mac) throw new Error(`interface ${ifname} has no MAC address to announce VIPs from`);
    return mac;
  };

  const announcer = (ifname: string) => ({
    announce(vips: readonly Vip[]) {
      for (const vip of vips) {
        const dev = vip.dev ?? ifname;
        const frame =
          vip.family === 4
            ? buildGratuitousArp(macOf(dev), vip.address)
            : buildUnsolicitedNeighborAdvert(macOf(dev), vip.address);
        frameSocket(interfaceIndex(dev)).send(frame);
      }
    },
  });
  const guard = new VipGuard({
    get instances() {
      return current.config.instances;
    },
    get announceIntervals() {
      return announceIntervalsOf(current.config.global);
    },
    announce: (ifname, vips) => announcer(ifname).announce(vips),
    vmacOf,
    clock: processClock,
    log,
  });
  const addressWatch = watchAddresses(
    (event) => guard.onEvent(event),
    (err) => log.error({ err: err.message }, 'watching addresses failed: a VIP deleted by hand may not be put back'),
  );

  return {
    openSocket(ifname, family, group, onPacket) {
      const socket = new VrrpSocket({ interface: ifname, family, group });
      socket.on('packet', (p) =>
        onPacket(p.payload, { family: p.family, source: p.source, destination: p.destination, ttl: p.ttl }),
      );
      socket.on('error', (err) => log.error({ interface: ifname, err: err.message }, 'VRRP socket receive failed'));
      return {
        send: (payload, destination, source, ttl) => socket.send(payload, destination, source, ttl),
        close: () => socket.close(),
      };
    },
    openAhSocket(ifname, onDatagram) {
      const socket = new VrrpSocket({ interface: ifname, family: 4, ah: true });
      socket.on('packet', (p) =>
        onDatagram(p.datagram!, { family: p.family, source: p.source, destination: p.destination, ttl: p.ttl }),
      );
      socket.on('error', (err) => log.error({ interface: ifname, err: err.message }, 'IPsec AH socket receive failed'));
      return {
        send: (datagram, destination, source) => socket.send(datagram, destination, source),
        close: () => socket.close(),
      };
    },
    primaryAddress(ifname, family) {
      const ifindex = current.host.links.find((l) => l.name === ifname)?.index;
      return primaryAddressOf(current.host.addresses, ifindex, family, current.vipAddresses);
    },
    addresses(ifname, instance) {
      const port = guard.guard(new VipAddresses(rtnl, ifname, ledger));
      return needsDropRules(instance) ? firewall.guard(port, ifname, instance, log) : port;
    },
    routes: () => new OwnedRoutes(rtnl, interfaceIndex, routeLedger),
    announcer,
    vmacOf,
    clock: processClock,
    observer,
    update(config, host) {
      current = { config, host, vipAddresses: vipAddressesOf(config) };
    },
    close() {
      addressWatch.close();
      guard.close();
      for (const socket of frameSockets.values()) socket.close();
      frameSockets.clear();
    },
  };
}

/** Every VIP and excluded VIP of the config: never a source address of adverts. */
const vipAddressesOf = (config: Config) =>
  new Set(config.instances.flatMap((i) => [...i.vips, ...i.excludedVips].map((v) => v.address)));

/**
 * The address the kernel will send adverts from, and so the one that goes into the VRRPv3
 * checksum and the tie-break: IPv4, the interface's first primary address; IPv6, its link-local
 * address (RFC 5798 §5.1.2.1). VIPs never count, even when a previous run left them behind.
 */
export function primaryAddressOf(
  addresses: readonly InterfaceAddress[],
  ifindex: number | undefined,
  family: Family,
  vips: ReadonlySet<string>,
): string | undefined {
  return addresses.find(
    (a) =>
      a.ifindex === ifindex &&
      a.family === family &&
      !vips.has(a.address) &&
      (family === 4 ? !a.secondary : a.scope === 'link' && !a.tentative && !a.dadFailed),
  )?.address;
}
