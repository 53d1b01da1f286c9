import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { writeI32 } from '../../../src/net/byte-order.js';
import {
  attribute,
  attributeData,
  attributesByType,
  decodeAck,
  decodeAttributes,
  decodeDoneStatus,
  decodeMessages,
  encodeAttributes,
  encodeMessage,
  NetlinkError,
  NetlinkFormatError,
  NLA_F_NESTED,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
} from '../../../src/net/netlink-codec.js';

// Netlink is in host byte order; the byte-exact expectations are written for little-endian hosts.
const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };

const RTM_NEWADDR = 20;
const NEW_FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

/** An NLMSG_ERROR as the kernel builds it for `request`: capped or with the whole request echoed, then extended-ack TLVs. */
function kernelAck(request: Buffer, error: number, options: { capped: boolean; tlvs?: Buffer }): Buffer {
  const status = Buffer.alloc(4);
  writeI32(status, error, 0);
  const echoed = options.capped ? request.subarray(0, 16) : request;
  const flags = (options.capped ? NLM_F_CAPPED : 0) | (options.tlvs ? NLM_F_ACK_TLVS : 0);
  const payload = Buffer.concat([status, echoed, options.tlvs ?? Buffer.alloc(0)]);
  return encodeMessage({ type: NLMSG_ERROR, flags, seq: 7, pid: 0, payload });
}

describe('netlink messages', () => {
  test('the header is length, type, flags, sequence and port id, before the payload', littleEndianOnly, () => {
    const payload = Buffer.from('0a18000003000000', 'hex'); // ifaddrmsg: AF_INET, /24, ifindex 3
    const encoded = encodeMessage({ type: RTM_NEWADDR, flags: NEW_FLAGS, seq: 7, pid: 0, payload });
    assert.equal(encoded.toString('hex'), '18000000' + '1400' + '0506' + '07000000' + '00000000' + '0a18000003000000');
  });

  test('a payload is padded to 4 bytes, and the length counts it unpadded', littleEndianOnly, () => {
    const encoded = encodeMessage({ type: 1, flags: 0, seq: 1, pid: 0, payload: Buffer.from('abcde') });
    assert.equal(encoded.length, 24);
    assert.equal(encoded.readUInt32LE(0), 21);
    assert.deepEqual(encoded.subarray(21), Buffer.alloc(3));
  });

  test('several messages in one datagram decode in order, padding skipped', () => {
    const first = { type: RTM_NEWADDR, flags: NLM_F_MULTI, seq: 9, pid: 0, payload: Buffer.from('one') };
    const second = { type: RTM_NEWADDR, flags: NLM_F_MULTI, seq: 9, pid: 0, payload: Buffer.from('second') };
    const done = { type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 9, pid: 0, payload: Buffer.alloc(4) };
    const datagram = Buffer.concat([first, second, done].map(encodeMessage));
    assert.deepEqual(decodeMessages(datagram), [first, second, done]);
  });

  test('a length that runs past the datagram, or a cut header, is a format error', () => {
    const encoded = encodeMessage({ type: 1, flags: 0, seq: 1, pid: 0, payload: Buffer.alloc(8) });
    assert.throws(() => decodeMessages(encoded.subarray(0, 20)), NetlinkFormatError);
    assert.throws(() => decodeMessages(Buffer.concat([encoded, Buffer.alloc(8)])), /too short for a message header/);
    const shortLength = Buffer.from(encoded);
    shortLength.writeUInt32LE(8, 0);
    assert.throws(() => decodeMessages(shortLength), /claims 8 bytes/);
  });
});

describe('netlink attributes', () => {
  test('each attribute is length, type, data, padded to 4 bytes', littleEndianOnly, () => {
    const encoded = encodeAttributes([
      attribute.u8(1, 0xab),
      attribute.u16(2, 0x1234),
      attribute.u32(3, 0xdeadbeef),
      attribute.string(4, 'eth0'),
      attribute.flag(5),
    ]);
    assert.equal(
      encoded.toString('hex'),
      '05000100ab000000' + '060002003412' + '0000' + '08000300efbeadde' + '0900040065746830' + '00000000' + '04000500',
    );
  });

  test('values read back as written', () => {
    const decoded = decodeAttributes(
      encodeAttributes([
        attribute.u8(1, 200),
        attribute.u16(2, 65000),
        attribute.u32(3, 0xfffffffe),
        attribute.string(4, 'vip label'),
        attribute.bytes(5, Buffer.from([198, 51, 100, 10])),
      ]),
    );
    assert.deepEqual(
      decoded.map((a) => a.type),
      [1, 2, 3, 4, 5],
    );
    assert.equal(attributeData.u8(decoded[0]!.data), 200);
    assert.equal(attributeData.u16(decoded[1]!.data), 65000);
    assert.equal(attributeData.u32(decoded[2]!.data), 0xfffffffe);
    assert.equal(attributeData.string(decoded[3]!.data), 'vip label');
    assert.deepEqual([...decoded[4]!.data], [198, 51, 100, 10]);
  });

  test('a string without its NUL reads to the end', () => {
    assert.equal(attributeData.string(Buffer.from('lo')), 'lo');
  });

  test('nested attributes carry NLA_F_NESTED, which decoding masks off the type', () => {
    const encoded = encodeAttributes([
      attribute.nested(1, [attribute.u32(2, 80), attribute.nested(3, [attribute.string(4, 'wrr')])]),
      attribute.u16(5, 7),
    ]);
    assert.equal(encoded.readUInt16LE(2) & NLA_F_NESTED, NLA_F_NESTED);
    const [outer, after] = decodeAttributes(encoded);
    assert.deepEqual([outer!.type, outer!.nested, after!.type, after!.nested], [1, true, 5, false]);
    assert.equal(outer!.data.length, 8 + 4 + 8, 'the nested length covers its children and their padding');
    const [port, inner] = decodeAttributes(outer!.data);
    assert.equal(attributeData.u32(port!.data), 80);
    assert.equal(attributeData.string(decodeAttributes(inner!.data)[0]!.data), 'wrr');
  });

  test('attributesByType looks attributes up by type', () => {
    const byType = attributesByType(encodeAttributes([attribute.string(3, 'eth0'), attribute.u32(4, 1500)]));
    assert.equal(attributeData.string(byType.get(3)!), 'eth0');
    assert.equal(attributeData.u32(byType.get(4)!), 1500);
    assert.equal(byType.get(1), undefined);
  });

  test('an attribute running past its buffer is a format error; one too long to encode is refused', () => {
    const encoded = encodeAttributes([attribute.u32(1, 1)]);
    assert.throws(() => decodeAttributes(encoded.subarray(0, 6)), NetlinkFormatError);
    assert.throws(() => encodeAttributes([attribute.bytes(1, Buffer.alloc(65532))]), /at most 65535/);
  });
});

describe('netlink acknowledgements', () => {
  const request = encodeMessage({ type: RTM_NEWADDR, flags: NEW_FLAGS, seq: 7, pid: 0, payload: Buffer.alloc(8) });

  test('error 0 acknowledges the request it names', () => {
    const [message] = decodeMessages(kernelAck(request, 0, { capped: true }));
    assert.deepEqual(decodeAck(message!), {
      error: 0,
      request: { type: RTM_NEWADDR, flags: NEW_FLAGS, seq: 7, pid: 0 },
    });
  });

  test('a refusal carries the errno and the kernel reason, after a capped request', () => {
    const tlvs = encodeAttributes([
      attribute.string(1, 'Invalid prefix for given prefix length'),
      attribute.u32(2, 20),
    ]);
    const [message] = decodeMessages(kernelAck(request, -22, { capped: true, tlvs }));
    const ack = decodeAck(message!);
    assert.equal(ack.error, -22);
    assert.equal(ack.reason, 'Invalid prefix for given prefix length');
    assert.equal(ack.offset, 20);
  });

  test('the extended ack is found after a whole echoed request too', () => {
    const tlvs = encodeAttributes([attribute.string(1, 'Device not found')]);
    const [message] = decodeMessages(kernelAck(request, -19, { capped: false, tlvs }));
    assert.equal(decodeAck(message!).reason, 'Device not found');
  });

  test('NetlinkError names the operation, the errno and the reason, like Node system errors', () => {
    const error = new NetlinkError('add 198.51.100.10/24 to ifindex 3', -17, 'Address already assigned');
    assert.equal(error.code, 'EEXIST');
    assert.equal(error.errno, -17);
    assert.equal(error.reason, 'Address already assigned');
    assert.equal(
      error.message,
      'add 198.51.100.10/24 to ifindex 3: EEXIST: file already exists (kernel: Address already assigned)',
    );
    assert.match(new NetlinkError('remove', -99).message, /^remove: EADDRNOTAVAIL: /);
  });

  test('a message that is not NLMSG_ERROR is not an ack', () => {
    const [done] = decodeMessages(
      encodeMessage({ type: NLMSG_DONE, flags: 0, seq: 1, pid: 0, payload: Buffer.alloc(4) }),
    );
    assert.throws(() => decodeAck(done!), NetlinkFormatError);
  });

  test('NLMSG_DONE carries 0, or the negated errno of a failed dump', () => {
    const status = Buffer.alloc(4);
    writeI32(status, -16, 0);
    const [failed] = decodeMessages(
      encodeMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 1, pid: 0, payload: status }),
    );
    const [fine] = decodeMessages(
      encodeMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 1, pid: 0, payload: Buffer.alloc(4) }),
    );
    assert.equal(decodeDoneStatus(failed!), -16);
    assert.equal(decodeDoneStatus(fine!), 0);
  });
});
