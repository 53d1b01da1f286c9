// Real servers going down and up mail keepalived's alert through the configured SMTP server (a
// test server on 127.0.0.1), unless smtp_alert turns it off for that real server.
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
const config = (port: number) => `global_defs {
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
  real_server 203.0.113.21 80 {
    ${CHECK}
  }
  real_server 203.0.113.22 80 {
    smtp_alert off
    ${CHECK}
  }
}
`;

test('a real server going down then up mails keepalived’s Realserver alerts; one with smtp_alert off mails nothing', async () => {
  const sink = await startSmtpSink();
  const { config: parsed, diagnostics } = parseConfigText(config(sink.port), 'k.conf');
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
    const mails = await sink.waitFor(2);
    // Time for a mail about .22 to arrive, were one sent.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      sink.mails.map((m) => [header(m.data, 'Subject'), m.data.split('\r\n\r\n')[1]?.trim()]),
      [
        [
          '[lb1] Realserver [203.0.113.21]:tcp:80 of virtual server [198.51.100.80]:tcp:80 - DOWN',
          '=> TCP CHECK failed on service <=',
        ],
        [
          '[lb1] Realserver [203.0.113.21]:tcp:80 of virtual server [198.51.100.80]:tcp:80 - UP',
          '=> TCP CHECK succeed on service <=',
        ],
      ],
    );
    assert.deepEqual(mails[0]!.to, ['ops@example.com']);
  } finally {
    await checks.stop();
    await sink.close();
  }
});
