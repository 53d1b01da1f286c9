// Real servers going down and up, and virtual servers losing and gaining quorum, mail keepalived's
// alerts through the configured SMTP server (a test server on 127.0.0.1), as smtp_alert says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { TcpTarget } from '../../../src/check/tcp.js';
import type { CheckOutcome } from '../../../src/check/verdict.js';
import { parseConfigText } from '../../../src/config/index.js';
import { CheckService } from '../../../src/daemon/check-service.js';
import { StateStore } from '../../../src/daemon/store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { header, startSmtpSink } from '../../helpers/smtp-sink.js';

const CHECK = 'TCP_CHECK {\n connect_timeout 1\n delay_loop 1\n retry 0\n warmup 0\n }';
const config = (port: number, vsAlert: string, rsAlert: string) => `global_defs {
  router_id lb1
  notification_email {
    ops@example.com
  }
  notification_email_from vigil@example.com
  smtp_server 127.0.0.1 ${port}
  smtp_connect_timeout 2
}
virtual_server 198.51.100.80 80 {
  protocol TCP
  ${vsAlert}
  real_server 203.0.113.21 80 {
    ${rsAlert}
    ${CHECK}
  }
  real_server 203.0.113.22 80 {
    smtp_alert off
    ${CHECK}
  }
}
`;

/** Runs the checks with both real servers going down, then .21 coming back; the mails' subjects and bodies. */
async function mailsOf(vsAlert: string, rsAlert: string, expected: number): Promise<string[][]> {
  const sink = await startSmtpSink();
  const { config: parsed, diagnostics } = parseConfigText(config(sink.port, vsAlert, rsAlert), 'k.conf');
  assert.ok(parsed, diagnostics.map((d) => d.message).join('\n'));
  const clock = new FakeClock();
  const down = new Set<string>();
  const probeTcp = async (t: TcpTarget): Promise<CheckOutcome> =>
    down.has(t.host) ? { ok: false, latencyMs: 1, reason: 'connection refused' } : { ok: true, latencyMs: 1 };
  const checks = await CheckService.start(parsed, {
    log: pino({ level: 'silent' }),
    store: new StateStore('k.conf', parsed, ['k.conf'], [], new Date()),
    onTableChange: () => {},
    ports: { clock, probeTcp, random: () => 0 },
  });
  const settle = async () => {
    clock.advance(1000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  try {
    await settle();
    down.add('203.0.113.21');
    down.add('203.0.113.22');
    await settle();
    down.delete('203.0.113.21');
    await settle();
    const mails = await sink.waitFor(expected);
    assert.deepEqual(mails[0]!.to, ['ops@example.com']);
    // Time for a mail too many to arrive, were one sent.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return sink.mails.map((m) => [header(m.data, 'Subject')!, m.data.split('\r\n\r\n')[1]!.trim()]);
  } finally {
    await checks.stop();
    await sink.close();
  }
}

test('a real server going down then up mails keepalived’s Realserver alerts; one with smtp_alert off mails nothing', async () => {
  assert.deepEqual(await mailsOf('', '', 2), [
    [
      '[lb1] Realserver [203.0.113.21]:tcp:80 of virtual server [198.51.100.80]:tcp:80 - DOWN',
      '=> TCP CHECK failed on service <=',
    ],
    [
      '[lb1] Realserver [203.0.113.21]:tcp:80 of virtual server [198.51.100.80]:tcp:80 - UP',
      '=> TCP CHECK succeed on service <=',
    ],
  ]);
});

test('a virtual server with smtp_alert mails losing and regaining quorum, with keepalived’s threshold words', async () => {
  assert.deepEqual(await mailsOf('smtp_alert', 'smtp_alert off', 2), [
    ['[lb1] Virtualserver [198.51.100.80]:tcp:80 - DOWN', '=> Lost quorum 1+0=1 <= 0 <='],
    ['[lb1] Virtualserver [198.51.100.80]:tcp:80 - UP', '=> Gained quorum 1+0=1 <= 1 <='],
  ]);
});
