/**
 * Host byte order, which netlink headers and attributes and the socket option structs
 * (ip_mreqn, ipv6_mreq) use, unlike the network byte order of packets on the wire.
 */
import os from 'node:os';

const littleEndian = os.endianness() === 'LE';

export const readU16 = (buffer: Buffer, offset: number): number =>
  littleEndian ? buffer.readUInt16LE(offset) : buffer.readUInt16BE(offset);
export const readU32 = (buffer: Buffer, offset: number): number =>
  littleEndian ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset);
export const readI32 = (buffer: Buffer, offset: number): number =>
  littleEndian ? buffer.readInt32LE(offset) : buffer.readInt32BE(offset);

export const writeU16 = (buffer: Buffer, value: number, offset: number): number =>
  littleEndian ? buffer.writeUInt16LE(value, offset) : buffer.writeUInt16BE(value, offset);
export const writeU32 = (buffer: Buffer, value: number, offset: number): number =>
  littleEndian ? buffer.writeUInt32LE(value, offset) : buffer.writeUInt32BE(value, offset);
export const writeI32 = (buffer: Buffer, value: number, offset: number): number =>
  littleEndian ? buffer.writeInt32LE(value, offset) : buffer.writeInt32BE(value, offset);

/** A 16-bit value in network byte order, as socket(AF_PACKET, type, protocol) takes its protocol. */
export const htons = (value: number): number => (littleEndian ? ((value & 0xff) << 8) | (value >> 8) : value);
