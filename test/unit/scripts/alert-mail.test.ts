// keepalived 2.2.7's email alerts: the global_defs keywords, which objects send mail (smtp_alert
// and its inheritance), the subject and body of each mail, and a sender that never waits on a
// dead server.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import {
  realServerAlerts,
  realServerMail,
  virtualServerAlerts,
  vrrpAlerts,
  vrrpMail,
} from '../../../src/scripts/alert-mail.js';
import { SmtpAlertSender } from '../../../src/scripts/mail-sender.js';
import { header, type SmtpSink, startSmtpSink } from '../../helpers/smtp-sink.js';
import { expectLoaded, warningsOf } from '../config/assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });
const loaded = (text: string): Config => expectLoaded(load(text));

const INSTANCE = (name: string, extra = '') =>
  `vrrp_instance ${name} {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n  198.51.100.10/24\n }\n${extra}}\n`;
const VS = (rsExtra = '', vsExtra = '') =>
  `virtual_server 198.51.100.80 80 {\n protocol TCP\n${vsExtra} real_server 203.0.113.21 8080 {\n${rsExtra}  TCP_CHECK {\n  }\n }\n}\n`;

describe('email alert keywords', () => {
  it('reads the server, port, helo name, timeout, recipients and sender, without not-implemented warnings', () => {
    const result = load(`global_defs {
  notification_email {
    ops@example.com
    noc@example.com
  }
  notification_email_from vigil@example.com
  smtp_server 127.0.0.1 2525
  smtp_helo_name lb1.example.com
  smtp_connect_timeout 7
  smtp_alert_vrrp
  smtp_alert false
  no_email_faults
}
${INSTANCE('VI_1', ' smtp_alert off\n')}${VS(' smtp_alert\n', ' smtp_alert\n')}`);
    const config = expectLoaded(result);
    assert.deepEqual(warningsOf(result), []);
    assert.deepEqual(config.global.mail, {
      server: { host: '127.0.0.1', port: 2525 },
      heloName: 'lb1.example.com',
      connectTimeout: 7,
      to: ['ops@example.com', 'noc@example.com'],
      from: 'vigil@example.com',
      alertVrrp: true,
      alert: false,
      noFaults: true,
    });
    assert.equal(config.instances[0]!.smtpAlert, false);
    assert.equal(config.virtualServers[0]!.realServers[0]!.smtpAlert, true);
  });

  it('defaults as keepalived: port 25, a 30 s timeout, no recipients, smtp_connect_timeout 0 becomes 1', () => {
    assert.deepEqual(loaded('global_defs {\n smtp_server mail.example.com\n}\n').global.mail, {
      server: { host: 'mail.example.com', port: 25 },
      connectTimeout: 30,
      to: [],
      noFaults: false,
    });
    const zero = load('global_defs {\n smtp_connect_timeout 0\n}\n');
    assert.equal(expectLoaded(zero).global.mail.connectTimeout, 1);
    assert.match(
      warningsOf(zero)
        .map((d) => d.message)
        .join('\n'),
      /smtp_connect_timeout/,
    );
  });
});

describe('who sends mail (smtp_alert inheritance)', () => {
  const mailOf = (global: string) => loaded(`global_defs {\n${global}\n}\n`).global.mail;

  it('VRRP instances and groups: their own smtp_alert, else smtp_alert_vrrp, else smtp_alert, else none', () => {
    assert.equal(vrrpAlerts(undefined, mailOf('')), false);
    assert.equal(vrrpAlerts(undefined, mailOf(' smtp_alert')), true);
    assert.equal(vrrpAlerts(undefined, mailOf(' smtp_alert\n smtp_alert_vrrp off')), false);
    assert.equal(vrrpAlerts(undefined, mailOf(' smtp_alert_checker')), false);
    assert.equal(vrrpAlerts(true, mailOf(' smtp_alert off')), true);
    assert.equal(vrrpAlerts(false, mailOf(' smtp_alert_vrrp')), false);
  });

  it('real servers: their own smtp_alert, else smtp_alert_checker, else smtp_alert, else mail', () => {
    const rs = (own = '') => loaded(VS(own)).virtualServers[0]!.realServers[0]!;
    assert.equal(realServerAlerts(rs(), mailOf('')), true);
    assert.equal(realServerAlerts(rs(), mailOf(' smtp_alert off')), false);
    assert.equal(realServerAlerts(rs(), mailOf(' smtp_alert off\n smtp_alert_checker')), true);
    assert.equal(realServerAlerts(rs(), mailOf(' smtp_alert_vrrp off')), true);
    assert.equal(realServerAlerts(rs('  smtp_alert no\n'), mailOf(' smtp_alert_checker')), false);
  });

  it('virtual servers (quorum mails): their own smtp_alert, else smtp_alert_checker, else smtp_alert, else none', () => {
    const vs = (own = '') => loaded(VS('', own)).virtualServers[0]!;
    assert.equal(virtualServerAlerts(vs(), mailOf('')), false);
    assert.equal(virtualServerAlerts(vs(), mailOf(' smtp_alert')), true);
    assert.equal(virtualServerAlerts(vs(), mailOf(' smtp_alert\n smtp_alert_checker off')), false);
    assert.equal(virtualServerAlerts(vs(' smtp_alert\n'), mailOf(' smtp_alert off')), true);
  });
});

describe("keepalived's subjects and bodies", () => {
  it('VRRP instance and sync group transitions', () => {
    const cases: [Parameters<typeof vrrpMail>, string, string][] = [
      [
        ['lb1', 'instance', 'VI_1', 'MASTER'],
        '[lb1] VRRP Instance VI_1 - Entering MASTER state',
        '=> VRRP Instance is now owning VRRP VIPs <=',
      ],
      [
        ['lb1', 'instance', 'VI_1', 'FAULT'],
        '[lb1] VRRP Instance VI_1 - Entering FAULT state',
        '=> VRRP Instance is no longer owning VRRP VIPs <=',
      ],
      [['lb1', 'instance', 'VI_1', 'STOP'], '[lb1] VRRP Instance VI_1 - Stopping', '=> VRRP Instance stopping <='],
      [
        ['lb1', 'group', 'G1', 'BACKUP'],
        '[lb1] VRRP Group G1 - Entering BACKUP state',
        '=> All VRRP group instances are now in BACKUP state <=',
      ],
    ];
    for (const [args, subject, body] of cases) assert.deepEqual(vrrpMail(...args), { subject, body });
  });

  it('real server up and down, named as keepalived names them, with the deciding checker’s words', () => {
    const vs = loaded(VS()).virtualServers[0]!;
    const rs = vs.realServers[0]!;
    assert.deepEqual(realServerMail('lb1', rs, vs, false, 'TCP_CHECK'), {
      subject: '[lb1] Realserver [203.0.113.21]:tcp:8080 of virtual server [198.51.100.80]:tcp:80 - DOWN',
      body: '=> TCP CHECK failed on service <=',
    });
    assert.equal(realServerMail('lb1', rs, vs, true, 'HTTP_GET').body, '=> CHECK succeed on service <=');
    assert.equal(realServerMail('lb1', rs, vs, true, undefined).body, '=> CHECK succeed on service <=');
  });
});

describe('the SMTP sender', () => {
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)).msg);
        done();
      },
    }),
  );
  const settings = (port: number, timeout = 2) => ({
    server: { host: '127.0.0.1', port },
    heloName: 'lb1.example.com',
    connectTimeout: timeout,
    to: ['ops@example.com', 'noc@example.com'],
    from: 'vigil@example.com',
    noFaults: false,
  });

  it('sends one mail to every recipient with the headers keepalived writes', async () => {
    sink = await startSmtpSink();
    const sender = new SmtpAlertSender(settings(sink.port), log);
    sender.send({ subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state', body: '=> hello <=' });
    const [mail] = await sink.waitFor(1);
    sender.close();
    assert.equal(mail!.helo, 'lb1.example.com');
    assert.equal(mail!.from, 'vigil@example.com');
    assert.deepEqual(mail!.to, ['ops@example.com', 'noc@example.com']);
    assert.equal(header(mail!.data, 'Subject'), '[lb1] VRRP Instance VI_1 - Entering MASTER state');
    assert.equal(header(mail!.data, 'From'), 'vigil@example.com');
    assert.equal(header(mail!.data, 'To'), 'ops@example.com, noc@example.com');
    assert.equal(header(mail!.data, 'X-Mailer'), 'Keepalived');
    assert.ok(header(mail!.data, 'Date'));
    assert.match(mail!.data, /\r\n\r\n=> hello <=/);
  });

  it('with a hanging server, send returns at once, the queue drops beyond its bound and the outage is logged once', async () => {
    sink = await startSmtpSink({ hang: true });
    lines.length = 0;
    const sender = new SmtpAlertSender(settings(sink.port, 1), log, 2);
    const started = performance.now();
    for (let i = 0; i < 5; i++) sender.send({ subject: `s${i}`, body: 'b' });
    assert.ok(performance.now() - started < 50, 'send must not wait for the server');
    // One in flight, two queued: the other two are dropped.
    assert.equal(sender.droppedCount(), 2);
    // The three that were taken each time out after 1 s; the warning comes once.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    sender.close();
    assert.equal(lines.filter((l) => l.startsWith('cannot send alert mail')).length, 1);
  });
});
