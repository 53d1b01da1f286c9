/**
 * The netlink wire format (netlink(7)): message headers, type-length-value attributes padded to
 * 4 bytes and nested, and the kernel's acknowledgements with their extended-ack reason. Pure:
 * no sockets. rtnetlink and generic netlink (IPVS) both build on it; their family headers
 * (ifaddrmsg, genlmsghdr, ...) travel at the start of a message's payload.
 */
import util from 'node:util';
import { readI32, readU16, readU32, writeU16, writeU32 } from './byte-order.js';

export const NLMSG_HDRLEN = 16;
export const NLA_HDRLEN = 4;

/** Message types every netlink family shares. */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

/** Header flags. */
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
/** Set on dump parts when the dumped table changed mid-dump: the result may be inconsistent. */
export const NLM_F_DUMP_INTR = 0x10;
/** GET modifier: the whole table. */
export const NLM_F_DUMP = 0x300;
/** NEW modifiers. */
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** NLMSG_ERROR flags: the request was not echoed back / extended-ack attributes follow it. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

/** Attribute type bits that are flags rather than part of the type. */
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** Extended-ack attributes after the echoed request in an NLMSG_ERROR. */
const NLMSGERR_ATTR_MSG = 1;
const NLMSGERR_ATTR_OFFS = 2;

export const align4 = (length: number): number => (length + 3) & ~3;

/** Thrown when bytes do not parse as netlink: the kernel never sends such, so it is a bug. */
export class NetlinkFormatError extends Error {
  readonly code = 'ERR_NETLINK_FORMAT';
}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  /** Sender's port id: 0 for the kernel. */
  pid: number;
  /** Everything after the 16-byte header: the family header, then attributes. */
  payload: Buffer;
}

export function encodeMessage(message: NetlinkMessage): Buffer {
  const length = NLMSG_HDRLEN + message.payload.length;
  const buffer = Buffer.alloc(align4(length));
  writeU32(buffer, length, 0);
  writeU16(buffer, message.type, 4);
  writeU16(buffer, message.flags, 6);
  writeU32(buffer, message.seq >>> 0, 8);
  writeU32(buffer, message.pid >>> 0, 12);
  message.payload.copy(buffer, NLMSG_HDRLEN);
  return buffer;
}

export type NetlinkHeader = Omit<NetlinkMessage, 'payload'>;

function decodeHeader(buffer: Buffer, offset: number): NetlinkHeader {
  return {
    type: readU16(buffer, offset + 4),
    flags: readU16(buffer, offset + 6),
    seq: readU32(buffer, offset + 8),
    pid: readU32(buffer, offset + 12),
  };
}

/** Every message in one datagram; payloads are views into `buffer`, not copies. */
export function decodeMessages(buffer: Buffer): NetlinkMessage[] {
  const messages: NetlinkMessage[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (buffer.length - offset < NLMSG_HDRLEN) {
      throw new NetlinkFormatError(
        `netlink: ${buffer.length - offset} bytes at offset ${offset} are too short for a message header`,
      );
    }
    const length = readU32(buffer, offset);
    if (length < NLMSG_HDRLEN || offset + length > buffer.length) {
      throw new NetlinkFormatError(
        `netlink: message at offset ${offset} claims ${length} bytes, ${buffer.length - offset} remain`,
      );
    }
    messages.push({
      ...decodeHeader(buffer, offset),
      payload: buffer.subarray(offset + NLMSG_HDRLEN, offset + length),
    });
    offset += align4(length);
  }
  return messages;
}

/** An attribute to encode: raw bytes, or a list of attributes nested inside it. */
export type AttributeInput = { type: number; data: Buffer } | { type: number; nested: readonly AttributeInput[] };

export interface NetlinkAttribute {
  /** The type with the NLA_F_* flag bits masked off. */
  type: number;
  /** NLA_F_NESTED was set: `data` holds attributes (decodeAttributes(data)). Older families nest without it. */
  nested: boolean;
  data: Buffer;
}

/** Attribute constructors; numbers are in host byte order, as netlink attributes are unless marked otherwise. */
export const attribute = {
  bytes: (type: number, data: Buffer): AttributeInput => ({ type, data }),
  u8: (type: number, value: number): AttributeInput => ({ type, data: Buffer.of(value) }),
  u16: (type: number, value: number): AttributeInput => {
    const data = Buffer.alloc(2);
    writeU16(data, value, 0);
    return { type, data };
  },
  u32: (type: number, value: number): AttributeInput => {
    const data = Buffer.alloc(4);
    writeU32(data, value >>> 0, 0);
    return { type, data };
  },
  /** NUL-terminated, as the kernel's NLA_STRING / NLA_NUL_STRING policies expect. */
  string: (type: number, value: string): AttributeInput => ({ type, data: Buffer.from(`${value}\0`) }),
  flag: (type: number): AttributeInput => ({ type, data: Buffer.alloc(0) }),
  nested: (type: number, attributes: readonly AttributeInput[]): AttributeInput => ({ type, nested: attributes }),
};

/** Readers for attribute data, the inverse of `attribute`. */
export const attributeData = {
  u8: (data: Buffer): number => data.readUInt8(0),
  u16: (data: Buffer): number => readU16(data, 0),
  u32: (data: Buffer): number => readU32(data, 0),
  /** Up to the first NUL (the kernel includes it; some senders do not). */
  string: (data: Buffer): string => {
    const end = data.indexOf(0);
    return data.toString('utf8', 0, end === -1 ? data.length : end);
  },
};

export function encodeAttributes(attributes: readonly AttributeInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const input of attributes) {
    const isNested = 'nested' in input;
    const data = isNested ? encodeAttributes(input.nested) : input.data;
    const length = NLA_HDRLEN + data.length;
    if (length > 0xffff)
      throw new RangeError(
        `netlink attribute ${input.type} would be ${length} bytes; the length field holds at most 65535`,
      );
    const header = Buffer.alloc(NLA_HDRLEN);
    writeU16(header, length, 0);
    writeU16(header, input.type | (isNested ? NLA_F_NESTED : 0), 2);
    parts.push(header, data, Buffer.alloc(align4(length) - length));
  }
  return Buffer.concat(parts);
}

/** The attributes in `buffer`, in order; data are views into it. Trailing padding is ignored. */
export function decodeAttributes(buffer: Buffer): NetlinkAttribute[] {
  const attributes: NetlinkAttribute[] = [];
  let offset = 0;
  while (buffer.length - offset >= NLA_HDRLEN) {
    const length = readU16(buffer, offset);
    const type = readU16(buffer, offset + 2);
    if (length < NLA_HDRLEN || offset + length > buffer.length) {
      throw new NetlinkFormatError(
        `netlink: attribute at offset ${offset} claims ${length} bytes, ${buffer.length - offset} remain`,
      );
    }
    attributes.push({
      type: type & NLA_TYPE_MASK,
      nested: (type & NLA_F_NESTED) !== 0,
      data: buffer.subarray(offset + NLA_HDRLEN, offset + length),
    });
    offset += align4(length);
  }
  return attributes;
}

/** The attributes in `buffer` by type, for families where each type appears at most once. */
export function attributesByType(buffer: Buffer): Map<number, Buffer> {
  return new Map(decodeAttributes(buffer).map((a) => [a.type, a.data]));
}

/** An NLMSG_ERROR message: the kernel's answer to a request sent with NLM_F_ACK, or its refusal. */
export interface NetlinkAck {
  /** 0 acknowledges success; otherwise a negated errno, as in struct nlmsgerr. */
  error: number;
  /** The header of the request this answers (its payload is not kept). */
  request: NetlinkHeader;
  /** NLMSGERR_ATTR_MSG: the kernel's reason in words (sockets with NETLINK_EXT_ACK). */
  reason?: string;
  /** NLMSGERR_ATTR_OFFS: the byte offset in the request of the attribute at fault. */
  offset?: number;
}

export function decodeAck(message: NetlinkMessage): NetlinkAck {
  const { payload } = message;
  if (message.type !== NLMSG_ERROR || payload.length < 4 + NLMSG_HDRLEN) {
    throw new NetlinkFormatError(`netlink: not an error message (type ${message.type}, ${payload.length} bytes)`);
  }
  const ack: NetlinkAck = { error: readI32(payload, 0), request: decodeHeader(payload, 4) };
  if (message.flags & NLM_F_ACK_TLVS) {
    // The echoed request is its header alone when capped, else the whole request.
    const echoed = message.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : align4(readU32(payload, 4));
    const extended = attributesByType(payload.subarray(Math.min(4 + echoed, payload.length)));
    const reason = extended.get(NLMSGERR_ATTR_MSG);
    const offset = extended.get(NLMSGERR_ATTR_OFFS);
    if (reason) ack.reason = attributeData.string(reason);
    if (offset) ack.offset = attributeData.u32(offset);
  }
  return ack;
}

/** The status an NLMSG_DONE carries: 0, or a negated errno when the dump itself failed. */
export function decodeDoneStatus(message: NetlinkMessage): number {
  return message.payload.length >= 4 ? readI32(message.payload, 0) : 0;
}

/** A request the kernel refused. `code` and `errno` follow Node's system errors ('EEXIST', -17). */
export class NetlinkError extends Error {
  readonly code: string;
  readonly errno: number;
  /** The kernel's extended-ack reason, when it gave one. */
  readonly reason: string | undefined;

  /** `operation` says what was asked, e.g. "add 198.51.100.10/24 to ifindex 3". */
  constructor(operation: string, error: number, reason?: string) {
    const [code, description] = util.getSystemErrorMap().get(error) ?? [`errno ${-error}`, 'unknown error'];
    super(`${operation}: ${code}: ${description}${reason ? ` (kernel: ${reason})` : ''}`);
    this.name = 'NetlinkError';
    this.code = code;
    this.errno = error;
    this.reason = reason;
  }
}
