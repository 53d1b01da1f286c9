// Strict RFC mode (global vrrp_strict, instance strict_mode) as keepalived 2.2.7 completes an
// instance: what strict mode forbids is reported and reset, never refused, and the settings it
// implies become the defaults. Also the accept mode, whose default strict mode decides.
import type { SourcePos } from '../diagnostics.js';
import type { GlobalDefs, VrrpInstance } from '../types.js';
import type { BuildContext } from './table.js';

/** keepalived's VRRP_DOWN_TIMER_ADVERTS: RFC 5798's three missed adverts. */
const RFC_DOWN_TIMER_ADVERTS = 3;
const ADDRESS_OWNER = 255;

/** Settles `strict` and `accept`, making strict mode's corrections with a warning for each. */
export function resolveStrictMode(instance: VrrpInstance, global: GlobalDefs, ctx: BuildContext): void {
  if (!ctx.sites.has(instance, 'strict_mode')) instance.strict = global.vrrpStrict;
  if (instance.strict) correctForStrictMode(instance, ctx);
  resolveAccept(instance, ctx);
}

function correctForStrictMode(instance: VrrpInstance, ctx: BuildContext): void {
  const { sites } = ctx;
  const at = (keyword: string): SourcePos => sites.get(instance, keyword)?.keyword.pos ?? instance.pos;
  const reset = (keyword: string, why: string) =>
    ctx.warning(
      at(keyword),
      `strict mode (vrrp_strict / strict_mode): ${why}; keepalived resets it, and so does vigil`,
    );

  if (instance.family === 6 && instance.version === 2) {
    reset('version', 'IPv6 cannot run VRRP version 2, so this instance runs version 3');
    instance.version = 3;
  }
  const owner = instance.priority === ADDRESS_OWNER;
  if (sites.has(instance, 'state') && (instance.initialState === 'MASTER') !== owner) {
    reset('state', 'only the address owner (priority 255) starts as MASTER');
    instance.initialState = owner ? 'MASTER' : 'BACKUP';
  }
  if (instance.auth) {
    reset('authentication', 'authentication is not allowed (RFC 5798 removed it), so adverts carry none');
    delete instance.auth;
  }
  if (instance.preemptDelay) {
    reset('preempt_delay', '`preempt_delay` is not allowed');
    instance.preemptDelay = 0;
  }
  if (instance.downTimerAdverts !== RFC_DOWN_TIMER_ADVERTS) {
    reset('down_timer_adverts', `\`down_timer_adverts\` must be ${RFC_DOWN_TIMER_ADVERTS}`);
    instance.downTimerAdverts = RFC_DOWN_TIMER_ADVERTS;
  }
  impliedSettings(instance, ctx, reset);
  const [first] = instance.vips;
  if (instance.family === 6 && instance.unicastPeers.length === 0 && first && !isLinkLocal(first.address)) {
    ctx.warning(
      first.pos,
      'strict mode (vrrp_strict / strict_mode): the first IPv6 VIP must be link-local (fe80::/10)',
    );
  }
}

/**
 * What strict mode sets whatever global_defs says: no repeated gratuitous ARP / NA after a
 * lower-priority master, no answering advert to it, no advert on hearing a higher priority.
 * Only a value written in the instance itself is reported.
 */
function impliedSettings(
  instance: VrrpInstance,
  ctx: BuildContext,
  reset: (keyword: string, why: string) => void,
): void {
  const own = (keyword: string) => ctx.sites.has(instance, keyword);
  if (own('garp_lower_prio_repeat') && instance.garpLowerPrioRepeat)
    reset('garp_lower_prio_repeat', 'no repeated gratuitous ARP / NA');
  if (own('garp_lower_prio_delay') && instance.garpLowerPrioDelay)
    reset('garp_lower_prio_delay', 'no delayed gratuitous ARP / NA');
  if (own('lower_prio_no_advert') && !instance.lowerPrioNoAdvert)
    reset('lower_prio_no_advert', 'no advert in answer to a lower priority');
  if (own('higher_prio_send_advert') && instance.higherPrioSendAdvert)
    reset('higher_prio_send_advert', '`higher_prio_send_advert` must be off');
  instance.garpLowerPrioRepeat = 0;
  instance.garpLowerPrioDelay = 0;
  instance.lowerPrioNoAdvert = true;
  instance.higherPrioSendAdvert = false;
}

/**
 * Unset, accept mode is on for the address owner, otherwise off in strict mode and on without
 * it. RFC 3768 (VRRPv2) has no accept mode, so strict mode turns an asked-for one off there.
 */
function resolveAccept(instance: VrrpInstance, ctx: BuildContext): void {
  const stmt = ctx.sites.get(instance, 'accept') ?? ctx.sites.get(instance, 'no_accept');
  const owner = instance.priority === ADDRESS_OWNER;
  if (!stmt) instance.accept = owner || !instance.strict;
  else if (instance.accept && !owner && instance.strict && instance.version === 2) {
    ctx.warning(
      stmt.keyword.pos,
      'strict mode (vrrp_strict / strict_mode): VRRPv2 (RFC 3768) has no accept mode, so `accept` is off; keepalived resets it, and so does vigil',
    );
    instance.accept = false;
  }
}

const isLinkLocal = (address: string): boolean => /^fe[89ab][0-9a-f]:/i.test(address);
