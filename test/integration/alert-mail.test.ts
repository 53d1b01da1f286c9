// keepalived's email alerts from a real vigild: a transition to MASTER mails every
// notification_email once, with keepalived's subject, through an SMTP server written for the test
// (on 127.0.0.1 inside the router's namespace); and with the SMTP server hanging or gone,
// vigild still becomes MASTER promptly and answers `vigil status`.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { ONE_MASTER } from '../helpers/daemon-configs.js';
import { skipWithout } from '../helpers/needs.js';
import type { ReceivedMail } from '../helpers/smtp-sink.js';
import { header } from '../helpers/smtp-sink.js';

const SINK_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/smtp-sink-main.js');
const SMTP_PORT = 2525;
const MASTER_SUBJECT = '[lb-mail] VRRP Instance VI_1 - Entering MASTER state';

/** VI_1 starts as BACKUP and, alone, becomes MASTER after its Master_Down_Interval (about 0.4 s). */
const config = (port: number, timeout = 30) => `global_defs {
  router_id lb-mail
  notification_email {
    ops@example.com
    noc@example.com
  }
  notification_email_from vigil@example.com
  smtp_server 127.0.0.1 ${port}
  smtp_connect_timeout ${timeout}
  smtp_alert
}
${ONE_MASTER.replace('state MASTER', 'state BACKUP')}`;

/** The test's SMTP server inside the namespace, and the mails it got so far. */
async function startSink(lab: Lab, mode?: 'hang'): Promise<{ child: ChildProcess; mails: ReceivedMail[] }> {
  const child = lab.spawn('r1', [process.execPath, SINK_MAIN, String(SMTP_PORT), ...(mode ? [mode] : [])]);
  const mails: ReceivedMail[] = [];
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code})`)));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('listening')) resolve();
        else mails.push(JSON.parse(line) as ReceivedMail);
      }
    });
  });
  return { child, mails };
}

async function stopSink(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** VI_1's state as `vigil status --json` reports it, and how long the command took. */
async function instanceState(daemon: DaemonProcess): Promise<{ state: string | undefined; ms: number }> {
  const started = performance.now();
  const { code, stdout, stderr } = await vigil(['status', '--json', '--socket', daemon.socket]);
  assert.equal(code, 0, stderr);
  const status = JSON.parse(stdout) as { instances: { name: string; state: string }[] };
  return { state: status.instances.find((i) => i.name === 'VI_1')?.state, ms: performance.now() - started };
}

describe('alert mail from a running vigild', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  let sink: ChildProcess | undefined;
  let daemon: DaemonProcess | undefined;

  before(() => lab.up(1));
  after(async () => {
    await daemon?.cleanup();
    await stopSink(sink);
    await lab.down();
  });

  const run = async (text: string) => {
    await daemon?.cleanup();
    daemon = new DaemonProcess({ netns: lab.ns('r1') });
    daemon.writeConfig(text);
    await daemon.start();
    return daemon;
  };

  test('becoming MASTER sends one mail with keepalived’s subject to every notification_email', async () => {
    const started = await startSink(lab);
    sink = started.child;
    try {
      await masterMailed(started.mails, await run(config(SMTP_PORT)));
    } finally {
      await stopSink(sink);
    }
  });

  const masterMailed = async (mails: ReceivedMail[], running: DaemonProcess) => {
    const started = { mails };
    const masterMails = () => started.mails.filter((m) => header(m.data, 'Subject') === MASTER_SUBJECT);
    await until('the MASTER mail', () => (masterMails().length > 0 ? true : undefined), 10_000).catch((err: Error) =>
      assert.fail(`${err.message}; mails: ${JSON.stringify(started.mails)}; vigild's log:\n${running.log}`),
    );
    // A second mail for the same state would come within a few adverts; none may.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [mail, ...more] = masterMails();
    assert.equal(more.length, 0);
    assert.equal(mail!.from, 'vigil@example.com');
    assert.deepEqual(mail!.to, ['ops@example.com', 'noc@example.com']);
    assert.equal(header(mail!.data, 'To'), 'ops@example.com, noc@example.com');
    assert.equal(header(mail!.data, 'X-Mailer'), 'Keepalived');
    assert.match(mail!.data, /=> VRRP Instance is now owning VRRP VIPs <=/);
    // keepalived mails the BACKUP it starts in too, before MASTER.
    assert.deepEqual(
      started.mails.map((m) => header(m.data, 'Subject')),
      ['[lb-mail] VRRP Instance VI_1 - Entering BACKUP state', MASTER_SUBJECT],
    );
  };

  for (const mode of ['hang', 'closed'] as const) {
    test(`with the SMTP server ${mode === 'hang' ? 'hanging' : 'gone (port closed)'}, vigild becomes MASTER promptly and answers vigil status`, async () => {
      if (mode === 'hang') sink = (await startSink(lab, 'hang')).child;
      const running = await run(config(SMTP_PORT, 30));
      const startedAt = Date.now();
      const { ms } = await until(
        'VI_1 to be MASTER',
        async () => {
          const now = await instanceState(running);
          return now.state === 'MASTER' ? now : undefined;
        },
        5000,
      );
      // Master_Down_Interval is about 0.4 s; the margins are for a busy 2-core host.
      assert.ok(Date.now() - startedAt < 5000);
      assert.ok(ms < 3000, `vigil status took ${ms} ms`);
      // One warning for the outage, not one per mail (BACKUP and MASTER both failed or wait).
      await new Promise((resolve) => setTimeout(resolve, 500));
      const warnings = running.log.split('\n').filter((l) => l.includes('cannot send alert mail'));
      assert.ok(warnings.length <= 1, running.log);
      // Nor does a mail in flight hold up shutdown.
      const stopping = Date.now();
      assert.equal(await running.stop(), 0);
      assert.ok(Date.now() - stopping < 5000, `vigild took ${Date.now() - stopping} ms to stop`);
      await stopSink(sink);
    });
  }
});
