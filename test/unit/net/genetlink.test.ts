import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import {
  type AttributeLayout,
  CTRL_CMD_NEWFAMILY,
  decodeAttributeLayout,
  decodeFamily,
  decodeGenericMessage,
  encodeGenericPayload,
  encodeGetFamily,
  GENL_ID_CTRL,
  GenericNetlink,
  type NetlinkTransport,
} from '../../../src/net/genetlink.js';
import { attribute, NetlinkError, NetlinkFormatError, type NetlinkMessage } from '../../../src/net/netlink-codec.js';
import { cString, nest, tlv, u16, u32 } from '../../helpers/netlink-bytes.js';

// Netlink is in host byte order; the byte-exact expectations are written for little-endian hosts.
const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };

/** One attribute as the kernel writes it: length, type (nests without NLA_F_NESTED), data, padding. */

/** A genetlink message as the kernel sends it: genlmsghdr (command, version), then attributes. */
const genlMessage = (type: number, command: number, version: number, ...attributes: Buffer[]): NetlinkMessage => ({
  type,
  flags: 0,
  seq: 1,
  pid: 0,
  payload: Buffer.concat([Buffer.from([command, version, 0, 0]), ...attributes]),
});

/** The controller's CTRL_CMD_NEWFAMILY for IPVS, in ctrl_fill_info's order, with its operations list. */
const ipvsFamilyReply = genlMessage(
  GENL_ID_CTRL,
  CTRL_CMD_NEWFAMILY,
  2,
  tlv(2, cString('IPVS')), // CTRL_ATTR_FAMILY_NAME
  tlv(1, u16(0x1b)), // CTRL_ATTR_FAMILY_ID
  tlv(3, u32(1)), // CTRL_ATTR_VERSION
  tlv(4, u32(0)), // CTRL_ATTR_HDRSIZE
  tlv(5, u32(6)), // CTRL_ATTR_MAXATTR
  nest(6, nest(1, tlv(1, u32(1)), tlv(2, u32(0x0b)))), // CTRL_ATTR_OPS: [{ OP_ID 1, OP_FLAGS }]
);

/** nlctrl itself, which has a multicast group. */
const controllerFamilyReply = genlMessage(
  GENL_ID_CTRL,
  CTRL_CMD_NEWFAMILY,
  2,
  tlv(2, cString('nlctrl')),
  tlv(1, u16(GENL_ID_CTRL)),
  tlv(3, u32(2)),
  tlv(4, u32(0)),
  tlv(5, u32(10)),
  nest(7, nest(1, tlv(2, u32(0x10)), tlv(1, cString('notify')))), // CTRL_ATTR_MCAST_GROUPS
);

interface SentRequest {
  kind: 'request' | 'dump';
  operation: string;
  type: number;
  flags: number;
  payload: Buffer;
}

/** A NetlinkTransport that records what is sent and answers from `answer`. */
function scriptedTransport(answer: (sent: SentRequest) => NetlinkMessage[] | Error) {
  const sent: SentRequest[] = [];
  let closed = false;
  const respond = async (request: SentRequest): Promise<NetlinkMessage[]> => {
    sent.push(request);
    const reply = answer(request);
    if (reply instanceof Error) throw reply;
    return reply;
  };
  const transport: NetlinkTransport = {
    request: (operation, type, flags, payload) => respond({ kind: 'request', operation, type, flags, payload }),
    dump: (operation, type, payload) => respond({ kind: 'dump', operation, type, flags: 0, payload }),
    close: () => {
      closed = true;
    },
  };
  return { transport, sent, isClosed: () => closed };
}

describe('genlmsghdr', () => {
  test('a payload is the command, the version and two reserved bytes, then the attributes', littleEndianOnly, () => {
    const payload = encodeGenericPayload(4, 1, [attribute.u32(5, 42)]);
    assert.equal(payload.toString('hex'), '04010000' + '08000500' + '2a000000');
  });

  test('decoding splits the header from the attributes', () => {
    const message = decodeGenericMessage(genlMessage(0x1b, 14, 1, tlv(1, u32(0x010201))));
    assert.equal(message.command, 14);
    assert.equal(message.version, 1);
    assert.deepEqual(message.attributes, tlv(1, u32(0x010201)));
  });

  test('a payload shorter than a genlmsghdr is a format error', () => {
    assert.throws(
      () => decodeGenericMessage({ type: 0x1b, flags: 0, seq: 1, pid: 0, payload: Buffer.from([1, 1]) }),
      (error: unknown) =>
        error instanceof NetlinkFormatError && /2-byte payload is too short for a genlmsghdr/.test(error.message),
    );
  });
});

describe('the controller', () => {
  test('CTRL_CMD_GETFAMILY carries the family name, NUL-terminated and padded', littleEndianOnly, () => {
    assert.equal(encodeGetFamily('IPVS').toString('hex'), '03020000' + '0900' + '0200' + '4950565300' + '000000');
  });

  test('a family name must fit GENL_NAMSIZ', () => {
    assert.throws(() => encodeGetFamily(''), RangeError);
    assert.throws(() => encodeGetFamily('a'.repeat(16)), /must be 1 to 15 bytes/);
    assert.doesNotThrow(() => encodeGetFamily('a'.repeat(15)));
  });

  test('the answer gives id, name, version and maxattr; the operations list is skipped', littleEndianOnly, () => {
    const family = decodeFamily(decodeGenericMessage(ipvsFamilyReply));
    assert.deepEqual(family, { id: 0x1b, name: 'IPVS', version: 1, maxAttribute: 6, multicastGroups: new Map() });
  });

  test('multicast groups are read by name', littleEndianOnly, () => {
    const family = decodeFamily(decodeGenericMessage(controllerFamilyReply));
    assert.equal(family.id, GENL_ID_CTRL);
    assert.deepEqual([...family.multicastGroups], [['notify', 0x10]]);
  });

  test('an answer without a family id is a format error', () => {
    const reply = genlMessage(
      GENL_ID_CTRL,
      CTRL_CMD_NEWFAMILY,
      2,
      tlv(2, cString('IPVS')),
      tlv(3, u32(1)),
      tlv(5, u32(6)),
    );
    assert.throws(() => decodeFamily(decodeGenericMessage(reply)), /lacks the family id, name, version or maxattr/);
  });

  test('a family id of the wrong size is a format error naming the attribute', () => {
    const reply = genlMessage(
      GENL_ID_CTRL,
      CTRL_CMD_NEWFAMILY,
      2,
      tlv(2, cString('IPVS')),
      tlv(1, u32(0x1b)),
      tlv(3, u32(1)),
      tlv(5, u32(6)),
    );
    assert.throws(
      () => decodeFamily(decodeGenericMessage(reply)),
      (error: unknown) =>
        error instanceof NetlinkFormatError && /attribute id \(1\) is 4 bytes, expected 2/.test(error.message),
    );
  });

  test('a multicast group without an id is a format error', () => {
    const reply = genlMessage(
      GENL_ID_CTRL,
      CTRL_CMD_NEWFAMILY,
      2,
      tlv(2, cString('nlctrl')),
      tlv(1, u16(GENL_ID_CTRL)),
      tlv(3, u32(2)),
      tlv(5, u32(10)),
      nest(7, nest(1, tlv(1, cString('notify')))),
    );
    assert.throws(() => decodeFamily(decodeGenericMessage(reply)), /nlctrl: multicast group 1 lacks a name or id/);
  });

  test('a truncated attribute is a format error, not a crash', () => {
    const truncated = Buffer.from(tlv(2, cString('IPVS')));
    truncated.writeUInt16LE(64, 0);
    const reply = genlMessage(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 2, truncated);
    assert.throws(() => decodeFamily(decodeGenericMessage(reply)), NetlinkFormatError);
  });
});

describe('attribute layouts', () => {
  const layout = {
    small: { type: 1, kind: 'u8' },
    port: { type: 2, kind: 'be16' },
    counter: { type: 3, kind: 'uint' },
    name: { type: 4, kind: 'string' },
  } as const satisfies AttributeLayout;

  test('fields are read by kind, unknown types skipped', littleEndianOnly, () => {
    const buffer = Buffer.concat([
      tlv(1, '07'),
      tlv(2, '0050'),
      tlv(99, 'ffffffff'),
      tlv(3, u32(5)),
      tlv(4, cString('wrr')),
    ]);
    assert.deepEqual(decodeAttributeLayout(buffer, layout, 'test'), { small: 7, port: 80, counter: 5, name: 'wrr' });
  });

  test('a uint is 4 or 8 bytes', littleEndianOnly, () => {
    assert.deepEqual(decodeAttributeLayout(tlv(3, '0000000001000000'), layout, 'test'), { counter: 2 ** 32 });
    assert.throws(
      () => decodeAttributeLayout(tlv(3, '000000'), layout, 'test'),
      /test: attribute counter \(3\) is 3 bytes, expected 4 or 8/,
    );
  });

  test('absent fields are absent', () => {
    assert.deepEqual(decodeAttributeLayout(Buffer.alloc(0), layout, 'test'), {});
  });
});

describe('GenericNetlink', () => {
  test(
    'open resolves the family through the controller, then requests carry its id and the given version',
    littleEndianOnly,
    async () => {
      const { transport, sent } = scriptedTransport((request) =>
        request.type === GENL_ID_CTRL ? [ipvsFamilyReply] : [genlMessage(0x1b, 14, 1, tlv(1, u32(0x010201)))],
      );
      const genl = await GenericNetlink.open('IPVS', 1, transport);
      assert.equal(genl.family.id, 0x1b);
      assert.deepEqual(sent[0], {
        kind: 'request',
        operation: 'resolve generic netlink family IPVS',
        type: GENL_ID_CTRL,
        flags: 0,
        payload: encodeGetFamily('IPVS'),
      });

      const replies = await genl.request('read IPVS info', 15, []);
      assert.deepEqual(sent[1], {
        kind: 'request',
        operation: 'read IPVS info',
        type: 0x1b,
        flags: 0,
        payload: Buffer.from('0f010000', 'hex'),
      });
      assert.deepEqual(
        replies.map((r) => [r.command, r.version]),
        [[14, 1]],
      );
    },
  );

  test('dumps are sent as dumps and every part decoded', async () => {
    const { transport, sent } = scriptedTransport((request) =>
      request.kind === 'request' ? [ipvsFamilyReply] : [genlMessage(0x1b, 1, 1), genlMessage(0x1b, 1, 1)],
    );
    const genl = await GenericNetlink.open('IPVS', 1, transport);
    const parts = await genl.dump('list IPVS services', 4, []);
    assert.equal(sent[1]?.kind, 'dump');
    assert.equal(parts.length, 2);
  });

  test('an unknown family rejects with the controller ENOENT and closes the socket', async () => {
    const { transport, isClosed } = scriptedTransport((request) => new NetlinkError(request.operation, -2));
    await assert.rejects(
      GenericNetlink.open('NOPE', 1, transport),
      (error: unknown) =>
        error instanceof NetlinkError &&
        error.code === 'ENOENT' &&
        /^resolve generic netlink family NOPE: ENOENT/.test(error.message),
    );
    assert.ok(isClosed());
  });

  test('an acknowledgement without a family description is a format error', async () => {
    const { transport, isClosed } = scriptedTransport(() => []);
    await assert.rejects(GenericNetlink.open('IPVS', 1, transport), /acknowledged without describing the family/);
    assert.ok(isClosed());
  });

  test('a malformed reply rejects with the operation named', async () => {
    const { transport } = scriptedTransport((request) =>
      request.type === GENL_ID_CTRL
        ? [ipvsFamilyReply]
        : [{ type: 0x1b, flags: 0, seq: 2, pid: 0, payload: Buffer.from([1]) }],
    );
    const genl = await GenericNetlink.open('IPVS', 1, transport);
    await assert.rejects(
      genl.request('read IPVS info', 15, []),
      /^Error: read IPVS info: generic netlink: a 1-byte payload/,
    );
  });
});
