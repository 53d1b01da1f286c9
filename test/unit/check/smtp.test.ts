// SMTP_CHECK's pure parts: which replies pass at each step, and keepalived's rules for the
// legacy host blocks and for where a check connects.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { smtpMove, smtpTarget, splitSmtpHosts } from '../../../src/check/smtp.js';
import type { SmtpCheck } from '../../../src/config/index.js';

const pos = { file: 'keepalived.conf', line: 1, col: 1 };
const checker = (extra: Partial<SmtpCheck> = {}): SmtpCheck => ({
  type: 'SMTP_CHECK',
  pos,
  retry: 1,
  delayBeforeRetry: 1,
  warmup: 0,
  delayLoop: 10,
  alpha: false,
  connectTimeout: 3,
  hosts: [],
  ...extra,
});
const server = { address: '198.51.100.10', port: 25 };
const target = smtpTarget(checker(), server);
const [greeting, helo, quit] = [
  { awaiting: 'the greeting', expect: 220, send: () => 'HELO me\r\n' },
  { awaiting: 'the reply to HELO', expect: 250, send: () => 'QUIT\r\n' },
  { awaiting: 'the reply to QUIT' },
];

describe('smtpMove', () => {
  test('220 greets, 250 answers HELO; the next command is sent', () => {
    assert.deepEqual(smtpMove(greeting, '220 mx ready\r\n', target), { kind: 'next', send: 'HELO me\r\n', rest: '' });
    assert.deepEqual(smtpMove(helo, '250 mx\r\n', target), { kind: 'next', send: 'QUIT\r\n', rest: '' });
  });

  test('any other code fails, quoting the server', () => {
    assert.deepEqual(smtpMove(greeting, '554 no service here\r\n', target), {
      kind: 'fail',
      reason: 'the greeting was "554 no service here" (expected 220)',
    });
    assert.deepEqual(smtpMove(helo, '501 syntax\r\n', target), {
      kind: 'fail',
      reason: 'the reply to HELO was "501 syntax" (expected 250)',
    });
    assert.deepEqual(smtpMove(greeting, 'HTTP/1.1 400 Bad Request\r\n', target), {
      kind: 'fail',
      reason: 'not an SMTP reply as the greeting: "HTTP/1.1 400 Bad Request"',
    });
  });

  test('after QUIT any line passes, as in keepalived', () => {
    assert.deepEqual(smtpMove(quit, '221 bye\r\n', target), { kind: 'next', rest: '' });
    assert.deepEqual(smtpMove(quit, 'whatever\r\n', target), { kind: 'next', rest: '' });
    assert.deepEqual(smtpMove(quit, '221 by', target), { kind: 'wait' });
  });
});

describe('smtpTarget', () => {
  test("the real server by default, with keepalived's HELO name and no label", () => {
    assert.deepEqual(target, {
      host: '198.51.100.10',
      port: 25,
      timeoutMs: 3000,
      heloName: 'smtpchecker.keepalived.org',
    });
  });

  test('connect_ip/port, bindto/bind_port, bind_if, fwmark and helo_name are used; another endpoint is named in reasons', () => {
    const options = {
      connectIp: '2001:db8::5',
      connectPort: 2525,
      bindTo: '2001:db8::1',
      bindPort: 4000,
      bindIf: 'eth1',
      fwmark: 7,
      heloName: 'lb1',
    };
    assert.deepEqual(smtpTarget(checker(options), server), {
      host: '2001:db8::5',
      port: 2525,
      bindTo: '2001:db8::1',
      bindPort: 4000,
      bindIf: 'eth1',
      fwmark: 7,
      timeoutMs: 3000,
      heloName: 'lb1',
      label: '[2001:db8::5]:2525',
    });
  });
});

describe('splitSmtpHosts', () => {
  const hosts = [
    { pos, connectIp: '198.51.100.11' },
    { pos, connectPort: 2525, bindTo: '198.51.100.1' },
  ];

  test('no host blocks: the checker itself', () => {
    const plain = checker();
    assert.deepEqual(splitSmtpHosts(plain), [plain]);
  });

  test('host blocks and no connection option of its own: one checker per host, the real server itself not checked', () => {
    const split = splitSmtpHosts(checker({ hosts, heloName: 'lb1' }));
    assert.deepEqual(
      split.map((c) => smtpTarget(c, server)),
      [
        { host: '198.51.100.11', port: 25, timeoutMs: 3000, heloName: 'lb1', label: '198.51.100.11:25' },
        {
          host: '198.51.100.10',
          port: 2525,
          bindTo: '198.51.100.1',
          timeoutMs: 3000,
          heloName: 'lb1',
          label: '198.51.100.10:2525',
        },
      ],
    );
    assert.ok(split.every((c) => c.hosts.length === 0 && c.retry === 1 && c.delayLoop === 10));
  });

  test("a connection option of its own keeps the checker's endpoint, and hosts do not inherit it", () => {
    const split = splitSmtpHosts(checker({ hosts, connectPort: 587 }));
    assert.deepEqual(
      split.map((c) => [c.connectIp, c.connectPort]),
      [
        [undefined, 587],
        ['198.51.100.11', undefined],
        [undefined, 2525],
      ],
    );
  });
});
