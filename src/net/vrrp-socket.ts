/**
 * The VRRP wire for one interface and one IP family: a raw IPPROTO_VRRP socket bound to the
 * interface, joined to a VRRP multicast group there (224.0.0.18 / ff02::12 unless configured), sending with TTL / hop limit 255 (RFC
 * 5798 §5.1.1.3) and DSCP CS6 from the source address it is given, and handing each received
 * message up with the IP header fields the receive checks need. The VRRP message itself is
 * vrrp/packet's business.
 *
 * keepalived's `auth_type AH` puts an AH header before VRRPv2: those adverts are IP protocol 51,
 * so an interface with AH instances has a second socket of that protocol (`ah`), which sends
 * whole datagrams (IP_HDRINCL, since the ICV covers the IP header) and hands whole ones up.
 */
import { EventEmitter } from 'node:events';
import { type Family, parseIp } from '../inet/address.js';
import { IPPROTO_AH, IPPROTO_VRRP, VRRP_MULTICAST, VRRP_TTL } from '../inet/vrrp-wire.js';
import { writeI32 } from './byte-order.js';
import {
  type Ancillary,
  type InetSocketAddress,
  interfaceIndex,
  nativeConstants,
  RawSocket,
  type ReceivedMessage,
  withContext,
} from './native.js';

const IPV4_MIN_HEADER_LENGTH = 20;

/**
 * DSCP CS6 (network control, RFC 4594) in the IPv4 TOS / IPv6 traffic class byte, as keepalived
 * marks adverts: queues that honour DSCP keep them ahead of the traffic whose congestion would
 * otherwise delay them into a false failover.
 */
const TRAFFIC_CLASS_CS6 = 0xc0;

export interface VrrpPacket {
  /** The VRRP message, without the IP header. */
  payload: Buffer;
  family: Family;
  source: string;
  destination: string;
  /** The IPv4 TTL or the IPv6 hop limit it arrived with. */
  ttl: number;
  /** IPv4: the whole datagram, IP header included (an AH socket's `payload` starts with AH, whose ICV covers the header). */
  datagram?: Buffer;
}

export interface VrrpSocketOptions {
  /** The interface name, e.g. eth0. */
  interface: string;
  family: Family;
  /** The multicast group to join (vrrp_mcast_group4/6, mcast_dst_ip); unset, the all-VRRP-routers group. */
  group?: string;
  /** IPv4 only: the IPsec AH socket, which sends and receives whole datagrams of protocol 51. */
  ah?: boolean;
}

interface VrrpSocketEvents {
  packet: [VrrpPacket];
  error: [Error];
}

function ipBytes(address: string): Buffer {
  const ip = parseIp(address);
  if (!ip) throw new RangeError(`${JSON.stringify(address)} is not an IP address`);
  return Buffer.from(ip.bytes);
}

/** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex }: join by interface index. */
function ipMreqn(group: string, ifindex: number): Buffer {
  const request = Buffer.alloc(12);
  ipBytes(group).copy(request, 0);
  writeI32(request, ifindex, 8);
  return request;
}

/** struct ipv6_mreq { in6_addr multiaddr; int ifindex }. */
function ipv6Mreq(group: string, ifindex: number): Buffer {
  const request = Buffer.alloc(20);
  ipBytes(group).copy(request, 0);
  writeI32(request, ifindex, 16);
  return request;
}

/** An AF_INET raw socket hands over the whole datagram, IP header first; Linux leaves tot_len in network order. */
function parseIpv4(data: Buffer): VrrpPacket | undefined {
  if (data.length < IPV4_MIN_HEADER_LENGTH || data[0]! >> 4 !== 4) return undefined;
  const headerLength = (data[0]! & 0x0f) * 4;
  const totalLength = data.readUInt16BE(2);
  if (headerLength < IPV4_MIN_HEADER_LENGTH || totalLength < headerLength || totalLength > data.length)
    return undefined;
  return {
    payload: data.subarray(headerLength, totalLength),
    family: 4,
    source: [...data.subarray(12, 16)].join('.'),
    destination: [...data.subarray(16, 20)].join('.'),
    ttl: data[8]!,
    datagram: data.subarray(0, totalLength),
  };
}

/** An AF_INET6 raw socket returns no IP header; the addresses and hop limit come beside the data. */
function ipv6Packet(data: Buffer, source: string, ancillary: Ancillary): VrrpPacket | undefined {
  if (ancillary.destination === undefined || ancillary.hopLimit === undefined) return undefined;
  return { payload: data, family: 6, source, destination: ancillary.destination, ttl: ancillary.hopLimit };
}

/**
 * Emits 'packet' for every VRRP message arriving on the interface, and 'error' for receive
 * failures. One socket sends and receives, unbound to any address (a raw socket bound to one
 * receives only packets addressed to it, which would shut out the multicast group); each advert
 * names its source address instead (IP_PKTINFO / IPV6_PKTINFO).
 */
export class VrrpSocket extends EventEmitter<VrrpSocketEvents> {
  readonly interface: string;
  readonly ifindex: number;
  readonly family: Family;
  readonly #socket: RawSocket<InetSocketAddress>;
  #malformed = 0;

  constructor(options: VrrpSocketOptions) {
    super();
    this.interface = options.interface;
    this.family = options.family;
    const c = nativeConstants();
    const ah = options.ah === true;
    if (ah && this.family !== 4) throw new RangeError('IPsec AH adverts are IPv4 only (VRRPv2)');
    const where = `the IPv${this.family} ${ah ? 'VRRP-in-AH' : 'VRRP'} socket on ${this.interface}`;
    try {
      this.ifindex = interfaceIndex(this.interface);
      this.#socket = new RawSocket(
        this.family === 4 ? c.AF_INET : c.AF_INET6,
        c.SOCK_RAW,
        ah ? IPPROTO_AH : IPPROTO_VRRP,
      );
    } catch (error) {
      throw withContext(`cannot open ${where}`, error as Error);
    }
    const group = options.group ?? VRRP_MULTICAST[this.family];
    try {
      this.#socket.setOption(c.SOL_SOCKET, c.SO_BINDTODEVICE, Buffer.from(this.interface));
      if (this.family === 4) {
        this.#socket.setOption(c.IPPROTO_IP, c.IP_MULTICAST_IF, ipMreqn('0.0.0.0', this.ifindex));
        this.#socket.setOption(c.IPPROTO_IP, c.IP_ADD_MEMBERSHIP, ipMreqn(group, this.ifindex));
        this.#socket.setOption(c.IPPROTO_IP, c.IP_MULTICAST_TTL, VRRP_TTL);
        this.#socket.setOption(c.IPPROTO_IP, c.IP_TTL, VRRP_TTL);
        this.#socket.setOption(c.IPPROTO_IP, c.IP_TOS, TRAFFIC_CLASS_CS6);
        // Our own adverts must not come back to us as if from a peer.
        this.#socket.setOption(c.IPPROTO_IP, c.IP_MULTICAST_LOOP, 0);
        if (ah) this.#socket.setOption(c.IPPROTO_IP, c.IP_HDRINCL, 1);
      } else {
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_MULTICAST_IF, this.ifindex);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_ADD_MEMBERSHIP, ipv6Mreq(group, this.ifindex));
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_MULTICAST_HOPS, VRRP_TTL);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_UNICAST_HOPS, VRRP_TTL);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_TCLASS, TRAFFIC_CLASS_CS6);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_MULTICAST_LOOP, 0);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_RECVHOPLIMIT, 1);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_RECVPKTINFO, 1);
      }
    } catch (error) {
      this.#socket.close();
      throw withContext(`cannot set up ${where}`, error as Error);
    }
    this.#socket.on('message', (message) => this.#onMessage(message));
    this.#socket.on('error', (error) => this.emit('error', withContext(`receiving on ${where}`, error)));
  }

  /**
   * Sends one VRRP message (on an AH socket: the whole datagram, see vrrp/ah.ts) to
   * `destination` (the VRRP multicast group or a unicast peer) from `source`, not from the
   * kernel's choice of source: the VRRPv3 checksum was computed over `source`, and peers take it
   * for the master's address. The kernel would choose otherwise for unicast_src_ip, or for IPv6
   * once a VIP in the destination's prefix is on the interface.
   */
  send(payload: Buffer, destination: string, source: string, ttl?: number): void {
    const c = nativeConstants();
    const family = this.family === 4 ? c.AF_INET : c.AF_INET6;
    try {
      // The scope id picks the interface for link-local destinations (ff02::12, fe80::/10).
      this.#socket.send(
        payload,
        { family, address: destination, scopeId: this.ifindex },
        { sourceAddress: source, ifindex: this.ifindex, ...(ttl !== undefined && { ttl }) },
      );
    } catch (error) {
      throw withContext(
        `sending VRRP from ${source} to ${destination} on ${this.interface}${this.#sendFailureHint(error as Error, source, destination)}`,
        error as Error,
      );
    }
  }

  close(): void {
    this.#socket.close();
  }

  /** What the errors a source address can cause mean: the kernel names neither the address nor the cause. */
  #sendFailureHint(error: Error, source: string, destination: string): string {
    switch ((error as NodeJS.ErrnoException).code) {
      case 'EINVAL': // IPv6: not an address of this host, or still tentative
      case 'EADDRNOTAVAIL':
        return ` (the kernel refuses ${source} as a source: it must be an address of this host, usable on ${this.interface})`;
      case 'ENETUNREACH': // IPv4 says this for a source that is not an address of this host, too
        return ` (no route to ${destination}, or ${source} is not an address of this host)`;
      default:
        return '';
    }
  }

  /** Datagrams dropped because their IP header or ancillary data did not parse (the kernel should never deliver one). */
  get malformed(): number {
    return this.#malformed;
  }

  #onMessage({ data, address, ancillary, truncated }: ReceivedMessage<InetSocketAddress>): void {
    const packet = truncated
      ? undefined
      : this.family === 4
        ? parseIpv4(data)
        : ipv6Packet(data, address.address, ancillary);
    if (packet) this.emit('packet', packet);
    else this.#malformed++;
  }
}
