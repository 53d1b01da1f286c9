// The instance and sync-group part of keepalived's data dump (SIGUSR1): each instance's state,
// settings, VIPs and tracking, line for line as keepalived's VRRP Topology section prints it.
import type { InstanceView } from './instance-view.js';
import { ctimeText, epochText, gText } from './keepalived-text.js';

/** uid:gid of the scripts vigild runs (notify and tracking scripts without a user of their own). */
export interface ScriptIds {
  uid: number;
  gid: number;
}

export function instanceLines(i: InstanceView, ids: ScriptIds): string[] {
  return [
    ` VRRP Instance = ${i.name}`,
    `   VRRP Version = ${i.version}`,
    ...(i.syncGroup ? [`   Sync group = ${i.syncGroup}`] : []),
    ...(i.family === 6 ? ['   Using Native IPv6'] : []),
    `   State = ${i.state}`,
    ...masterLines(i),
    ...flagLines(i),
    `   Wantstate = ${i.wantState}`,
    '   Number of config faults = 0',
    `   Number of interface and track script faults = ${i.state === 'FAULT' ? 1 : 0}`,
    '   Number of track scripts init = 0',
    `   Last transition = ${timeText(i.lastTransition ?? new Date(0))}`,
    i.readTimeout ? `   Read timeout = ${timeText(i.readTimeout)}` : '   Read timeout = DISABLED',
    `   Master down timer = ${i.masterDownTimerUs} usecs`,
    `   Interface = ${i.interface}`,
    ...(i.dontTrackPrimary ? ['   VRRP interface tracking disabled'] : []),
    ...(i.skipCheckAdvAddr ? ['   Skip checking advert IP addresses'] : []),
    ...(i.strict ? ['   Enforcing strict VRRP compliance'] : []),
    `   Using src_ip = ${i.sourceAddress ?? '(none)'}${i.sourceFromConfig ? ' (from configuration)' : ''}`,
    ...(i.unicast ? [] : [`   Multicast address ${i.multicastAddress}`]),
    ...garpLines(i),
    `   Send advert after receive lower priority advert = ${!i.lowerPrioNoAdvert}`,
    `   Send advert after receive higher priority advert = ${i.higherPrioSendAdvert}`,
    `   Virtual Router ID = ${i.vrid}`,
    `   Priority = ${i.priority}`,
    `   Effective priority = ${i.effectivePriority}`,
    `   Total priority = ${i.effectivePriority}`,
    i.version === 2
      ? `   Advert interval = ${Math.floor(i.advertIntSeconds)} sec`
      : `   Advert interval = ${Math.round(i.advertIntSeconds * 1000)} milli-sec`,
    ...(i.state === 'BACKUP' && i.version === 3
      ? [`   Master advert interval = ${Math.round(i.masterAdvertIntSeconds * 1000)} milli-sec`]
      : []),
    `   Accept = ${i.accept ? 'enabled' : 'disabled'}`,
    `   Preempt = ${i.nopreempt ? 'disabled' : 'enabled'}`,
    ...(i.preemptDelay ? [`   Preempt delay = ${gText(i.preemptDelay)} secs`] : []),
    '   Promote_secondaries = disabled',
    ...authLines(i),
    ...listLines(`   Virtual IP (${i.vips.length}):`, i.vips),
    ...listLines('   Virtual IP Excluded :', i.excludedVips),
    ...unicastLines(i),
    ...listLines(
      '   Tracked interfaces :',
      i.trackInterfaces.map((t) => `${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`),
    ),
    ...listLines(
      '   Tracked scripts :',
      i.trackScripts.map((t) => `${t.name} weight ${t.weight}${t.reverse ? ' reverse' : ''}`),
    ),
    `   Using smtp notification = ${i.smtpAlert ? 'yes' : 'no'}`,
    '   Notify deleted = Fault',
    ...i.notify.map((n) => notifyLine(n.slot, n.command, ids)),
    '   Notify priority changes = false',
  ];
}

export function notifyLine(slot: string, command: string, ids: ScriptIds): string {
  return `   ${slot} state transition script = ${command}, uid:gid ${ids.uid}:${ids.gid}`;
}

const timeText = (at: Date): string => `${epochText(at)} (${ctimeText(at)})`;

/** A BACKUP knows its master. */
function masterLines(i: InstanceView): string[] {
  if (i.state !== 'BACKUP') return [];
  return [
    `   Master router = ${i.masterAddress ?? '0.0.0.0'}`,
    `   Master priority = ${i.masterPriority}`,
    ...(i.version === 3 ? [`   Master advert int = ${i.masterAdvertIntSeconds.toFixed(2)} sec`] : []),
  ];
}

function flagLines(i: InstanceView): string[] {
  if (!i.hasFlags) return ['   Flags: none'];
  return ['   Flags:', ...(i.unicast ? ['     Using unicast'] : [])];
}

/** The down-timer adverts are keepalived's default: the view does not carry the setting. */
function garpLines(i: InstanceView): string[] {
  return [
    `   Gratuitous ARP delay = ${i.garpDelay}`,
    `   Gratuitous ARP repeat = ${i.garpRepeat}`,
    `   Gratuitous ARP refresh = ${i.garpRefresh}`,
    `   Gratuitous ARP refresh repeat = ${i.garpRefreshRepeat}`,
    `   Gratuitous ARP lower priority delay = ${i.garpLowerPrioDelay}`,
    `   Gratuitous ARP lower priority repeat = ${i.garpLowerPrioRepeat}`,
    '   Down timer adverts = 3',
  ];
}

function authLines(i: InstanceView): string[] {
  // keepalived prints PASS's password but not AH's key.
  if (i.auth?.type === 'AH') return ['   Authentication type = IPSEC_AH'];
  if (i.auth) return ['   Authentication type = SIMPLE_PASSWORD', `   Password = ${i.auth.password}`];
  return i.version === 2 ? ['   Authentication type = none'] : [];
}

function unicastLines(i: InstanceView): string[] {
  if (!i.unicast) return [];
  return [
    // keepalived sends IPv4 unicast with TTL 255 unless unicast_ttl says, and leaves IPv6's hop limit to the kernel.
    ...(i.unicastTtl !== undefined || i.family === 4 ? [`   Unicast TTL = ${i.unicastTtl ?? 255}`] : []),
    `   Check unicast src : ${i.checkUnicastSrc ? 'yes' : 'no'}`,
    '   Unicast Peer :',
    ...i.unicastPeers.map((p) => `     ${p.address} min_ttl ${p.minTtl} max_ttl ${p.maxTtl}`),
    '   Unicast checksum compatibility = no',
  ];
}

/** A heading and its entries, or nothing for an empty list. */
const listLines = (heading: string, entries: string[]): string[] =>
  entries.length === 0 ? [] : [heading, ...entries.map((e) => `     ${e}`)];
