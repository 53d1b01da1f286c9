import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_UDP_PAYLOAD, replyMismatch } from '../../../src/check/udp-reply.js';

const rule = { minLength: 0, maxLength: 255 };

test('a reply matching the pattern passes; x stands for any nibble', () => {
  assert.equal(replyMismatch(Buffer.from('4f4b0a', 'hex'), { ...rule, pattern: '4f4b' }), undefined);
  assert.equal(replyMismatch(Buffer.from('4f4b', 'hex'), { ...rule, pattern: 'xf4x' }), undefined);
  assert.equal(replyMismatch(Buffer.from('ff', 'hex'), { ...rule }), undefined);
});

test('a differing byte fails, saying which and what was expected', () => {
  assert.equal(
    replyMismatch(Buffer.from('4f4c', 'hex'), { ...rule, pattern: '4f4b' }),
    'reply does not match require_reply: byte 2 is 4c, expected 4b',
  );
  assert.equal(
    replyMismatch(Buffer.from('5f', 'hex'), { ...rule, pattern: '4x' }),
    'reply does not match require_reply: byte 1 is 5f, expected 4x',
  );
});

test('as in keepalived, a reply shorter than the pattern is compared only as far as it goes', () => {
  assert.equal(replyMismatch(Buffer.from('4f', 'hex'), { ...rule, pattern: '4f4b' }), undefined);
});

test('min_reply_length and max_reply_length bound the reply, with or without a pattern', () => {
  assert.equal(
    replyMismatch(Buffer.from('4f', 'hex'), { minLength: 2, maxLength: 255 }),
    'reply of 1 byte is shorter than min_reply_length 2',
  );
  assert.equal(
    replyMismatch(Buffer.alloc(256), { ...rule, pattern: '00' }),
    'reply of 256 bytes is longer than max_reply_length 255',
  );
});

test("the default payload is keepalived's: 32 bytes of its filler", () => {
  assert.equal(DEFAULT_UDP_PAYLOAD.toString(), 'keepalived check - keepalived ch');
});
