// Sends alert mails without ever holding up VRRP or the checks: `send` only queues, one mail is
// in flight at a time, every SMTP step is bounded by smtp_connect_timeout, and a queue that
// fills while the server is down or hanging drops the newest mails and counts them. An outage
// is logged when it starts and when it ends, not once per mail.
import { hostname, userInfo } from 'node:os';
import nodemailer from 'nodemailer';
import type { MailSettings } from '../config/index.js';
import type { Logger } from '../daemon/logger.js';
import { type AlertMail, mailConfigured } from './alert-mail.js';

/** Enough for a burst of transitions (every instance and group of a host at once). */
const DEFAULT_QUEUE = 64;

export interface MailSender {
  send(mail: AlertMail): void;
  /** Drops what is queued; the mail in flight finishes or times out on its own. */
  close(): void;
}

export class SmtpAlertSender implements MailSender {
  private readonly queue: AlertMail[] = [];
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  private readonly from: string;
  private sending = false;
  private closed = false;
  /** Set while the server is failing: the outage's first error is logged, the rest counted. */
  private outage: { dropped: number; failed: number } | undefined;
  private dropped = 0;

  constructor(
    private readonly mail: MailSettings & { server: NonNullable<MailSettings['server']> },
    private readonly log: Logger,
    private readonly maxQueued = DEFAULT_QUEUE,
  ) {
    const timeout = mail.connectTimeout * 1000;
    this.from = mail.from ?? `${userInfo().username}@${hostname()}`;
    this.transport = nodemailer.createTransport({
      host: mail.server.host,
      port: mail.server.port,
      name: mail.heloName ?? hostname(),
      // keepalived speaks plain SMTP; a STARTTLS offer must not turn into a failed handshake.
      ignoreTLS: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  send(mail: AlertMail): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      if (this.outage) this.outage.dropped++;
      return;
    }
    this.queue.push(mail);
    void this.drain();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.transport.close();
  }

  /** Mails dropped because the queue was full, since start. */
  droppedCount(): number {
    return this.dropped;
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let next = this.queue.shift(); next && !this.closed; next = this.queue.shift()) await this.deliver(next);
    } finally {
      this.sending = false;
    }
  }

  private async deliver(mail: AlertMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: this.mail.to.join(', '),
        subject: mail.subject,
        text: mail.body,
        headers: { 'X-Mailer': 'Keepalived' },
      });
      this.recovered();
    } catch (err) {
      this.failed(err as Error);
    }
  }

  private failed(err: Error): void {
    if (this.outage) {
      this.outage.failed++;
      return;
    }
    this.outage = { dropped: 0, failed: 1 };
    const { host, port } = this.mail.server;
    this.log.warn(
      { smtpServer: `${host}:${port}`, err: err.message },
      `cannot send alert mail through ${host}:${port}: ${err.message}; further failures are counted until it works again`,
    );
  }

  private recovered(): void {
    if (!this.outage) return;
    const { failed, dropped } = this.outage;
    this.outage = undefined;
    this.log.info(
      { failed, dropped },
      `alert mail works again; during the outage ${failed} mails failed and ${dropped} were dropped`,
    );
  }
}

/** The sender for a config: nothing is sent when keepalived would send nothing. */
export function alertSender(mail: MailSettings, log: Logger): MailSender {
  const { server } = mail;
  if (!server || !mailConfigured(mail)) return { send: () => {}, close: () => {} };
  return new SmtpAlertSender({ ...mail, server }, log);
}
