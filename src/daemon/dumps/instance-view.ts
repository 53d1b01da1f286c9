// One VRRP instance as keepalived's dumps describe it: the config and the runtime status read
// into keepalived's vocabulary once, so that the data, stats and JSON formatters only lay it out.
// Pure: the caller passes the clocks.
import type { Config, NotifyScripts, Vip, VrrpInstance } from '../../config/index.js';
import { VRRP_MULTICAST } from '../../inet/vrrp-wire.js';
import { vrrpAlerts } from '../../scripts/alert-mail.js';
import type { InstanceCounters, InstanceStatus } from '../../vrrp/instance.js';
import type { VrrpState } from '../../vrrp/machine.js';
import type { DropReason } from '../../vrrp/packet.js';
import { commandText, vipText } from './keepalived-text.js';

/** keepalived's vrrp_stats, as its stats and JSON dumps name them, in their order. */
export interface KeepalivedStats {
  advert_rcvd: number;
  advert_sent: number;
  become_master: number;
  release_master: number;
  packet_len_err: number;
  advert_interval_err: number;
  ip_ttl_err: number;
  invalid_type_rcvd: number;
  addr_list_err: number;
  invalid_authtype: number;
  authtype_mismatch: number;
  auth_failure: number;
  pri_zero_rcvd: number;
  pri_zero_sent: number;
}

export interface TrackedView {
  name: string;
  weight: number;
  reverse: boolean;
}

export interface InstanceView {
  name: string;
  version: 2 | 3;
  family: 4 | 6;
  syncGroup?: string;
  state: VrrpState;
  /** Where keepalived is headed: vigil's machine moves at once, so the state itself. */
  wantState: VrrpState;
  masterAddress?: string;
  masterPriority: number;
  masterAdvertIntSeconds: number;
  /** keepalived's vrrp->flags is non-zero (it prints "Flags: none" otherwise). */
  hasFlags: boolean;
  unicast: boolean;
  /** unicast_ttl, if set; check_unicast_src (which min_ttl / max_ttl imply). */
  unicastTtl?: number;
  checkUnicastSrc: boolean;
  lastTransition?: Date;
  /** When the instance's timer fires next (wall clock). */
  readTimeout?: Date;
  masterDownTimerUs: number;
  interface: string;
  dontTrackPrimary: boolean;
  skipCheckAdvAddr: boolean;
  strict: boolean;
  sourceAddress?: string;
  sourceFromConfig: boolean;
  /** As keepalived writes it: IPv6's with the interface index it is scoped to. */
  multicastAddress: string;
  garpDelay: number;
  garpRepeat: number;
  garpRefresh: number;
  garpRefreshRepeat: number;
  higherPrioSendAdvert: boolean;
  /** What a master does on hearing a lower priority (strict mode sets them: see strict-mode.ts). */
  garpLowerPrioDelay: number;
  garpLowerPrioRepeat: number;
  lowerPrioNoAdvert: boolean;
  vrid: number;
  priority: number;
  effectivePriority: number;
  advertIntSeconds: number;
  /** Accept mode as resolved (strict-mode.ts): without it a master drops traffic to its VIPs. */
  accept: boolean;
  nopreempt: boolean;
  preemptDelay: number;
  /** VRRPv2 authentication: PASS's password, or AH's key. */
  auth?: { type: 'PASS' | 'AH'; password: string };
  /** keepalived's text of each VIP, with " set" while the instance holds them. */
  vips: string[];
  excludedVips: string[];
  /** With the TTL range each peer's adverts must arrive in (keepalived's defaults 0 and 255). */
  unicastPeers: { address: string; minTtl: number; maxTtl: number }[];
  trackInterfaces: TrackedView[];
  trackScripts: (TrackedView & { command: string })[];
  smtpAlert: boolean;
  /** keepalived's script slots that are set, by its names (Backup, Master, Fault, Stop, Generic). */
  notify: { slot: 'Backup' | 'Master' | 'Fault' | 'Stop' | 'Generic' | 'Master rx lower pri'; command: string }[];
  stats: KeepalivedStats;
}

export interface ViewClocks {
  /** Wall clock, ms since the epoch. */
  wallNow: number;
  /** The engine's monotonic clock (processClock), ms: the machine's deadlines are on it. */
  monotonicNow: number;
}

/** What the dumps say of the host: an interface's index (keepalived scopes IPv6 multicast to it). */
export interface ViewHost {
  ifindex(name: string): number | undefined;
}

/** Every configured instance, in config order, with what the engine reports of it. */
export function instanceViews(
  config: Config,
  live: readonly InstanceStatus[],
  clocks: ViewClocks,
  host: ViewHost,
): InstanceView[] {
  const running = new Map(live.map((s) => [s.name, s]));
  const groupOf = new Map(config.syncGroups.flatMap((g) => g.members.map((m) => [m, g.name])));
  return config.instances.map((inst) =>
    instanceView(inst, config, running.get(inst.name), groupOf.get(inst.name), clocks, host),
  );
}

function instanceView(
  inst: VrrpInstance,
  config: Config,
  live: InstanceStatus | undefined,
  syncGroup: string | undefined,
  clocks: ViewClocks,
  host: ViewHost,
): InstanceView {
  const state = live?.state ?? 'INIT';
  const holdsVips = state === 'MASTER';
  const vipLine = (vip: Vip) => vipText(vip, inst.interface, holdsVips);
  return {
    name: inst.name,
    version: inst.version,
    family: inst.family,
    syncGroup,
    state,
    wantState: state,
    masterAddress: live?.masterAddress,
    masterPriority: state === 'MASTER' ? 0 : (live?.masterPriority ?? 0),
    masterAdvertIntSeconds: (live?.masterAdvertIntervalCs ?? Math.round(inst.advertInt * 100)) / 100,
    hasFlags: hasKeepalivedFlags(inst),
    unicast: inst.unicastPeers.length > 0,
    ...(inst.unicastTtl !== undefined && { unicastTtl: inst.unicastTtl }),
    checkUnicastSrc: inst.checkUnicastSrc,
    lastTransition: live?.lastTransition?.at,
    readTimeout:
      live?.nextDeadline === undefined ? undefined : new Date(clocks.wallNow + live.nextDeadline - clocks.monotonicNow),
    masterDownTimerUs: Math.floor((live?.masterDownIntervalMs ?? 0) * 1000),
    interface: inst.interface,
    dontTrackPrimary: inst.dontTrackPrimary,
    skipCheckAdvAddr: inst.skipCheckAdvAddr,
    strict: inst.strict,
    sourceAddress: inst.unicastSrcIp ?? live?.sourceAddress,
    sourceFromConfig: inst.unicastSrcIp !== undefined,
    multicastAddress: multicastAddressOf(inst, host),
    garpDelay: inst.garpMasterDelay,
    garpRepeat: inst.garpMasterRepeat,
    garpRefresh: inst.garpMasterRefresh,
    garpRefreshRepeat: inst.garpMasterRefreshRepeat,
    higherPrioSendAdvert: inst.higherPrioSendAdvert,
    garpLowerPrioDelay: inst.garpLowerPrioDelay,
    garpLowerPrioRepeat: inst.garpLowerPrioRepeat,
    lowerPrioNoAdvert: inst.lowerPrioNoAdvert,
    vrid: inst.vrid,
    priority: inst.priority,
    effectivePriority: live?.effectivePriority ?? inst.priority,
    advertIntSeconds: inst.advertInt,
    accept: inst.accept,
    nopreempt: inst.nopreempt,
    preemptDelay: inst.preemptDelay,
    auth: inst.auth,
    vips: inst.vips.map(vipLine),
    excludedVips: inst.excludedVips.map(vipLine),
    unicastPeers: inst.unicastPeers.map((p) => ({
      address: p.address,
      minTtl: p.minTtl ?? 0,
      maxTtl: p.maxTtl ?? 255,
    })),
    trackInterfaces: trackedInterfaces(inst),
    trackScripts: trackedScripts(inst, config),
    smtpAlert: vrrpAlerts(inst.smtpAlert, config.global.mail),
    notify: [
      ...notifySlots(inst.notify),
      ...(inst.notifyMasterRxLowerPri
        ? [{ slot: 'Master rx lower pri' as const, command: commandText(inst.notifyMasterRxLowerPri) }]
        : []),
    ],
    stats: keepalivedStats(live?.counters),
  };
}

/**
 * The vrrp->flags bits keepalived sets for what vigil configures: unicast, dont_track_primary,
 * skip_check_adv_addr, unicast_src_ip, nopreempt, and excluded VIPs of the other family.
 */
function hasKeepalivedFlags(inst: VrrpInstance): boolean {
  return (
    inst.unicastPeers.length > 0 ||
    inst.dontTrackPrimary ||
    inst.skipCheckAdvAddr ||
    inst.unicastSrcIp !== undefined ||
    inst.nopreempt ||
    inst.excludedVips.some((v) => v.family !== inst.family)
  );
}

/** keepalived drops its own interface from the list when it would fault on it anyway (weight 0). */
function trackedInterfaces(inst: VrrpInstance): TrackedView[] {
  return inst.trackInterfaces
    .map((t) => ({ name: t.name, weight: t.weight ?? 0, reverse: t.reverse ?? false }))
    .filter((t) => !(t.name === inst.interface && t.weight === 0));
}

function trackedScripts(inst: VrrpInstance, config: Config): InstanceView['trackScripts'] {
  return inst.trackScripts.flatMap((ref) => {
    const script = config.scripts.find((s) => s.name === ref.name);
    if (!script) return [];
    return [
      {
        name: ref.name,
        weight: ref.weight ?? script.weight,
        reverse: ref.reverse ?? script.weightReverse,
        command: commandText(script.script),
      },
    ];
  });
}

/** keepalived's notify scripts of an instance or a sync group, by its slot names, those set only. */
export function notifySlots(notify: NotifyScripts): InstanceView['notify'] {
  const { backup, master, fault, stop, any } = notify;
  const slots = [
    ['Backup', backup],
    ['Master', master],
    ['Fault', fault],
    ['Stop', stop],
    ['Generic', any],
  ] as const;
  return slots.flatMap(([slot, command]) => (command ? [{ slot, command: commandText(command) }] : []));
}

/** vigil's counters under keepalived's names; vigil's finer drop reasons summed into its coarser ones. */
export function keepalivedStats(counters: InstanceCounters | undefined): KeepalivedStats {
  const drops = (...reasons: DropReason[]) => reasons.reduce((n, r) => n + (counters?.drops[r] ?? 0), 0);
  return {
    advert_rcvd: counters?.advertsReceived ?? 0,
    advert_sent: counters?.advertsSent ?? 0,
    become_master: counters?.becameMaster ?? 0,
    release_master: counters?.releasedMaster ?? 0,
    packet_len_err: drops('too_short', 'bad_length'),
    advert_interval_err: drops('interval_mismatch', 'bad_interval'),
    ip_ttl_err: drops('bad_ttl'),
    invalid_type_rcvd: drops('bad_type'),
    addr_list_err: drops('address_mismatch'),
    invalid_authtype: drops('bad_auth_type'),
    authtype_mismatch: drops('auth_type_mismatch'),
    // keepalived counts a replayed AH sequence number as an authentication failure too.
    auth_failure: drops('auth_mismatch', 'ah_replayed'),
    pri_zero_rcvd: counters?.priorityZeroReceived ?? 0,
    pri_zero_sent: counters?.priorityZeroSent ?? 0,
  };
}

/** The instance's multicast group (the dump leaves it out for unicast instances, which have none). */
function multicastAddressOf(inst: VrrpInstance, host: ViewHost): string {
  const group = inst.multicastGroup ?? VRRP_MULTICAST[inst.family];
  return inst.family === 4 ? group : `${group}, ifindex ${host.ifindex(inst.interface) ?? 0}`;
}
