// A small reader for classic libpcap files with Ethernet frames, enough to pull VRRP, ARP and
// ICMPv6 out of the golden captures. It unwraps what the daemon's raw sockets unwrap for it: the
// Ethernet header, the IPv4/IPv6 header and an AH header, and hands back the IP fields separately.
import { readFileSync } from 'node:fs';
import { SocketAddress } from 'node:net';
import type { Family } from '../../src/inet/address.js';

const LINKTYPE_ETHERNET = 1;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_AH = 51;

export interface IpFields {
  family: Family;
  source: string;
  destination: string;
  /** TTL for IPv4, hop limit for IPv6. */
  ttl: number;
  /** The upper-layer protocol after any AH header (IPv4 protocol or IPv6 next header). */
  protocol: number;
  /** Whether an AH header was skipped to reach `payload`. */
  viaAh: boolean;
}

export interface Frame {
  /** 1-based, as tcpdump and tshark number frames. */
  number: number;
  bytes: Buffer;
  ethernet: { destination: string; source: string; type: number };
  /** Absent for frames that are not IPv4 or IPv6 (ARP). */
  ip?: IpFields;
  /** The bytes after the Ethernet header, or after the IP (and AH) headers for IP frames. */
  payload: Buffer;
}

const macText = (bytes: Buffer): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');

// Formatted by node (inet_ntop) rather than by the code under test, so the two check each other.
function addressText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

/** Skips an AH header (RFC 4302: its length field counts 32-bit words, minus 2). */
function skipAh(protocol: number, payload: Buffer): { protocol: number; payload: Buffer; viaAh: boolean } {
  if (protocol !== IPPROTO_AH) return { protocol, payload, viaAh: false };
  const length = (payload[1]! + 2) * 4;
  return { protocol: payload[0]!, payload: payload.subarray(length), viaAh: true };
}

function parseIpv4(packet: Buffer): { ip: IpFields; payload: Buffer } {
  const headerLength = (packet[0]! & 0x0f) * 4;
  const totalLength = packet.readUInt16BE(2);
  const inner = skipAh(packet[9]!, packet.subarray(headerLength, totalLength));
  const ip: IpFields = {
    family: 4,
    source: addressText(packet.subarray(12, 16)),
    destination: addressText(packet.subarray(16, 20)),
    ttl: packet[8]!,
    protocol: inner.protocol,
    viaAh: inner.viaAh,
  };
  return { ip, payload: inner.payload };
}

function parseIpv6(packet: Buffer): { ip: IpFields; payload: Buffer } {
  const payloadLength = packet.readUInt16BE(4);
  const inner = skipAh(packet[6]!, packet.subarray(40, 40 + payloadLength));
  const ip: IpFields = {
    family: 6,
    source: addressText(packet.subarray(8, 24)),
    destination: addressText(packet.subarray(24, 40)),
    ttl: packet[7]!,
    protocol: inner.protocol,
    viaAh: inner.viaAh,
  };
  return { ip, payload: inner.payload };
}

function parseFrame(number: number, bytes: Buffer): Frame {
  const ethernet = {
    destination: macText(bytes.subarray(0, 6)),
    source: macText(bytes.subarray(6, 12)),
    type: bytes.readUInt16BE(12),
  };
  const body = bytes.subarray(14);
  if (ethernet.type === ETHERTYPE_IPV4) return { number, bytes, ethernet, ...parseIpv4(body) };
  if (ethernet.type === ETHERTYPE_IPV6) return { number, bytes, ethernet, ...parseIpv6(body) };
  return { number, bytes, ethernet, payload: body };
}

/** Every frame of a classic pcap file (either byte order, micro- or nanosecond timestamps). */
export function readPcap(file: string): Frame[] {
  const data = readFileSync(file);
  const magic = data.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!littleEndian && data.readUInt32BE(0) !== 0xa1b2c3d4 && data.readUInt32BE(0) !== 0xa1b23c4d) {
    throw new Error(`${file}: not a classic pcap file`);
  }
  const u32 = (offset: number): number => (littleEndian ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  if (u32(20) !== LINKTYPE_ETHERNET) throw new Error(`${file}: link type ${u32(20)}, expected Ethernet`);
  const frames: Frame[] = [];
  for (let offset = 24; offset < data.length; ) {
    const capturedLength = u32(offset + 8);
    const start = offset + 16;
    frames.push(parseFrame(frames.length + 1, data.subarray(start, start + capturedLength)));
    offset = start + capturedLength;
  }
  return frames;
}
