/**
 * Generic netlink (genetlink, linux/genetlink.h): many families share NETLINK_GENERIC and are
 * told apart by an id the kernel assigns when a family registers, so a family is first looked
 * up by name through the controller (GENL_ID_CTRL). Every message's payload starts with a
 * genlmsghdr (command, version, reserved) before the family's attributes.
 *
 * The encoders and decoders are pure; GenericNetlink puts them on a NetlinkSocket.
 */
import os from 'node:os';
import { readU16, readU32 } from './byte-order.js';
import { nativeConstants, withContext } from './native.js';
import { NetlinkSocket } from './netlink.js';
import {
  type AttributeInput,
  attribute,
  attributeData,
  decodeAttributes,
  encodeAttributes,
  type NetlinkAttribute,
  NetlinkFormatError,
  type NetlinkMessage,
} from './netlink-codec.js';

/** sizeof(struct genlmsghdr): cmd (u8), version (u8), reserved (u16). */
const GENL_HDRLEN = 4;
/** The controller's fixed family id (NLMSG_MIN_TYPE). */
export const GENL_ID_CTRL = 0x10;
/** The controller family's own version (genl_ctrl in net/netlink/genetlink.c). */
const CTRL_VERSION = 2;
export const CTRL_CMD_NEWFAMILY = 1;
const CTRL_CMD_GETFAMILY = 3;
/** GENL_NAMSIZ less the terminating NUL. */
const MAX_FAMILY_NAME_LENGTH = 15;

/** How an attribute's data is read; the fixed-size kinds are checked for their exact length. */
export type AttributeKind =
  | 'u8'
  | 'u16'
  | 'u32'
  /** An unsigned counter sent as u32 or u64 (IPVS stats and stats64 use the same types). */
  | 'uint'
  /** u16 in network byte order (ports). */
  | 'be16'
  | 'string'
  /** Raw bytes: structs, addresses, nested attributes. */
  | 'binary';

interface KindValues {
  u8: number;
  u16: number;
  u32: number;
  uint: number;
  be16: number;
  string: string;
  binary: Buffer;
}

/** The attributes of one message or nest by field name: each field's type number and kind. */
export type AttributeLayout = Readonly<Record<string, { readonly type: number; readonly kind: AttributeKind }>>;

/** What decodeAttributeLayout found: each field that was present, read as its kind says. */
export type DecodedAttributes<L extends AttributeLayout> = { [K in keyof L]?: KindValues[L[K]['kind']] };

const KIND_LENGTHS: Partial<Record<AttributeKind, readonly number[]>> = {
  u8: [1],
  u16: [2],
  u32: [4],
  uint: [4, 8],
  be16: [2],
};

const littleEndian = os.endianness() === 'LE';

function readKind(data: Buffer, kind: AttributeKind): KindValues[AttributeKind] {
  switch (kind) {
    case 'u8':
      return data.readUInt8(0);
    case 'u16':
      return readU16(data, 0);
    case 'u32':
      return readU32(data, 0);
    case 'uint':
      // Numbers are exact up to 2^53: 9 PB of traffic, far beyond a counter's life.
      if (data.length === 4) return readU32(data, 0);
      return Number(littleEndian ? data.readBigUInt64LE(0) : data.readBigUInt64BE(0));
    case 'be16':
      return data.readUInt16BE(0);
    case 'string':
      return attributeData.string(data);
    case 'binary':
      return data;
  }
}

/** The attributes in `buffer`; a malformed one throws a NetlinkFormatError that says `where` it was. */
function attributesIn(buffer: Buffer, where: string): NetlinkAttribute[] {
  try {
    return decodeAttributes(buffer);
  } catch (error) {
    throw new NetlinkFormatError(`${where}: ${(error as Error).message}`);
  }
}

/**
 * Reads the attributes in `buffer` by `layout`. Types the layout does not name are skipped, as
 * newer kernels add attributes; a known one of the wrong length throws a NetlinkFormatError
 * that says `where` it was.
 */
export function decodeAttributeLayout<L extends AttributeLayout>(
  buffer: Buffer,
  layout: L,
  where: string,
): DecodedAttributes<L> {
  const fields = new Map(Object.entries(layout).map(([name, { type, kind }]) => [type, { name, kind }]));
  const decoded: Record<string, unknown> = {};
  for (const { type, data } of attributesIn(buffer, where)) {
    const field = fields.get(type);
    if (!field) continue;
    const lengths = KIND_LENGTHS[field.kind];
    if (lengths && !lengths.includes(data.length)) {
      throw new NetlinkFormatError(
        `${where}: attribute ${field.name} (${type}) is ${data.length} bytes, expected ${lengths.join(' or ')}`,
      );
    }
    decoded[field.name] = readKind(data, field.kind);
  }
  return decoded as DecodedAttributes<L>;
}

/** One generic netlink message: the genlmsghdr's command and version, then the attributes. */
export interface GenericMessage {
  command: number;
  version: number;
  /** The attributes after the genlmsghdr; a view into the received datagram. */
  attributes: Buffer;
}

/** A netlink payload: genlmsghdr, then `attributes`. */
export function encodeGenericPayload(command: number, version: number, attributes: readonly AttributeInput[]): Buffer {
  const header = Buffer.alloc(GENL_HDRLEN);
  header.writeUInt8(command, 0);
  header.writeUInt8(version, 1);
  return Buffer.concat([header, encodeAttributes(attributes)]);
}

export function decodeGenericMessage(message: NetlinkMessage): GenericMessage {
  const { payload } = message;
  if (payload.length < GENL_HDRLEN) {
    throw new NetlinkFormatError(`generic netlink: a ${payload.length}-byte payload is too short for a genlmsghdr`);
  }
  return { command: payload.readUInt8(0), version: payload.readUInt8(1), attributes: payload.subarray(GENL_HDRLEN) };
}

/** A family as the controller describes it. */
export interface GenericFamily {
  /** The netlink message type its messages carry. */
  id: number;
  name: string;
  /** The protocol version the kernel speaks. */
  version: number;
  /** The highest top-level attribute type of its family-wide policy; 0 where each command has its own. */
  maxAttribute: number;
  /** Multicast group ids by name, for NetlinkSocket's `groups`. */
  multicastGroups: ReadonlyMap<string, number>;
}

const FAMILY_LAYOUT = {
  id: { type: 1, kind: 'u16' }, // CTRL_ATTR_FAMILY_ID
  name: { type: 2, kind: 'string' }, // CTRL_ATTR_FAMILY_NAME
  version: { type: 3, kind: 'u32' }, // CTRL_ATTR_VERSION
  maxAttribute: { type: 5, kind: 'u32' }, // CTRL_ATTR_MAXATTR
  multicastGroups: { type: 7, kind: 'binary' }, // CTRL_ATTR_MCAST_GROUPS: a list of nests
} as const satisfies AttributeLayout;

const MULTICAST_GROUP_LAYOUT = {
  name: { type: 1, kind: 'string' }, // CTRL_ATTR_MCAST_GRP_NAME
  id: { type: 2, kind: 'u32' }, // CTRL_ATTR_MCAST_GRP_ID
} as const satisfies AttributeLayout;

/** The payload of a CTRL_CMD_GETFAMILY request for the family called `name`. */
export function encodeGetFamily(name: string): Buffer {
  if (name.length === 0 || Buffer.byteLength(name) > MAX_FAMILY_NAME_LENGTH) {
    throw new RangeError(`generic netlink family name "${name}" must be 1 to ${MAX_FAMILY_NAME_LENGTH} bytes`);
  }
  return encodeGenericPayload(CTRL_CMD_GETFAMILY, CTRL_VERSION, [attribute.string(FAMILY_LAYOUT.name.type, name)]);
}

/** The controller's answer to CTRL_CMD_GETFAMILY (a CTRL_CMD_NEWFAMILY message). */
export function decodeFamily(message: GenericMessage): GenericFamily {
  const where = 'generic netlink family';
  const family = decodeAttributeLayout(message.attributes, FAMILY_LAYOUT, where);
  const { id, name, version, maxAttribute } = family;
  if (id === undefined || name === undefined || version === undefined || maxAttribute === undefined) {
    throw new NetlinkFormatError(`${where}: the controller's answer lacks the family id, name, version or maxattr`);
  }
  const multicastGroups = new Map<string, number>();
  const groupsWhere = `${where} ${name}: multicast group`;
  for (const entry of attributesIn(family.multicastGroups ?? Buffer.alloc(0), groupsWhere)) {
    const group = decodeAttributeLayout(entry.data, MULTICAST_GROUP_LAYOUT, groupsWhere);
    if (group.name === undefined || group.id === undefined)
      throw new NetlinkFormatError(`${groupsWhere} ${entry.type} lacks a name or id`);
    multicastGroups.set(group.name, group.id);
  }
  return { id, name, version, maxAttribute, multicastGroups };
}

/** What GenericNetlink needs of a netlink socket; tests give it a scripted one. */
export type NetlinkTransport = Pick<NetlinkSocket, 'request' | 'dump' | 'close'>;

/** One generic netlink family on its own socket. */
export class GenericNetlink {
  readonly family: GenericFamily;
  readonly #transport: NetlinkTransport;
  readonly #version: number;

  private constructor(transport: NetlinkTransport, family: GenericFamily, version: number) {
    this.#transport = transport;
    this.family = family;
    this.#version = version;
  }

  /**
   * Resolves `familyName` and returns a handle whose requests carry its id and `version`, the
   * protocol version the caller speaks. An unknown family rejects with the controller's
   * NetlinkError, code ENOENT (its module is not loaded, or the kernel lacks it).
   */
  static async open(
    familyName: string,
    version: number,
    transport: NetlinkTransport = new NetlinkSocket(nativeConstants().NETLINK_GENERIC),
  ): Promise<GenericNetlink> {
    const operation = `resolve generic netlink family ${familyName}`;
    try {
      const replies = await transport.request(operation, GENL_ID_CTRL, 0, encodeGetFamily(familyName));
      const reply = replies[0];
      if (!reply)
        throw new NetlinkFormatError(`${operation}: the controller acknowledged without describing the family`);
      return new GenericNetlink(transport, decodeFamily(decodeGenericMessage(reply)), version);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** Sends `command` with NLM_F_ACK (and `flags`); resolves with the replies before the ack. */
  async request(
    operation: string,
    command: number,
    attributes: readonly AttributeInput[],
    flags = 0,
  ): Promise<GenericMessage[]> {
    const replies = await this.#transport.request(
      operation,
      this.family.id,
      flags,
      encodeGenericPayload(command, this.#version, attributes),
    );
    return decodeReplies(operation, replies);
  }

  /** Dumps with `command`: resolves with every part. */
  async dump(operation: string, command: number, attributes: readonly AttributeInput[]): Promise<GenericMessage[]> {
    const replies = await this.#transport.dump(
      operation,
      this.family.id,
      encodeGenericPayload(command, this.#version, attributes),
    );
    return decodeReplies(operation, replies);
  }

  close(): void {
    this.#transport.close();
  }
}

function decodeReplies(operation: string, replies: readonly NetlinkMessage[]): GenericMessage[] {
  try {
    return replies.map(decodeGenericMessage);
  } catch (error) {
    throw withContext(operation, error as Error);
  }
}
