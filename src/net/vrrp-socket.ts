/**
 * The VRRP wire for one interface and one IP family: a raw IPPROTO_VRRP socket bound to the
 * interface, joined to the VRRP multicast group there, sending with TTL / hop limit 255 (RFC
 * 5798 §5.1.1.3) and handing each received message up with the IP header fields the receive
 * checks need. The VRRP message itself is vrrp/packet's business.
 */
import { EventEmitter } from 'node:events';
import { IPPROTO_VRRP, VRRP_MULTICAST, VRRP_TTL } from '../vrrp/packet.js';
import { parseIp, type Family } from '../config/address.js';
import { writeI32 } from './byte-order.js';
import { interfaceIndex, nativeConstants, RawSocket, withContext, type Ancillary, type InetSocketAddress, type ReceivedMessage } from './native.js';

const IPV4_MIN_HEADER_LENGTH = 20;


export interface VrrpPacket {
  /** The VRRP message, without the IP header. */
  payload: Buffer;
  family: Family;
  source: string;
  destination: string;
  /** The IPv4 TTL or the IPv6 hop limit it arrived with. */
  ttl: number;
}

export interface VrrpSocketOptions {
  /** The interface name, e.g. eth0. */
  interface: string;
  family: Family;
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
  if (headerLength < IPV4_MIN_HEADER_LENGTH || totalLength < headerLength || totalLength > data.length) return undefined;
  return {
    payload: data.subarray(headerLength, totalLength),
    family: 4,
    source: [...data.subarray(12, 16)].join('.'),
    destination: [...data.subarray(16, 20)].join('.'),
    ttl: data[8]!,
  };
}

/** An AF_INET6 raw socket returns no IP header; the addresses and hop limit come beside the data. */
function ipv6Packet(data: Buffer, source: string, ancillary: Ancillary): VrrpPacket | undefined {
  if (ancillary.destination === undefined || ancillary.hopLimit === undefined) return undefined;
  return { payload: data, family: 6, source, destination: ancillary.destination, ttl: ancillary.hopLimit };
}

/**
 * Emits 'packet' for every VRRP message arriving on the interface, and 'error' for receive
 * failures. One socket sends and receives. (A unicast source address, keepalived's
 * unicast_src_ip, will need a separate send socket bound to it: a raw socket bound to an
 * address receives only packets addressed to it, which would shut out the multicast group.)
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
    const where = `the IPv${this.family} VRRP socket on ${this.interface}`;
    try {
      this.ifindex = interfaceIndex(this.interface);
      this.#socket = new RawSocket(this.family === 4 ? c.AF_INET : c.AF_INET6, c.SOCK_RAW, IPPROTO_VRRP);
    } catch (error) {
      throw withContext(`cannot open ${where}`, error as Error);
    }
    const group = VRRP_MULTICAST[this.family];
    try {
      this.#socket.setOption(c.SOL_SOCKET, c.SO_BINDTODEVICE, Buffer.from(this.interface));
      if (this.family === 4) {
        this.#socket.setOption(c.IPPROTO_IP, c.IP_MULTICAST_IF, ipMreqn('0.0.0.0', this.ifindex));
        this.#socket.setOption(c.IPPROTO_IP, c.IP_ADD_MEMBERSHIP, ipMreqn(group, this.ifindex));
        this.#socket.setOption(c.IPPROTO_IP, c.IP_MULTICAST_TTL, VRRP_TTL);
        this.#socket.setOption(c.IPPROTO_IP, c.IP_TTL, VRRP_TTL);
        // Our own adverts must not come back to us as if from a peer.
        this.#socket.setOption(c.IPPROTO_IP, c.IP_MULTICAST_LOOP, 0);
      } else {
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_MULTICAST_IF, this.ifindex);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_ADD_MEMBERSHIP, ipv6Mreq(group, this.ifindex));
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_MULTICAST_HOPS, VRRP_TTL);
        this.#socket.setOption(c.IPPROTO_IPV6, c.IPV6_UNICAST_HOPS, VRRP_TTL);
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

  /** Sends one VRRP message, to the VRRP multicast group unless a (unicast peer) destination is given. */
  send(payload: Buffer, destination: string = VRRP_MULTICAST[this.family]): void {
    const c = nativeConstants();
    const family = this.family === 4 ? c.AF_INET : c.AF_INET6;
    try {
      // The scope id picks the interface for link-local destinations (ff02::12, fe80::/10).
      this.#socket.send(payload, { family, address: destination, scopeId: this.ifindex });
    } catch (error) {
      throw withContext(`sending VRRP to ${destination} on ${this.interface}`, error as Error);
    }
  }

  close(): void {
    this.#socket.close();
  }

  /** Datagrams dropped because their IP header or ancillary data did not parse (the kernel should never deliver one). */
  get malformed(): number {
    return this.#malformed;
  }

  #onMessage({ data, address, ancillary, truncated }: ReceivedMessage<InetSocketAddress>): void {
    const packet = truncated ? undefined : this.family === 4 ? parseIpv4(data) : ipv6Packet(data, address.address, ancillary);
    if (packet) this.emit('packet', packet);
    else this.#malformed++;
  }
}
