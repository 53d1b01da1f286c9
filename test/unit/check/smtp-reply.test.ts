// SMTP replies read as RFC 5321 writes them: single and multi-line, bare codes, LF-only
// servers, and what is not a reply at all.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_REPLY_BYTES, readReply } from '../../../src/check/smtp-reply.js';

describe('readReply', () => {
  test('a one-line reply, with what follows it kept', () => {
    assert.deepEqual(readReply('220 mx.example.net ESMTP\r\n250 next'), {
      kind: 'reply',
      code: 220,
      text: 'mx.example.net ESMTP',
      rest: '250 next',
    });
  });

  test('a multi-line greeting is one reply, ended by its line without "-"', () => {
    assert.deepEqual(readReply('220-mx.example.net\r\n220-no UCE\r\n'), { kind: 'incomplete' });
    assert.deepEqual(readReply('220-mx.example.net\r\n220-no UCE\r\n220 ready\r\n'), {
      kind: 'reply',
      code: 220,
      text: 'mx.example.net\nno UCE\nready',
      rest: '',
    });
  });

  test('a bare code and LF-only line ends are replies', () => {
    assert.deepEqual(readReply('220\r\n'), { kind: 'reply', code: 220, text: '', rest: '' });
    assert.deepEqual(readReply('250 ok\n'), { kind: 'reply', code: 250, text: 'ok', rest: '' });
  });

  test('a line not yet ended is waited for', () => {
    assert.deepEqual(readReply(''), { kind: 'incomplete' });
    assert.deepEqual(readReply('220 mx.exa'), { kind: 'incomplete' });
  });

  test('what is not an SMTP reply is malformed: no code, a short code, a code that changes mid-reply', () => {
    assert.deepEqual(readReply('SSH-2.0-OpenSSH_9.2\r\n'), { kind: 'malformed', line: 'SSH-2.0-OpenSSH_9.2' });
    assert.deepEqual(readReply('22 short\r\n'), { kind: 'malformed', line: '22 short' });
    assert.deepEqual(readReply('2200 long\r\n'), { kind: 'malformed', line: '2200 long' });
    assert.deepEqual(readReply('220-a\r\n554 b\r\n'), { kind: 'malformed', line: '554 b' });
  });

  test('a server that sends on and on without ending a line is malformed, not waited for forever', () => {
    assert.equal(readReply('2'.repeat(MAX_REPLY_BYTES + 1)).kind, 'malformed');
  });
});
