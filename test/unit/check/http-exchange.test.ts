// HTTP_GET's pure parts: the request keepalived sends, reading a reply the way keepalived reads
// it, and one url's rules (status, digest, regex) with the reasons an operator reads.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { httpTarget } from '../../../src/check/health-checker.js';
import {
  describeCodes,
  type HttpReply,
  judgeReply,
  ReplyReader,
  requestText,
  statusOf,
  type UrlRule,
} from '../../../src/check/http-exchange.js';
import type { BodyRegex, HttpCheck, HttpUrl } from '../../../src/config/index.js';

const pos = { file: 'k.conf', line: 1, col: 1 };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function check(overrides: Partial<HttpCheck> = {}, urls: Partial<HttpUrl>[] = [{}]): HttpCheck {
  return {
    type: 'HTTP_GET',
    pos,
    retry: 1,
    delayBeforeRetry: 3,
    warmup: 0,
    delayLoop: 10,
    alpha: false,
    connectTimeout: 3,
    urls: urls.map((url) => ({ path: '/health', pos, ...url })),
    httpProtocol: '1.0',
    enableSni: false,
    ...overrides,
  };
}
const server = { id: 'rs', address: '198.51.100.21', port: 8080, weight: 1, checkers: [] };
const ruleOf = (checker: HttpCheck, address = server.address) => httpTarget(checker, { ...server, address }).urls[0]!;

function read(...chunks: string[]): HttpReply {
  const reader = new ReplyReader();
  for (const chunk of chunks) reader.push(Buffer.from(chunk, 'latin1'));
  const reply = reader.finish();
  assert.ok(reply, 'the headers ended');
  return reply;
}

describe('the request', () => {
  test('is keepalived’s HTTP/1.0 GET, with the address and port as Host when no virtualhost is set', () => {
    assert.equal(
      requestText(ruleOf(check()), '1.0'),
      'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 198.51.100.21:8080\r\n\r\n',
    );
  });

  test('1.0C and 1.1 ask the server to close; IPv6 hosts are bracketed', () => {
    const rule = ruleOf(check(), '2001:db8::21');
    assert.equal(
      requestText(rule, '1.1'),
      'GET /health HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: [2001:db8::21]:8080\r\n\r\n',
    );
    assert.match(requestText(rule, '1.0C'), /^GET \/health HTTP\/1\.0\r\n.*Connection: close\r\n/s);
  });

  test('Host is the url’s virtualhost, else the checker’s; connect_ip and connect_port are where it goes', () => {
    const checker = check({ virtualhost: 'www.example.com', connectIp: '203.0.113.7', connectPort: 81 }, [
      { virtualhost: 'api.example.com' },
      {},
    ]);
    const target = httpTarget(checker, server);
    assert.deepEqual(
      [target.host, target.port, target.urls.map((u) => u.host)],
      ['203.0.113.7', 81, ['api.example.com', 'www.example.com']],
    );
    assert.equal(ruleOf(check({ connectIp: '203.0.113.7' })).host, '203.0.113.7:8080');
  });
});

describe('reading a reply', () => {
  test('the status is the three digits after the first space, as keepalived reads it', () => {
    assert.deepEqual(
      ['HTTP/1.1 503 Service Unavailable', 'HTTP/1.0 200', 'HTTP/1.0 2000 x', 'garbage', 'HTTP/1.1  200 OK'].map(
        statusOf,
      ),
      [503, 200, 0, 0, 0],
    );
  });

  test('the digest is of the body, however it was split, and stops at Content-Length', () => {
    const reply = read('HTTP/1.0 200 OK\r\nConte', 'nt-Length: 5\r\n\r', '\nhel', 'lo and more');
    assert.deepEqual([reply.status, reply.digest], [200, md5('hello')]);
  });

  test('a chunked body is digested as received, as keepalived’s genhash does', () => {
    const body = '5\r\nhello\r\n0\r\n\r\n';
    assert.equal(read(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}`).digest, md5(body));
  });

  test('is complete once Content-Length bytes are in; without one it waits for the close', () => {
    const reader = new ReplyReader();
    reader.push(Buffer.from('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\no'));
    assert.equal(reader.complete, false);
    reader.push(Buffer.from('k'));
    assert.equal(reader.complete, true);
    const open = new ReplyReader();
    open.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\nok'));
    assert.equal(open.complete, false);
  });

  test('headers that never end are an error, not an unbounded buffer', () => {
    const reader = new ReplyReader();
    reader.push(Buffer.from(`HTTP/1.0 200 OK\r\nX: ${'a'.repeat(70_000)}`));
    assert.match(reader.error ?? '', /no end of headers/);
    assert.equal(new ReplyReader().finish(), undefined);
  });
});

describe('a url’s rules', () => {
  const rule = (extra: Partial<UrlRule> = {}): UrlRule => ({ ...ruleOf(check()), ...extra });
  const regex = (pattern: string, extra: Partial<BodyRegex> = {}): BodyRegex => ({
    pattern,
    options: [],
    noMatch: false,
    ...extra,
  });
  const ok = read('HTTP/1.0 200 OK\r\n\r\nstatus: Ready\n');

  test('any 2xx passes by default; another status fails, saying what was wanted', () => {
    assert.equal(judgeReply(rule(), ok, ''), undefined);
    assert.equal(judgeReply(rule(), read('HTTP/1.0 503 Busy\r\n\r\n'), ''), 'status 503 (want 200-299)');
    assert.equal(
      judgeReply(rule({ statusCodes: [200, 301, 302] }), read('HTTP/1.0 404 x\r\n\r\n'), ' on /health'),
      'status 404 (want 200, 301-302) on /health',
    );
    assert.match(judgeReply(rule(), read('SSH-2.0-OpenSSH\r\n\r\n'), '') ?? '', /^no status code in the reply/);
  });

  test('a digest must match the body', () => {
    assert.equal(judgeReply(rule({ digest: md5('status: Ready\n') }), ok, ''), undefined);
    assert.match(
      judgeReply(rule({ digest: md5('other') }), ok, '') ?? '',
      /^digest mismatch on \/health \(got [0-9a-f]{32}, want [0-9a-f]{32}\)$/,
    );
  });

  test('a regex must match the body (not the headers); regex_no_match inverts it', () => {
    assert.equal(judgeReply(rule({ regex: regex('Ready') }), ok, ''), undefined);
    assert.equal(judgeReply(rule({ regex: regex('OK') }), ok, ''), 'no match for regex "OK" on /health');
    assert.equal(judgeReply(rule({ regex: regex('ready', { options: ['caseless'] }) }), ok, ''), undefined);
    assert.equal(
      judgeReply(rule({ regex: regex('Ready', { noMatch: true }) }), ok, ''),
      'body matches regex "Ready" on /health',
    );
    assert.equal(judgeReply(rule({ regex: regex('Down', { noMatch: true }) }), ok, ''), undefined);
  });

  test('regex offsets bound where a match may start', () => {
    // "Ready" starts at offset 8 of the body.
    const at = (minOffset?: number, maxOffset?: number) =>
      judgeReply(rule({ regex: regex('Ready', { minOffset, maxOffset }) }), ok, '') === undefined;
    assert.deepEqual([at(8, 8), at(9), at(0, 7), at(undefined, 8)], [true, false, false, true]);
  });

  test('the status is judged before the digest', () => {
    assert.match(judgeReply(rule({ digest: md5('x') }), read('HTTP/1.0 500 x\r\n\r\n'), '') ?? '', /^status 500/);
  });

  test('codes are described as ranges', () => {
    assert.equal(describeCodes([200, 201, 202, 204, 300]), '200-202, 204, 300');
  });
});
