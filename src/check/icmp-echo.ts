// ICMP and ICMPv6 echo (RFC 792, RFC 4443) for PING_CHECK: the request vigil sends on a raw
// socket and the recognition of its reply among everything else a raw socket hears.
import { internetChecksum } from '../inet/checksum.js';

const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;
const ECHO_HEADER_LENGTH = 8;

export interface Echo {
  family: 4 | 6;
  id: number;
  sequence: number;
}

/**
 * An echo request carrying `payload`. IPv4's checksum is filled in; IPv6's covers a
 * pseudo-header with the source address the kernel picks, so the kernel computes it for raw
 * ICMPv6 sockets (RFC 3542 §3.1) and it is left 0 here.
 */
export function encodeEchoRequest(echo: Echo, payload: Uint8Array): Buffer {
  const message = Buffer.alloc(ECHO_HEADER_LENGTH + payload.length);
  message[0] = echo.family === 4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST;
  message.writeUInt16BE(echo.id, 4);
  message.writeUInt16BE(echo.sequence, 6);
  message.set(payload, ECHO_HEADER_LENGTH);
  if (echo.family === 4) message.writeUInt16BE(internetChecksum(message), 2);
  return message;
}

/**
 * The id and sequence of an echo reply as a raw socket delivers it (IPv4 with its IP header,
 * IPv6 without); undefined for any other datagram, a corrupt IPv4 one included (the kernel
 * verifies ICMPv6 checksums itself).
 */
export function decodeEchoReply(family: 4 | 6, datagram: Uint8Array): Echo | undefined {
  const message = family === 4 ? withoutIpv4Header(datagram) : datagram;
  if (!message || message.length < ECHO_HEADER_LENGTH) return undefined;
  if (message[0] !== (family === 4 ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY) || message[1] !== 0) return undefined;
  if (family === 4 && internetChecksum(message) !== 0) return undefined;
  const view = Buffer.from(message.buffer, message.byteOffset, message.length);
  return { family, id: view.readUInt16BE(4), sequence: view.readUInt16BE(6) };
}

function withoutIpv4Header(datagram: Uint8Array): Uint8Array | undefined {
  const headerLength = ((datagram[0] ?? 0) & 0x0f) * 4;
  if (datagram[0]! >> 4 !== 4 || headerLength < 20 || datagram.length < headerLength) return undefined;
  return datagram.subarray(headerLength);
}
