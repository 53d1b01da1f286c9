// How keepalived writes values in its dumps: addresses, commands, times and C's printf numbers,
// so that scripts parsing them read vigild's output as keepalived's.
import type { Command, Vip } from '../../config/index.js';

/** A VIP as keepalived lists it: `198.51.100.200/24 dev eth0 scope global set`. */
export function vipText(vip: Vip, instanceInterface: string, held: boolean): string {
  const parts = [`${vip.address}/${vip.prefix}`];
  const broadcast = vip.family === 4 ? broadcastOf(vip) : undefined;
  if (broadcast) parts.push(`brd ${broadcast}`);
  parts.push(`dev ${vip.dev ?? instanceInterface}`, `scope ${vip.scope ?? 'global'}`);
  if (vip.label) parts.push(`label ${vip.label}`);
  if (vip.family === 6) parts.push(preferredText(vip.preferredLifetime));
  if (held) parts.push('set');
  return parts.join(' ');
}

/** keepalived's words for an IPv6 VIP's preferred lifetime (a /128 is 0 unless configured). */
const preferredText = (seconds: number | undefined): string =>
  seconds === undefined ? 'preferred_lft forever' : seconds === 0 ? 'deprecated' : `preferred_lft ${seconds}`;

/** `brd +` sets the host bits, `brd -` (and no brd) leaves the broadcast unset. */
function broadcastOf(vip: Vip): string | undefined {
  if (vip.brd === undefined || vip.brd === '-') return undefined;
  if (vip.brd !== '+') return vip.brd;
  const value = vip.address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const hostBits = vip.prefix >= 32 ? 0 : 2 ** (32 - vip.prefix) - 1;
  const broadcast = (value | hostBits) >>> 0;
  return [24, 16, 8, 0].map((shift) => (broadcast >>> shift) & 255).join('.');
}

/** keepalived's cmd_str: each word in single quotes, but a leading redirection word bare. */
export function commandText(command: Command): string {
  return command.map((word, i) => (i === 0 && /^[<>]/.test(word) ? word : `'${word}'`)).join(' ');
}

/** `%ld.%6.6ld` of a time: seconds and microseconds (vigil's clock has milliseconds). */
export function epochText(at: Date): string {
  const ms = at.getTime();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** ctime(3) in local time with microseconds before the year: `Tue Dec  1 20:53:05.144470 2026`. */
export function ctimeText(at: Date): string {
  const day = String(at.getDate()).padStart(2, ' ');
  const clock = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  const micros = String(at.getMilliseconds() * 1000).padStart(6, '0');
  return `${DAYS[at.getDay()]} ${MONTHS[at.getMonth()]} ${day} ${clock}.${micros} ${at.getFullYear()}`;
}

/** printf's `%g` for the plain values dumps hold (intervals, delays): six significant digits. */
export function gText(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** printf's `%f`. */
export const fText = (value: number): string => value.toFixed(6);
