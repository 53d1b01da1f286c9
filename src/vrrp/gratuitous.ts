/**
 * The frames a new master sends so that neighbours repoint their caches at once (RFC 5798 §6.4):
 * a gratuitous ARP for each IPv4 address and an unsolicited Neighbor Advertisement for each IPv6
 * address. Each is a complete Ethernet frame for a packet socket, laid out byte for byte as
 * keepalived sends it. Pure: no sockets.
 */
import { addressBytes, pseudoHeaderChecksum } from './packet.js';

const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ARP_HARDWARE_ETHERNET = 1;
const ARP_PROTOCOL_IPV4 = 0x0800;
const ARP_OPERATION_REQUEST = 1;
const IPPROTO_ICMPV6 = 58;
const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
/** RFC 4861 §4.4 flag bits, in the first byte of the word after the checksum. */
const NA_FLAG_ROUTER = 0x80;
const NA_FLAG_OVERRIDE = 0x20;
/** RFC 4861 §4.6.1: option type 2, length counted in units of 8 bytes. */
const ND_OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
/** Neighbor Discovery requires hop limit 255 and receivers drop anything else (RFC 4861 §7.1.2). */
const ND_HOP_LIMIT = 255;
const ALL_NODES = 'ff02::1';
/** ff02::1 mapped to Ethernet: 33:33 and the address's last 32 bits (RFC 2464 §7). */
const ALL_NODES_MAC = Uint8Array.of(0x33, 0x33, 0x00, 0x00, 0x00, 0x01);
const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

function macBytes(mac: string): Uint8Array {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac))
    throw new RangeError(`${JSON.stringify(mac)} is not a MAC address like 02:00:00:00:00:0b`);
  return Uint8Array.from(mac.split(':'), (octet) => parseInt(octet, 16));
}

function ethernetFrame(destination: Uint8Array, source: Uint8Array, etherType: number, payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(14 + payload.length);
  frame.set(destination, 0);
  frame.set(source, 6);
  frame.writeUInt16BE(etherType, 12);
  frame.set(payload, 14);
  return frame;
}

/**
 * A broadcast ARP request whose sender and target protocol addresses are both `address`, sent
 * from `mac`. The target hardware address is the broadcast address, as keepalived fills it;
 * receivers ignore that field in a request.
 */
export function buildGratuitousArp(mac: string, address: string): Buffer {
  const sender = macBytes(mac);
  const ip = addressBytes(address, 4, 'gratuitous ARP address');
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(ARP_HARDWARE_ETHERNET, 0);
  arp.writeUInt16BE(ARP_PROTOCOL_IPV4, 2);
  arp[4] = sender.length;
  arp[5] = ip.length;
  arp.writeUInt16BE(ARP_OPERATION_REQUEST, 6);
  arp.set(sender, 8);
  arp.set(ip, 14);
  arp.set(BROADCAST_MAC, 18);
  arp.set(ip, 24);
  return ethernetFrame(BROADCAST_MAC, sender, ETHERTYPE_ARP, arp);
}

export interface NeighborAdvertOptions {
  /**
   * Sets the Router flag, which RFC 5798 §6.4 asks of a virtual router that forwards IPv6. Left
   * clear (as in the keepalived captures) for addresses that are served rather than routed through.
   */
  router?: boolean;
}

/**
 * An unsolicited Neighbor Advertisement (RFC 4861 §7.2.6) for `address` to all nodes: Override
 * flag set, Solicited clear, with `mac` as the target link-layer address. Like keepalived it is
 * sent from `address` itself, which the new master has just added to the interface.
 */
export function buildUnsolicitedNeighborAdvert(
  mac: string,
  address: string,
  options: NeighborAdvertOptions = {},
): Buffer {
  const sender = macBytes(mac);
  const target = addressBytes(address, 6, 'Neighbor Advertisement target');
  const icmp = Buffer.alloc(32);
  icmp[0] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
  icmp[4] = NA_FLAG_OVERRIDE | (options.router ? NA_FLAG_ROUTER : 0);
  icmp.set(target, 8);
  icmp[24] = ND_OPTION_TARGET_LINK_LAYER_ADDRESS;
  icmp[25] = 1;
  icmp.set(sender, 26);
  icmp.writeUInt16BE(
    pseudoHeaderChecksum({ family: 6, source: address, destination: ALL_NODES }, IPPROTO_ICMPV6, icmp),
    2,
  );

  const ipv6 = Buffer.alloc(40 + icmp.length);
  ipv6.writeUInt32BE(0x60000000, 0); // version 6, traffic class and flow label 0
  ipv6.writeUInt16BE(icmp.length, 4);
  ipv6[6] = IPPROTO_ICMPV6;
  ipv6[7] = ND_HOP_LIMIT;
  ipv6.set(target, 8);
  ipv6.set(addressBytes(ALL_NODES, 6, 'all-nodes address'), 24);
  ipv6.set(icmp, 40);
  return ethernetFrame(ALL_NODES_MAC, sender, ETHERTYPE_IPV6, ipv6);
}
