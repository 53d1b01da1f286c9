// DNS_CHECK's bytes: the query keepalived sends, and keepalived's judgement of what comes back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeName, encodeQuery, judgeReply } from '../../../src/check/dns-message.js';

/** A reply header: id, flags, then qd/an/ns/ar counts. */
function header(id: number, flags: number, answers = 0): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt16BE(id, 0);
  bytes.writeUInt16BE(flags, 2);
  bytes.writeUInt16BE(1, 4);
  bytes.writeUInt16BE(answers, 6);
  return bytes;
}

describe('encodeQuery', () => {
  test('id, recursion desired, one question: labels, type and class IN', () => {
    assert.equal(
      encodeQuery(0xbeef, 'www.example.net', 'AAAA').toString('hex'),
      `beef0100000100000000000003${Buffer.from('www').toString('hex')}07${Buffer.from('example').toString('hex')}03${Buffer.from('net').toString('hex')}00001c0001`,
    );
  });

  test('the default SOA for the root, and a trailing dot, as keepalived writes them', () => {
    assert.equal(encodeQuery(1, '.', 'SOA').subarray(12).toString('hex'), '0000060001');
    assert.deepEqual(encodeName('example.net.'), encodeName('example.net'));
    assert.equal(encodeQuery(1, 'x', 'DNSKEY').subarray(-4).toString('hex'), '00300001');
  });

  test('names DNS cannot carry are refused with why', () => {
    assert.throws(() => encodeName('a..b'), /empty label/);
    assert.throws(() => encodeName(`${'a'.repeat(64)}.net`), /longer than 63/);
    assert.throws(() => encodeName(Array(130).fill('ab').join('.')), /longer than 255/);
  });
});

describe('judgeReply', () => {
  test('NOERROR with the id and QR passes, even with no answer records', () => {
    assert.deepEqual(judgeReply(7, header(7, 0x8180, 1)), { kind: 'pass' });
    assert.deepEqual(judgeReply(7, header(7, 0x8180, 0)), { kind: 'pass' });
  });

  test('an error rcode fails with its name', () => {
    assert.deepEqual(judgeReply(7, header(7, 0x8183)), { kind: 'fail', reason: 'the server answered NXDOMAIN' });
    assert.deepEqual(judgeReply(7, header(7, 0x8182)), { kind: 'fail', reason: 'the server answered SERVFAIL' });
    assert.deepEqual(judgeReply(7, header(7, 0x8185)), { kind: 'fail', reason: 'the server answered REFUSED' });
    assert.deepEqual(judgeReply(7, header(7, 0x8189)), { kind: 'fail', reason: 'the server answered rcode 9' });
  });

  test('another id, a query, or a runt is not the reply: ignored', () => {
    assert.deepEqual(judgeReply(7, header(8, 0x8180)), { kind: 'ignore', why: 'a reply with another id' });
    assert.deepEqual(judgeReply(7, header(7, 0x0100)), { kind: 'ignore', why: 'a query instead of a reply' });
    assert.deepEqual(judgeReply(7, Buffer.alloc(5)), { kind: 'ignore', why: 'a datagram of 5 bytes' });
  });
});
