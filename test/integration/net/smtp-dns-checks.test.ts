// SMTP_CHECK and DNS_CHECK over a real veth pair: the probes run in namespace A against
// servers in namespace B that answer right, wrongly, slowly, not at all, or close.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DnsTarget } from '../../../src/check/dns.js';
import type { SmtpTarget } from '../../../src/check/smtp.js';
import type { CheckOutcome } from '../../../src/check/verdict.js';
import type { DnsMode, SmtpMode } from './fixtures/responders.js';
import { createVethPair, NetAgent, skipWithoutNamespaces, type VethPair } from './namespaces.js';

describe('SMTP_CHECK and DNS_CHECK against servers in another namespace', { skip: skipWithoutNamespaces }, () => {
  let pair: VethPair;
  let checker: NetAgent;
  let servers: NetAgent;
  let smtp: number;
  let smtp6: number;
  let dns: number;
  let dns6: number;

  before(async () => {
    pair = await createVethPair();
    checker = await NetAgent.start(pair.a.namespace);
    servers = await NetAgent.start(pair.b.namespace);
    smtp = await servers.call('responder.smtp', { address: pair.b.ipv4, port: 25, mode: 'ok' });
    smtp6 = await servers.call('responder.smtp', { address: pair.b.ipv6, port: 25, mode: 'ok' });
    dns = await servers.call('responder.dns', { address: pair.b.ipv4, port: 53, mode: 'ok' });
    dns6 = await servers.call('responder.dns', { address: pair.b.ipv6, port: 53, mode: 'ok' });
  });
  after(async () => {
    await checker?.stop();
    await servers?.stop();
    pair?.destroy();
  });

  describe('SMTP_CHECK', () => {
    const target = (extra: Partial<SmtpTarget> = {}): SmtpTarget => ({
      host: pair.b.ipv4,
      port: 25,
      timeoutMs: 1000,
      heloName: 'smtpchecker.keepalived.org',
      ...extra,
    });
    async function check(mode: SmtpMode, extra: Partial<SmtpTarget> = {}): Promise<CheckOutcome> {
      await servers.call('responder.mode', { handle: smtp, mode });
      return checker.call<CheckOutcome>('check.smtp', { target: target(extra) });
    }
    const failure = (outcome: CheckOutcome) => (outcome.ok ? 'passed' : outcome.reason);

    test('a server that greets 220 and answers HELO 250 passes; it was sent HELO and QUIT', async () => {
      const outcome = await check('ok');
      assert.equal(outcome.ok, true);
      assert.ok(outcome.latencyMs > 0 && outcome.latencyMs < 1000, `latency ${outcome.latencyMs}`);
      assert.deepEqual(await servers.call('responder.received', { handle: smtp }), [
        'HELO smtpchecker.keepalived.org',
        'QUIT',
      ]);
    });

    test('helo_name is the name sent; IPv6 works alike', async () => {
      await servers.call('responder.received', { handle: smtp6 });
      const outcome = await checker.call<CheckOutcome>('check.smtp', {
        target: target({ host: pair.b.ipv6, heloName: 'lb1.example.net' }),
      });
      assert.equal(failure(outcome), 'passed');
      assert.deepEqual(await servers.call('responder.received', { handle: smtp6 }), ['HELO lb1.example.net', 'QUIT']);
    });

    test('a multi-line 220 greeting passes', async () => {
      assert.equal(failure(await check('multiline')), 'passed');
    });

    test('a greeting other than 220 fails with what the server said, and no HELO is sent', async () => {
      await servers.call('responder.received', { handle: smtp });
      assert.equal(
        failure(await check('bad-greeting')),
        'the greeting was "554 mx.example.net no service here" (expected 220)',
      );
      assert.deepEqual(await servers.call('responder.received', { handle: smtp }), []);
    });

    test('a HELO answered other than 250 fails', async () => {
      assert.equal(failure(await check('bad-helo')), 'the reply to HELO was "501 go away" (expected 250)');
    });

    test('a server that never greets times out; one that hangs up is said to', async () => {
      assert.equal(failure(await check('hang')), 'timed out after 1 s waiting for the greeting');
      assert.equal(failure(await check('close')), 'connection closed by the server waiting for the greeting');
    });

    test('connect_timeout bounds the whole exchange, not each reply', async () => {
      // Each reply comes 0.7 s after its command: every wait is shorter than 1 s, the exchange is not.
      assert.equal(failure(await check('slow')), 'timed out after 1 s waiting for the reply to QUIT');
    });

    test('a closed port is refused; another endpoint is named; a bindto not of this host is said so', async () => {
      assert.equal(
        failure(await check('ok', { port: 2525, label: `${pair.b.ipv4}:2525` })),
        `${pair.b.ipv4}:2525: connection refused`,
      );
      assert.equal(
        failure(await check('ok', { bindTo: '203.0.113.99' })),
        'cannot connect from 203.0.113.99: not an address of this host',
      );
      assert.equal(failure(await check('ok', { bindTo: pair.a.ipv4, bindPort: 4025 })), 'passed');
    });
  });

  describe('DNS_CHECK', () => {
    const target = (extra: Partial<DnsTarget> = {}): DnsTarget => ({
      host: pair.b.ipv4,
      port: 53,
      timeoutMs: 1000,
      name: 'www.example.net',
      queryType: 'A',
      ...extra,
    });
    async function check(mode: DnsMode, extra: Partial<DnsTarget> = {}): Promise<CheckOutcome> {
      await servers.call('responder.mode', { handle: dns, mode });
      return checker.call<CheckOutcome>('check.dns', { target: target(extra) });
    }
    const failure = (outcome: CheckOutcome) => (outcome.ok ? 'passed' : outcome.reason);

    test('a NOERROR answer passes; the server was asked type A for the name, recursion desired', async () => {
      await servers.call('responder.received', { handle: dns });
      const outcome = await check('ok');
      assert.equal(failure(outcome), 'passed');
      assert.ok(outcome.latencyMs > 0 && outcome.latencyMs < 1000, `latency ${outcome.latencyMs}`);
      const [query] = await servers.call<string[]>('responder.received', { handle: dns });
      const bytes = Buffer.from(query!, 'hex');
      assert.equal(bytes.readUInt16BE(2), 0x0100);
      assert.equal(bytes.subarray(12).toString('latin1'), '\x03www\x07example\x03net\x00\x00\x01\x00\x01');
    });

    test("keepalived's leniency: no answer records, or another question echoed, still pass", async () => {
      assert.equal(failure(await check('empty')), 'passed');
      assert.equal(failure(await check('other-question')), 'passed');
    });

    test('NXDOMAIN fails', async () => {
      assert.equal(failure(await check('nxdomain')), 'the server answered NXDOMAIN');
    });

    test('a reply with another id or without QR is not the reply: the check times out saying what it ignored', async () => {
      assert.equal(failure(await check('wrong-id')), 'no reply within 1 s (ignored a reply with another id)');
      assert.equal(failure(await check('query')), 'no reply within 1 s (ignored a query instead of a reply)');
    });

    test('silence times out; a port nobody listens on is ICMP port unreachable', async () => {
      assert.equal(failure(await check('hang')), 'no reply within 1 s');
      assert.equal(failure(await check('ok', { port: 5353 })), 'ICMP port unreachable');
    });

    test('IPv6, bindto and bind_port; a bindto not of this host is said so', async () => {
      const outcome = await checker.call<CheckOutcome>('check.dns', {
        target: target({ host: pair.b.ipv6, bindTo: pair.a.ipv6, bindPort: 4053, queryType: 'SOA', name: '.' }),
      });
      assert.equal(failure(outcome), 'passed');
      assert.equal(
        failure(await check('ok', { bindTo: '203.0.113.99' })),
        'cannot bind to 203.0.113.99: not an address of this host',
      );
      await servers.call('responder.mode', { handle: dns6, mode: 'ok' });
    });
  });
});
