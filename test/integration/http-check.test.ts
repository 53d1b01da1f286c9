// HTTP_GET and SSL_GET against a real web server across a veth pair: the checker runs in
// namespace A, a responder the test steers (status, body, slow, hung, endless) in B with a
// self-signed certificate made here by openssl. Then vigild itself, in A, takes a real server
// down with the reason and brings it back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';
import type { HttpTarget } from '../../src/check/http.js';
import type { UrlRule } from '../../src/check/http-exchange.js';
import type { SmtpTarget } from '../../src/check/smtp.js';
import type { TcpTarget } from '../../src/check/tcp.js';
import type { CheckOutcome } from '../../src/check/verdict.js';
import { skipWithout } from '../helpers/needs.js';
import type { Behaviour } from './net/fixtures/http-responder.js';
import { createVethPair, ip, NetAgent, skipWithoutNamespaces, type VethPair } from './net/namespaces.js';

const skipWithoutOpenssl = await skipWithout(async () => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'openssl is not installed (it makes the test certificate)';
  }
});

const DEFAULT: Behaviour = { status: 200, body: 'ok\n', mode: 'answer', delayMs: 0, paths: {} };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

interface WebServers {
  pair: VethPair;
  web: NetAgent;
  /** Stops the responder, removes the namespaces and the certificate. */
  stop(): Promise<void>;
}

/**
 * An HTTP (port 80) and HTTPS (443, a self-signed certificate for www.example.com) responder in
 * namespace b of a new veth pair. A start that fails halfway removes what it made.
 */
async function startWebServers(): Promise<WebServers> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-http-'));
  let pair: VethPair | undefined;
  let web: NetAgent | undefined;
  const stop = async () => {
    await web?.stop();
    pair?.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  const subject = '/CN=www.example.com';
  const args = [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    subject,
    '-keyout',
    key,
    '-out',
    cert,
  ];
  try {
    execFileSync('openssl', args, { stdio: 'ignore' });
    pair = await createVethPair();
    web = await NetAgent.start(pair.b.namespace);
    await web.call('http.serve', { host: pair.b.ipv4, httpPort: 80, httpsPort: 443, cert, key });
    return { pair, web, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

describe('HTTP_GET and SSL_GET against a real server', { skip: skipWithoutNamespaces || skipWithoutOpenssl }, () => {
  let pair: VethPair;
  let checker: NetAgent;
  let web: NetAgent;
  let servers: WebServers | undefined;
  const behave = (behaviour: Partial<Behaviour> = {}) => web.call('http.behave', { ...DEFAULT, ...behaviour });
  const requests = () => web.call<{ requests: string[]; serverNames: string[] }>('http.requests');

  const rule = (extra: Partial<UrlRule> = {}): UrlRule => ({
    path: '/health',
    host: '198.51.100.2:80',
    statusCodes: [200],
    ...extra,
  });
  const probe = (target: Partial<HttpTarget> = {}) =>
    checker.call<CheckOutcome>('http.probe', {
      target: {
        host: pair.b.ipv4,
        port: 80,
        timeoutMs: 1000,
        tls: false,
        sni: false,
        protocol: '1.0',
        urls: [rule()],
        ...target,
      } satisfies HttpTarget,
    });
  const reasonOf = async (target: Partial<HttpTarget> = {}) => {
    const outcome = await probe(target);
    return outcome.ok ? 'passed' : outcome.reason;
  };

  before(async () => {
    servers = await startWebServers();
    ({ pair, web } = servers);
    checker = await NetAgent.start(pair.a.namespace);
  });
  after(async () => {
    await checker?.stop();
    await servers?.stop();
  });

  test('a 200 passes; the request is keepalived’s HTTP/1.0 GET on a fresh connection', async () => {
    await behave();
    const before = (await requests()).requests.length;
    assert.deepEqual(await reasonOf(), 'passed');
    assert.deepEqual(await reasonOf(), 'passed');
    const sent = (await requests()).requests.slice(before);
    assert.deepEqual(sent, [
      'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 198.51.100.2:80\r\n\r\n',
      'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 198.51.100.2:80\r\n\r\n',
    ]);
    const outcome = await probe();
    assert.ok(outcome.latencyMs > 0 && outcome.latencyMs < 1000, `latency ${outcome.latencyMs} ms`);
  });

  test('http_protocol 1.1 asks for HTTP/1.1 and for the connection to close', async () => {
    await behave();
    assert.equal(await reasonOf({ protocol: '1.1' }), 'passed');
    assert.match((await requests()).requests.at(-1)!, /^GET \/health HTTP\/1\.1\r\n.*Connection: close\r\n/s);
  });

  test('a status outside status_code fails with the status and what was wanted; ranges and lists pass', async () => {
    await behave({ status: 503 });
    assert.equal(await reasonOf(), 'status 503 (want 200)');
    assert.equal(await reasonOf({ urls: [rule({ statusCodes: [200, 503] })] }), 'passed');
    await behave({ status: 302 });
    assert.equal(await reasonOf({ urls: [rule({ statusCodes: [200, 300, 301, 302, 303] })] }), 'passed');
  });

  test('digest: passes while the body is the one hashed, fails when it changes', async () => {
    await behave({ body: 'version 1\n' });
    const urls = [rule({ digest: md5('version 1\n') })];
    assert.equal(await reasonOf({ urls }), 'passed');
    await behave({ body: 'version 2\n' });
    assert.match(await reasonOf({ urls }), /^digest mismatch on \/health \(got [0-9a-f]{32}, want [0-9a-f]{32}\)$/);
  });

  test('regex: the body must match, or with regex_no_match must not', async () => {
    await behave({ body: '{"db":"up","cache":"down"}' });
    const regex = (pattern: string, noMatch = false) => [rule({ regex: { pattern, options: [], noMatch } })];
    assert.equal(await reasonOf({ urls: regex('"db":"up"') }), 'passed');
    assert.equal(await reasonOf({ urls: regex('"down"', true) }), 'body matches regex ""down"" on /health');
    assert.equal(await reasonOf({ urls: regex('"cache":"up"') }), 'no match for regex ""cache":"up"" on /health');
  });

  test('every url must pass; the failing one is named', async () => {
    await behave({ paths: { '/b': { status: 500 } } });
    const urls = [rule({ path: '/a' }), rule({ path: '/b' }), rule({ path: '/c' })];
    assert.equal(await reasonOf({ urls }), 'status 500 (want 200) on /b');
    await behave();
    assert.equal(await reasonOf({ urls }), 'passed');
  });

  test('a hung server, a slow one and an endless body are all cut at connect_timeout', async () => {
    await behave({ mode: 'hang' });
    const hung = await probe();
    assert.equal(hung.ok ? 'passed' : hung.reason, 'timeout after 1 s waiting for the reply');
    assert.ok(hung.latencyMs >= 990 && hung.latencyMs < 1500, `hung for ${hung.latencyMs} ms`);
    await behave({ mode: 'slow', delayMs: 300 });
    assert.equal(await reasonOf(), 'passed');
    await behave({ mode: 'slow', delayMs: 1500 });
    assert.equal(await reasonOf(), 'timeout after 1 s waiting for the reply');
    await behave({ mode: 'endless', body: 'x'.repeat(4096) });
    const endless = await probe();
    assert.equal(endless.ok ? 'passed' : endless.reason, 'timeout after 1 s reading the reply');
    assert.ok(endless.latencyMs < 1500, `endless body held the check ${endless.latencyMs} ms`);
  });

  test('connection refused, and a bindto that is not this host’s, in words', async () => {
    assert.equal(await reasonOf({ port: 81 }), 'connection refused');
    await behave();
    assert.equal(await reasonOf({ bindTo: pair.a.ipv4 }), 'passed');
    assert.equal(
      await reasonOf({ bindTo: '203.0.113.99' }),
      'cannot connect from 203.0.113.99: not an address of this host',
    );
  });

  test('SSL_GET accepts a self-signed certificate, as keepalived verifies none', async () => {
    await behave({ status: 503 });
    assert.equal(await reasonOf({ port: 443, tls: true }), 'status 503 (want 200)');
    await behave();
    assert.equal(await reasonOf({ port: 443, tls: true }), 'passed');
  });

  test('SSL_GET sends the virtual host as SNI only with enable_sni', async () => {
    await behave();
    const urls = [rule({ host: 'www.example.com', virtualhost: 'www.example.com' })];
    assert.equal(await reasonOf({ port: 443, tls: true, urls }), 'passed');
    assert.equal(await reasonOf({ port: 443, tls: true, sni: true, urls }), 'passed');
    const { requests: sent, serverNames } = await requests();
    assert.deepEqual(serverNames.slice(-2), ['', 'www.example.com']);
    assert.match(sent.at(-1)!, /\r\nHost: www\.example\.com\r\n/);
  });

  test('TLS against a plain HTTP port, and plain HTTP against TLS, fail in plain words', async () => {
    await behave();
    assert.equal(
      await reasonOf({ port: 80, tls: true }),
      'TLS handshake failed: the server does not speak TLS on this port (plain HTTP?)',
    );
    assert.equal(await reasonOf({ port: 443, tls: false }), 'no reply');
  });
});

describe('bind_if and fwmark on TCP checks', { skip: skipWithoutNamespaces || skipWithoutOpenssl }, () => {
  let pair: VethPair;
  let checker: NetAgent;
  let web: NetAgent;
  let servers: WebServers | undefined;
  /** An interface in the checker's namespace with no route to the server (a veth whose peer stays there too). */
  const DEAD_END = 'vigil-dead';
  const inChecker = (...command: string[]) =>
    execFileSync('ip', ['netns', 'exec', pair.a.namespace, ...command], { encoding: 'utf8' });
  const tcpReason = async (target: Partial<TcpTarget>) => {
    const outcome = await checker.call<CheckOutcome>('check.tcp', {
      target: { host: pair.b.ipv4, port: 80, timeoutMs: 1000, ...target } satisfies TcpTarget,
    });
    return outcome.ok ? 'passed' : outcome.reason;
  };
  const httpReason = async (target: Partial<HttpTarget>) => {
    const outcome = await checker.call<CheckOutcome>('http.probe', {
      target: {
        host: pair.b.ipv4,
        port: 80,
        timeoutMs: 1000,
        tls: false,
        sni: false,
        protocol: '1.0',
        urls: [{ path: '/health', host: '198.51.100.2:80', statusCodes: [200] }],
        ...target,
      } satisfies HttpTarget,
    });
    return outcome.ok ? 'passed' : outcome.reason;
  };
  /** Packets the checker's namespace dropped for carrying mark 7 to port 80. */
  const markedDrops = () => Number(/packets (\d+)/.exec(inChecker('nft', 'list', 'chain', 'inet', 'vigil', 'out'))![1]);

  before(async () => {
    servers = await startWebServers();
    ({ pair, web } = servers);
    checker = await NetAgent.start(pair.a.namespace);
    ip('-n', pair.a.namespace, 'link', 'add', DEAD_END, 'type', 'veth', 'peer', 'name', `${DEAD_END}p`);
    ip('-n', pair.a.namespace, 'addr', 'add', '203.0.113.1/24', 'dev', DEAD_END);
    ip('-n', pair.a.namespace, 'link', 'set', DEAD_END, 'up');
    // The table lives in the checker's namespace and goes with it.
    inChecker('nft', 'add', 'table', 'inet', 'vigil');
    inChecker('nft', 'add', 'chain', 'inet', 'vigil', 'out', '{ type filter hook output priority 0; }');
    inChecker(
      'nft',
      'add',
      'rule',
      'inet',
      'vigil',
      'out',
      'meta',
      'mark',
      '7',
      'tcp',
      'dport',
      '80',
      'counter',
      'drop',
    );
  });
  after(async () => {
    await checker?.stop();
    await servers?.stop();
  });

  test('TCP_CHECK: bind_if on the interface towards the server passes; on one without a route it fails', async () => {
    assert.equal(await tcpReason({ bindIf: pair.a.link }), 'passed');
    // Linux takes the server to be on the bound link and asks for it by ARP, which nobody answers:
    // the check times out, or once the neighbour entry has failed, is refused at once.
    assert.match(await tcpReason({ bindIf: DEAD_END }), /^(timed out after 1 s|host unreachable)$/);
    assert.equal(await tcpReason({ bindIf: 'nosuch0' }), 'cannot bind to interface nosuch0: no such interface');
  });

  test('TCP_CHECK: fwmark marks the connection’s packets (a rule dropping mark 7 fails it, mark 8 passes)', async () => {
    const before = markedDrops();
    assert.equal(await tcpReason({}), 'passed');
    assert.equal(await tcpReason({ fwmark: 8 }), 'passed');
    assert.equal(markedDrops(), before, 'unmarked and mark 8 packets are not dropped');
    assert.equal(await tcpReason({ fwmark: 7 }), 'timed out after 1 s');
    assert.ok(markedDrops() > before, 'the SYN carried mark 7');
  });

  test('SMTP_CHECK with bind_if talks through it, over IPv4 and IPv6', async () => {
    await web.call('responder.smtp', { address: pair.b.ipv4, port: 25, mode: 'ok' });
    await web.call('responder.smtp', { address: pair.b.ipv6, port: 25, mode: 'ok' });
    const smtpReason = async (host: string, bindIf: string) => {
      const target: SmtpTarget = { host, port: 25, bindIf, timeoutMs: 1000, heloName: 'vigil.example' };
      const outcome = await checker.call<CheckOutcome>('check.smtp', { target });
      return outcome.ok ? 'passed' : outcome.reason;
    };
    for (const host of [pair.b.ipv4, pair.b.ipv6]) {
      assert.equal(await smtpReason(host, pair.a.link), 'passed', host);
      assert.notEqual(await smtpReason(host, DEAD_END), 'passed', host);
    }
  });

  test('HTTP_GET and SSL_GET with bind_if connect through it', async () => {
    assert.equal(await httpReason({ bindIf: pair.a.link }), 'passed');
    assert.match(await httpReason({ bindIf: DEAD_END }), /^(timeout after 1 s connecting|host unreachable)$/);
    assert.equal(await httpReason({ bindIf: pair.a.link, port: 443, tls: true }), 'passed');
    assert.match(
      await httpReason({ bindIf: DEAD_END, port: 443, tls: true }),
      /^(timeout after 1 s connecting|host unreachable)$/,
    );
  });
});

describe('vigild runs HTTP_GET and SSL_GET', { skip: skipWithoutNamespaces || skipWithoutOpenssl }, () => {
  let pair: VethPair;
  let web: NetAgent;
  let daemon: DaemonProcess;
  let servers: WebServers | undefined;
  let seen = '';
  const behave = (behaviour: Partial<Behaviour> = {}) => web.call('http.behave', { ...DEFAULT, ...behaviour });

  async function realServers() {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const servers = StatusResponse.parse(JSON.parse(stdout)).virtualServers[0]!.realServers;
    seen = JSON.stringify(servers.map((rs) => [rs.health, rs.healthReason]));
    return servers;
  }
  const until = (what: string, probe: () => Promise<boolean>) =>
    pollUntil(probe, () => `${what}: real servers ${seen}\n${daemon.log}`, 15_000);

  before(async () => {
    servers = await startWebServers();
    ({ pair, web } = servers);
    const checker = (type: string) => `${type} {
      url {
        path /health
        status_code 200
      }
      connect_timeout 1
      delay_loop 1
      delay_before_retry 0.2
      retry 2
      warmup 0
    }`;
    daemon = new DaemonProcess({ netns: pair.a.namespace });
    daemon.writeConfig(`virtual_server 203.0.113.80 80 {
  protocol TCP
  lb_kind NAT
  real_server ${pair.b.ipv4} 80 {
    ${checker('HTTP_GET')}
  }
  real_server ${pair.b.ipv4} 443 {
    ${checker('SSL_GET')}
  }
}
`);
    await daemon.start();
  });
  after(async () => {
    await daemon?.cleanup();
    await servers?.stop();
  });

  test('both servers are up once their checks pass', async () => {
    await until('both up with a check run', async () =>
      (await realServers()).every((rs) => rs.health === 'up' && rs.lastCheck !== undefined),
    );
  });

  test('a 503 takes both down after the retries, with the status in the reason; a 200 brings them back', async () => {
    const before = (await web.call<{ requests: string[] }>('http.requests')).requests.length;
    await behave({ status: 503 });
    await until('both down', async () => (await realServers()).every((rs) => rs.health === 'down'));
    const servers = await realServers();
    assert.deepEqual(
      servers.map((rs) => rs.healthReason),
      ['HTTP_GET: status 503 (want 200)', 'SSL_GET: status 503 (want 200)'],
    );
    // Each was up, so it was given the first attempt plus retry 2 before going down.
    const failed = (await web.call<{ requests: string[] }>('http.requests')).requests.length - before;
    assert.ok(failed >= 6, `${failed} requests before both went down`);
    const { stdout } = await vigil(['status', '--socket', daemon.socket]);
    assert.match(stdout, /198\.51\.100\.2:80 of 203\.0\.113\.80:80: down since .*: HTTP_GET: status 503 \(want 200\)/);

    await behave();
    await until('both up again', async () => (await realServers()).every((rs) => rs.health === 'up'));
    assert.match(daemon.log, /real server 198\.51\.100\.2:443 of 203\.0\.113\.80:80 is up/);
  });

  test('a hung server goes down with the timeout', async () => {
    await behave({ mode: 'hang' });
    await until('r80 down', async () => (await realServers())[0]!.health === 'down');
    assert.equal((await realServers())[0]!.healthReason, 'HTTP_GET: timeout after 1 s waiting for the reply');
    await behave();
  });
});
