import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEchoReply, encodeEchoRequest } from '../../../src/check/icmp-echo.js';
import { internetChecksum } from '../../../src/inet/checksum.js';

const ipv4Header = (length: number) => {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + length, 2);
  header[9] = 1;
  return header;
};

/** The reply a host makes of a request: type changed, checksum adjusted. */
function replyTo(request: Buffer, type: number): Buffer {
  const reply = Buffer.from(request);
  reply[0] = type;
  reply.writeUInt16BE(0, 2);
  reply.writeUInt16BE(internetChecksum(reply), 2);
  return reply;
}

test('an IPv4 echo request: type 8, id, sequence, payload, a valid checksum', () => {
  const request = encodeEchoRequest({ family: 4, id: 0x1234, sequence: 7 }, Buffer.from('abc'));
  assert.equal(request.toString('hex'), `0800${request.subarray(2, 4).toString('hex')}12340007616263`);
  assert.equal(internetChecksum(request), 0);
});

test('an IPv6 echo request is type 128 and leaves the checksum to the kernel', () => {
  const request = encodeEchoRequest({ family: 6, id: 1, sequence: 2 }, Buffer.alloc(0));
  assert.equal(request.toString('hex'), '8000000000010002');
});

test('an IPv4 echo reply is found behind its IP header; ids and sequences come back', () => {
  const reply = replyTo(encodeEchoRequest({ family: 4, id: 0xbeef, sequence: 9 }, Buffer.from('payload')), 0);
  assert.deepEqual(decodeEchoReply(4, Buffer.concat([ipv4Header(reply.length), reply])), {
    family: 4,
    id: 0xbeef,
    sequence: 9,
  });
});

test('an IPv6 echo reply (no IP header on a raw ICMPv6 socket)', () => {
  const reply = Buffer.from('8100000000050006', 'hex');
  assert.deepEqual(decodeEchoReply(6, reply), { family: 6, id: 5, sequence: 6 });
});

test('anything else is not a reply: requests, errors, corrupt or short packets', () => {
  const request = encodeEchoRequest({ family: 4, id: 1, sequence: 1 }, Buffer.alloc(4));
  const wrap = (message: Buffer) => Buffer.concat([ipv4Header(message.length), message]);
  assert.equal(decodeEchoReply(4, wrap(request)), undefined, 'our own request, looped back');
  assert.equal(decodeEchoReply(4, wrap(replyTo(request, 3))), undefined, 'destination unreachable');
  const corrupt = replyTo(request, 0);
  corrupt.writeUInt8(corrupt[9]! ^ 1, 9);
  assert.equal(decodeEchoReply(4, wrap(corrupt)), undefined, 'bad checksum');
  assert.equal(decodeEchoReply(4, wrap(Buffer.from('0000', 'hex'))), undefined, 'short');
  assert.equal(decodeEchoReply(6, Buffer.from('8000000000010001', 'hex')), undefined, 'IPv6 request');
});
