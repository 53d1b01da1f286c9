// sd_notify(3) without libsystemd: systemd starts a Type=notify service with $NOTIFY_SOCKET set
// and waits for READY=1 on it before `systemctl start` returns; STOPPING=1 and RELOADING=1 tell
// it what the service is doing. Without $NOTIFY_SOCKET (not under systemd) nothing is sent.
import { sendUnixDatagram } from '../net/native.js';
import type { Logger } from './logger.js';

export type NotifySend = (socket: string, message: Buffer) => void;

/** CLOCK_MONOTONIC in microseconds, which RELOADING=1 carries for Type=notify-reload units. */
const monotonicMicros = (): bigint => process.hrtime.bigint() / 1000n;

export class SystemdNotifier {
  constructor(
    private readonly socket: string | undefined,
    private readonly log: Logger,
    private readonly send: NotifySend = sendUnixDatagram,
  ) {}

  ready(): void {
    this.notify('READY=1');
  }

  stopping(): void {
    this.notify('STOPPING=1');
  }

  reloading(): void {
    this.notify(`RELOADING=1\nMONOTONIC_USEC=${monotonicMicros()}`);
  }

  /** A lost message leaves systemd waiting until its timeout, which it then reports: logged, not fatal. */
  private notify(message: string): void {
    if (!this.socket) return;
    try {
      this.send(this.socket, Buffer.from(message));
    } catch (err) {
      this.log.warn({ err, socket: this.socket }, `systemd notify ${message.split('\n')[0]} not sent`);
    }
  }
}
