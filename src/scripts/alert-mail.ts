// The email alerts keepalived 2.2.7 sends, built from the config and an event: who gets mail
// (smtp_alert and its inheritance), and the subject and body, word for word as keepalived has
// them, so that mail filters written for keepalived keep matching. Sending is mail-sender's.
import type { CheckerType, MailSettings, RealServer, VirtualServer } from '../config/index.js';
import { realServerText, virtualServerText } from './fifo-lines.js';
import type { NotifyState } from './notify.js';

export interface AlertMail {
  subject: string;
  body: string;
}

/** keepalived sends nothing unless both an SMTP server and at least one recipient are set. */
export const mailConfigured = (mail: MailSettings): boolean => mail.server !== undefined && mail.to.length > 0;

/** An instance or sync group without its own smtp_alert: smtp_alert_vrrp, else smtp_alert, else no mail. */
export const vrrpAlerts = (own: boolean | undefined, mail: MailSettings): boolean =>
  own ?? mail.alertVrrp ?? mail.alert ?? false;

/** A real server without its own smtp_alert: smtp_alert_checker, else smtp_alert, else mail (keepalived's old default). */
export const realServerAlerts = (rs: RealServer, mail: MailSettings): boolean =>
  rs.smtpAlert ?? mail.alertChecker ?? mail.alert ?? true;

/** A virtual server without its own smtp_alert: smtp_alert_checker, else smtp_alert, else no mail. */
export const virtualServerAlerts = (vs: VirtualServer, mail: MailSettings): boolean =>
  vs.smtpAlert ?? mail.alertChecker ?? mail.alert ?? false;

const INSTANCE_BODY: Partial<Record<NotifyState, string>> = {
  MASTER: '=> VRRP Instance is now owning VRRP VIPs <=',
  BACKUP: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  FAULT: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  STOP: '=> VRRP Instance stopping <=',
};

const GROUP_BODY: Partial<Record<NotifyState, string>> = {
  MASTER: '=> All VRRP group instances are now in MASTER state <=',
  BACKUP: '=> All VRRP group instances are now in BACKUP state <=',
  FAULT: '=> All VRRP group instances are now in FAULT state <=',
  STOP: '=> All VRRP group instances are now stopping <=',
};

const stateWords = (state: NotifyState): string => (state === 'STOP' ? 'Stopping' : `Entering ${state} state`);

/** `[router] VRRP Instance VI_1 - Entering MASTER state` or `[router] VRRP Group G - ...`; undefined for states keepalived does not mail. */
export function vrrpMail(
  routerId: string,
  kind: 'instance' | 'group',
  name: string,
  state: NotifyState,
): AlertMail | undefined {
  const body = (kind === 'instance' ? INSTANCE_BODY : GROUP_BODY)[state];
  if (!body) return undefined;
  const what = kind === 'instance' ? 'VRRP Instance' : 'VRRP Group';
  return { subject: `[${routerId}] ${what} ${name} - ${stateWords(state)}`, body };
}

/** What each checker writes when it takes a real server up or down; checkers not listed use keepalived's generic words. */
const CHECKER_WORDS: Partial<Record<CheckerType, { up: string; down: string }>> = {
  TCP_CHECK: { up: '=> TCP CHECK succeed on service <=', down: '=> TCP CHECK failed on service <=' },
  UDP_CHECK: { up: '=> UDP CHECK succeed on service <=', down: '=> UDP CHECK failed on service <=' },
  PING_CHECK: { up: '=> ICMP CHECK succeed on service <=', down: '=> ICMP CHECK failed on service <=' },
  DNS_CHECK: { up: '=> DNS_CHECK: succeed on service <=', down: '=> DNS_CHECK: failed on service <=' },
  HTTP_GET: { up: '=> CHECK succeed on service <=', down: '=> CHECK failed on service : HTTP request failed <=' },
  SSL_GET: { up: '=> CHECK succeed on service <=', down: '=> CHECK failed on service : HTTP request failed <=' },
  MISC_CHECK: { up: '=> MISC CHECK succeeded on service <=', down: '=> MISC CHECK failed on service <=' },
};
const GENERIC_WORDS = { up: '=> CHECK succeed on service <=', down: '=> CHECK failed on service <=' };

/**
 * `[router] Realserver [203.0.113.21]:tcp:80 of virtual server [198.51.100.80]:tcp:80 - UP`.
 * `checker` is the type of the check that decided (a down verdict's reason names it).
 */
export function realServerMail(
  routerId: string,
  rs: RealServer,
  vs: VirtualServer,
  up: boolean,
  checker: CheckerType | undefined,
): AlertMail {
  const words = (checker && CHECKER_WORDS[checker]) ?? GENERIC_WORDS;
  return {
    subject: `[${routerId}] Realserver ${realServerText(rs, vs)} of virtual server ${virtualServerText(vs)} - ${up ? 'UP' : 'DOWN'}`,
    body: up ? words.up : words.down,
  };
}

/**
 * `[router] Virtualserver [198.51.100.80]:tcp:80 - DOWN`, the body with the threshold crossed
 * (quorum + hysteresis to gain, quorum - hysteresis to lose), written `Q+H=T` either way as
 * keepalived writes it.
 */
export function virtualServerMail(routerId: string, vs: VirtualServer, holds: boolean, weight: number): AlertMail {
  const threshold = vs.quorum + (holds ? 1 : -1) * vs.hysteresis;
  return {
    subject: `[${routerId}] Virtualserver ${virtualServerText(vs)} - ${holds ? 'UP' : 'DOWN'}`,
    body: `=> ${holds ? 'Gained' : 'Lost'} quorum ${vs.quorum}+${vs.hysteresis}=${threshold} <= ${weight} <=`,
  };
}
