/**
 * The typed, validated configuration. Every block-level object carries the position of its
 * keyword; times are in seconds; addresses are canonical text (IPv6 compressed, lowercase).
 */
import type { Family } from '../inet/address.js';
import type { ListenAddress } from '../inet/listen-address.js';
import type { SourcePos } from './diagnostics.js';
import type { Route, Rule } from './route-types.js';

export type { Family } from '../inet/address.js';
export type { SourcePos } from './diagnostics.js';
export * from './route-types.js';

/** A script is an argv vector, split from the configured text the way keepalived splits it. */
export type Command = string[];

export interface RunAs {
  user: string;
  group?: string;
}

export interface Config {
  global: GlobalDefs;
  scripts: VrrpScript[];
  trackFiles: TrackFile[];
  trackProcesses: TrackProcess[];
  instances: VrrpInstance[];
  syncGroups: SyncGroup[];
  virtualServerGroups: VirtualServerGroup[];
  virtualServers: VirtualServer[];
  /** static_ipaddress, static_routes, static_rules: set while vigild runs, whatever the VRRP state. */
  staticAddresses: Vip[];
  staticRoutes: Route[];
  staticRules: Rule[];
}

export interface GlobalDefs {
  routerId?: string;
  /** Default VRRP version of instances that do not set `version`. */
  vrrpVersion: 2 | 3;
  garpMasterDelay: number;
  garpMasterRepeat: number;
  /** 0 = no periodic refresh. */
  garpMasterRefresh: number;
  garpMasterRefreshRepeat: number;
  /** The pause between gratuitous ARPs (IPv4) of one burst, in seconds. */
  garpInterval: number;
  /** The pause between unsolicited neighbour adverts (IPv6) of one burst, in seconds. */
  gnaInterval: number;
  /** Defaults of the instances' lower-priority-master answers (see VrrpInstance). */
  garpLowerPrioDelay: number;
  garpLowerPrioRepeat: number;
  lowerPrioNoAdvert: boolean;
  downTimerAdverts: number;
  checkUnicastSrc: boolean;
  /** lvs_timeouts: IPVS connection timeouts set in the kernel at each load; unset ones stay as they are. */
  lvsTimeouts?: LvsTimeouts;
  /** vrrp_startup_delay, in seconds: how long VRRP backups wait after vigild starts before their timers run. */
  vrrpStartupDelay: number;
  /** log_unknown_vrids: log adverts for VRIDs no instance on their interface has. */
  logUnknownVrids: boolean;
  /** vrrp_min_garp: one round of gratuitous ARP / NA on becoming master, no second burst. */
  minGarp: boolean;
  scriptUser?: RunAs;
  enableScriptSecurity: boolean;
  skipCheckAdvAddr: boolean;
  higherPrioSendAdvert: boolean;
  /** vrrp_priority: the nice value VRRP runs at (vigild's main thread); unset leaves it as started. */
  vrrpNice?: number;
  /** checker_priority: the nice value the checks run at (their thread, and the MISC_CHECK scripts it starts). */
  checkerNice?: number;
  /** notify_fifo (`all`: every line), vrrp_notify_fifo, lvs_notify_fifo and their scripts. */
  notifyFifos: Partial<Record<NotifyFifoKind, NotifyFifo>>;
  /** Email alerts: sent only when there is both a server and at least one recipient, as in keepalived. */
  mail: MailSettings;
  /** vrrp_strict: every instance without its own `strict_mode` runs in strict RFC mode. */
  vrrpStrict: boolean;
  /** Where the VIP drop rules of `no_accept` go (global `nftables`, `nftables_priority`, ...). */
  nftables: NftablesSettings;
  /** umask: the mode bits keepalived's dump files leave out; unset, keepalived's 0177 (files 0600). */
  umask?: number;
  /** vigil_metrics_listen (vigil's own): where vigild serves Prometheus /metrics; unset, nowhere. */
  metricsListen?: ListenAddress;
  /** lvs_sync_daemon: IPVS's connection sync daemon, following an instance or not (config/keywords/lvs-sync-daemon.ts). */
  lvsSyncDaemon?: LvsSyncDaemon;
  /** default_interface: where a static_ipaddress without `dev` goes; unset, eth0. */
  defaultInterface?: string;
  /** vrrp_mcast_group4 / vrrp_mcast_group6: where multicast instances send unless mcast_dst_ip says (224.0.0.18, ff02::12). */
  vrrpMcastGroup4: string;
  vrrpMcastGroup6: string;
  /** vmac_prefix: the start of the vmac names use_vmac makes up; unset, `vrrp`. */
  vmacPrefix?: string;
  /** vrrp_notify_priority_changes: what instances do unless they or their sync group say (notifyPriorityChanges). */
  notifyPriorityChanges: boolean;
  /** fifo_write_vrrp_states_on_reload: after a reload, the FIFOs get the states that did not change (see vrrp-service). */
  fifoWriteStatesOnReload: boolean;
  /** startup_script: run once before VRRP and the checks start, which wait for it (up to its timeout). */
  startupScript?: LifecycleScript;
  /** shutdown_script: run once after everything vigild set up has been removed, before it exits. */
  shutdownScript?: LifecycleScript;
  /** Seconds each may run before it is killed (keepalived's default: 10). */
  startupScriptTimeout: number;
  shutdownScriptTimeout: number;
}

export interface LifecycleScript {
  command: Command;
  /** Whom it runs as; unset, script_user. */
  runAs?: RunAs;
  pos: SourcePos;
}

/** Seconds; the kernel's defaults are 900 (tcp), 120 (tcpfin) and 300 (udp). 0 leaves the kernel's value. */
export interface LvsTimeouts {
  /** Established TCP connections. */
  tcp?: number;
  /** TCP connections after a FIN (FIN_WAIT). */
  tcpFin?: number;
  udp?: number;
}

export interface MailSettings {
  /** smtp_server HOST [PORT]; the port defaults to 25. */
  server?: { host: string; port: number };
  /** smtp_helo_name; unset: the host's name. */
  heloName?: string;
  /** smtp_connect_timeout in seconds (keepalived's default: 30). */
  connectTimeout: number;
  /** notification_email { ... }, in order: the envelope's recipients and the To header. */
  to: string[];
  /** notification_email_from; unset: USER@HOSTNAME. */
  from?: string;
  /** smtp_alert, smtp_alert_vrrp, smtp_alert_checker: unset means "not said". */
  alert?: boolean;
  alertVrrp?: boolean;
  alertChecker?: boolean;
  /** no_email_faults: no mail for FAULT transitions. */
  noFaults: boolean;
}

export type NotifyFifoKind = 'all' | 'vrrp' | 'lvs';

/** A notify FIFO, or only its script when the `*_notify_fifo_script` line came without the FIFO. */
export interface NotifyFifo {
  path?: string;
  /** Owner of a FIFO vigild creates; unset: the default script user. */
  owner?: RunAs;
  /** Started once, with the FIFO's path appended, to read it. */
  script?: Command;
  scriptUser?: RunAs;
  pos: SourcePos;
}

export interface VrrpScript {
  name: string;
  pos: SourcePos;
  script: Command;
  interval: number;
  /** Unset means keepalived's default: the interval. */
  timeout?: number;
  weight: number;
  weightReverse: boolean;
  rise: number;
  fall: number;
  user?: RunAs;
  initFail: boolean;
}

export interface TrackFile {
  name: string;
  pos: SourcePos;
  file: string;
  weight: number;
  weightReverse: boolean;
  /** Create the file with this value at startup (always, when `overwrite`). */
  initFile?: { value: number; overwrite: boolean };
}

/** How a vrrp_track_process compares the configured parameters with a process's arguments. */
export type ParamMatch = 'none' | 'exact' | 'partial' | 'initial';

/**
 * vrrp_track_process: how many processes match, and whether that count is within
 * quorum..quorumMax. Matching is keepalived's (see src/track-process/match.ts).
 */
export interface TrackProcess {
  name: string;
  pos: SourcePos;
  /** The process name (comm), or with fullCommand the command's first word (argv[0]). */
  process: string;
  /** The configured arguments after `process`; compared as paramMatch says. */
  params: string[];
  paramMatch: ParamMatch;
  /** Match /proc/PID/cmdline instead of the process name. */
  fullCommand: boolean;
  weight: number;
  weightReverse: boolean;
  quorum: number;
  /** Unset: no upper bound. */
  quorumMax?: number;
  /** Seconds a quorum gained by a fork waits before it counts (0: at once). */
  forkDelay: number;
  /** Seconds a quorum lost by an exit waits before it counts (0: at once). */
  terminateDelay: number;
}

export interface NotifyScripts {
  master?: Command;
  backup?: Command;
  fault?: Command;
  stop?: Command;
  /** `notify`: run on every transition, with type, name, state and priority appended. */
  any?: Command;
}

export interface TrackRef {
  name: string;
  /** Unset: the tracked object's own weight (interfaces: 0, i.e. fault when down). */
  weight?: number;
  /** Unset: the tracked object's own setting. */
  reverse?: boolean;
  pos: SourcePos;
}

export type VipScope = 'global' | 'site' | 'link' | 'host' | 'nowhere';

export interface Vip {
  address: string;
  prefix: number;
  family: Family;
  dev?: string;
  label?: string;
  scope?: VipScope;
  /** Broadcast address, or `+` / `-` to set / clear the host bits. */
  brd?: string;
  /**
   * IPv6: seconds the kernel prefers the address as a source (preferred_lft); unset, forever.
   * keepalived makes a /128 VIP 0 (deprecated) unless told, so that checks and other traffic
   * from the director do not leave from the VIP.
   */
  preferredLifetime?: number;
  /** `no_track`: deleted by someone else while master, it stays deleted. */
  noTrack?: true;
  pos: SourcePos;
}

/** keepalived's vrrp_nftables settings: one table per family, made when first needed. */
export interface NftablesSettings {
  /** The `nftables` keyword was given (keepalived's dump then names the table even if unused). */
  named: boolean;
  /** `nftables [TABLE]`; keepalived's `keepalived` when a firewall is needed but not named. */
  table: string;
  /** The base chains' priority (`nftables_priority`). */
  priority: number;
  /** `nftables_counters`: a counter on each rule. */
  counters: boolean;
  /** `nftables_ifindex`: link-local VIPs always matched with the interface's index, never its name. */
  ifindex: boolean;
}

export interface VrrpInstance {
  name: string;
  pos: SourcePos;
  initialState: 'MASTER' | 'BACKUP';
  interface: string;
  vrid: number;
  priority: number;
  version: 2 | 3;
  advertInt: number;
  family: Family;
  nopreempt: boolean;
  preemptDelay: number;
  unicastSrcIp?: string;
  /** unicast_ttl: the TTL (hop limit) of the unicast adverts; unset, 255. */
  unicastTtl?: number;
  /** min_ttl / max_ttl: the TTL (hop limit) range its adverts must arrive with; either one turns check_unicast_src on. */
  unicastPeers: { address: string; pos: SourcePos; minTtl?: number; maxTtl?: number }[];
  /** notify_master_rx_lower_pri: run (with no arguments added) when, as master, a lower priority's advert arrives. */
  notifyMasterRxLowerPri?: Command;
  /** promote_secondaries: net.ipv4.conf.IF.promote_secondaries on while the instance runs (not with use_vmac, whose vmac has it). */
  promoteSecondaries?: boolean;
  /** lvs_sync_daemon_interface, keepalived 1.x's form of lvs_sync_daemon (resolveLvsSyncDaemon). */
  lvsSyncDaemonInterface?: { name: string; pos: SourcePos };
  /** Where adverts go without unicast peers, and the only group heard: mcast_dst_ip, else the global group of the family. */
  multicastGroup?: string;
  /** VRRPv2 only. AH: keepalived's IPsec AH form, keyed with the password (vrrp/ah.ts). */
  auth?: { type: 'PASS' | 'AH'; password: string };
  vips: Vip[];
  excludedVips: Vip[];
  /** Added on becoming master, removed on leaving it, as the VIPs are. */
  virtualRoutes: Route[];
  virtualRules: Rule[];
  trackInterfaces: TrackRef[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  notify: NotifyScripts;
  garpMasterDelay: number;
  garpMasterRepeat: number;
  garpMasterRefresh: number;
  garpMasterRefreshRepeat: number;
  skipCheckAdvAddr: boolean;
  higherPrioSendAdvert: boolean;
  /**
   * What a master does on hearing a lower-priority master (a healed partition): after its own
   * advert (unless lowerPrioNoAdvert), garpLowerPrioRepeat rounds of gratuitous ARP / NA at once
   * and as many again garpLowerPrioDelay seconds later.
   */
  garpLowerPrioDelay: number;
  garpLowerPrioRepeat: number;
  lowerPrioNoAdvert: boolean;
  /** How many adverts a backup misses before it takes over (Master_Down_Interval's 3). */
  downTimerAdverts: number;
  /** With unicast peers: drop adverts from any other source. */
  checkUnicastSrc: boolean;
  dontTrackPrimary: boolean;
  /** smtp_alert; unset inherits (see alert-mail). */
  smtpAlert?: boolean;
  /** notify_priority_changes: FIFO lines for effective priority changes; unset, the sync group's, then the global one. */
  notifyPriorityChanges?: boolean;
  /**
   * use_vmac: a macvlan over `interface` with the RFC 5798 virtual MAC carries the VIPs and the
   * adverts, so a failover moves no MAC. `name` unset: `<vmac_prefix>.<vrid>`, as keepalived names it.
   */
  vmac?: { name?: string };
  /** vmac_xmit_base: with use_vmac, adverts leave from `interface` itself, not the vmac. */
  vmacXmitBase?: boolean;
  /** strict_mode, else global vrrp_strict: RFC compliance, with keepalived's corrections made. */
  strict: boolean;
  /**
   * Accept mode: a master that is not the address owner answers traffic to its VIPs. Without it
   * the VIPs get drop rules in nftables while held (keepalived's default only in strict mode).
   */
  accept: boolean;
}

export interface LvsSyncDaemon {
  interface: string;
  /** The vrrp_instance whose state it follows; unset, both the master and the backup daemon run. */
  instance?: string;
  /** Settled once the file is read: the instance's VRID unless written, 0 without an instance. */
  syncId?: number;
  maxlen?: number;
  port?: number;
  ttl?: number;
  group?: string;
  pos: SourcePos;
}

export interface SyncGroup {
  name: string;
  pos: SourcePos;
  members: string[];
  /** The group's own tracking: applies to every member, with its weights (vrrp/tracking.ts). */
  trackInterfaces: TrackRef[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  /** sync_group_tracking_weight (global_tracking): members keep their own weights. */
  trackingWeight: boolean;
  notify: NotifyScripts;
  smtpAlert?: boolean;
  notifyPriorityChanges?: boolean;
}

export type VirtualServerGroupEntry =
  | { kind: 'ip'; address: string; family: Family; port: number; pos: SourcePos }
  | { kind: 'range'; first: string; last: string; family: Family; port: number; pos: SourcePos }
  /** `family` only when written (`fwmark 1 inet6`), for groups whose real servers are all tunnelled. */
  | { kind: 'fwmark'; mark: number; family?: Family; pos: SourcePos };

export interface VirtualServerGroup {
  name: string;
  pos: SourcePos;
  entries: VirtualServerGroupEntry[];
}

export type VirtualServerKey =
  | { kind: 'ip'; address: string; family: Family; port: number }
  | { kind: 'fwmark'; mark: number; family: Family }
  | { kind: 'group'; name: string };

export const SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

export type LbKind = 'NAT' | 'DR' | 'TUN';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Check timing that a virtual server or real server may set as a default for its checkers. */
export interface CheckDefaults {
  connectTimeout?: number;
  retry?: number;
  delayBeforeRetry?: number;
  warmup?: number;
  delayLoop?: number;
  alpha?: boolean;
  virtualhost?: string;
}

export interface VirtualServer extends CheckDefaults {
  pos: SourcePos;
  key: VirtualServerKey;
  /** UDP when not written, as keepalived programs it; fwmark services have no protocol and ignore it. */
  protocol: Protocol;
  scheduler: Scheduler;
  schedFlags: { shPort: boolean; shFallback: boolean; mhPort: boolean; mhFallback: boolean };
  lbKind: LbKind;
  persistenceTimeout?: number;
  /** Netmask (IPv4 dotted) or prefix length (IPv6) grouping clients for persistence. */
  persistenceGranularity?: string;
  delayLoop: number;
  haSuspend: boolean;
  /** `ops`: IPVS one-packet scheduling, each UDP datagram balanced on its own. */
  onePacket: boolean;
  alpha: boolean;
  omega: boolean;
  quorum: number;
  hysteresis: number;
  quorumUp?: Command;
  quorumDown?: Command;
  sorryServer?: { address: string; port: number; family: Family; pos: SourcePos };
  sorryServerInhibit: boolean;
  inhibitOnFailure: boolean;
  realServers: RealServer[];
  smtpAlert?: boolean;
}

export interface RealServer extends CheckDefaults {
  pos: SourcePos;
  address: string;
  family: Family;
  port: number;
  weight: number;
  inhibitOnFailure: boolean;
  notifyUp?: Command;
  notifyDown?: Command;
  uthreshold?: number;
  lthreshold?: number;
  checkers: Checker[];
  smtpAlert?: boolean;
}

/** Timing every checker has; unset keywords are inherited from the real, then virtual server. */
export interface CheckerTiming {
  pos: SourcePos;
  retry: number;
  delayBeforeRetry: number;
  /** Upper bound of the random delay before the first check; 0 disables it. */
  warmup: number;
  delayLoop: number;
  alpha: boolean;
}

/** Where a network checker connects from and to; unset means the real server's address and port. */
export interface ConnectionOptions {
  connectIp?: string;
  connectPort?: number;
  bindTo?: string;
  bindPort?: number;
  bindIf?: string;
  fwmark?: number;
}

export interface NetworkChecker extends CheckerTiming, ConnectionOptions {
  connectTimeout: number;
}

export interface HttpUrl {
  path: string;
  /** Lowercase hex MD5 of the body. */
  digest?: string;
  /** Accepted status codes with ranges expanded; unset means 200-299. */
  statusCodes?: number[];
  virtualhost?: string;
  /** keepalived's `regex` and its companions: the body must (or, with noMatch, must not) match. */
  regex?: BodyRegex;
  pos: SourcePos;
}

/** The `regex_options` vigil can honour: JavaScript RegExp has these (`i`, `m`, `s`, `u`). */
export const REGEX_OPTIONS = ['caseless', 'multiline', 'dotall', 'utf'] as const;
export type RegexOption = (typeof REGEX_OPTIONS)[number];

export interface BodyRegex {
  /** The pattern as written; checked to compile with `options` when the config is read. */
  pattern: string;
  options: RegexOption[];
  /** regex_no_match: the URL passes when the body does NOT match. */
  noMatch: boolean;
  /** regex_min_offset: a match must start at or after this offset of the body. */
  minOffset?: number;
  /** regex_max_offset: a match must start at or before this offset of the body. */
  maxOffset?: number;
}

/** keepalived's http_protocol: the request line's version, and 1.0C / 1.1 add `Connection: close`. */
export const HTTP_PROTOCOLS = ['1.0', '1.0C', '1.1'] as const;
export type HttpProtocol = (typeof HTTP_PROTOCOLS)[number];

export interface TcpCheck extends NetworkChecker {
  type: 'TCP_CHECK';
}

export interface HttpCheck extends NetworkChecker {
  type: 'HTTP_GET' | 'SSL_GET';
  urls: HttpUrl[];
  virtualhost?: string;
  httpProtocol: HttpProtocol;
  enableSni: boolean;
}

export interface MiscCheck extends CheckerTiming {
  type: 'MISC_CHECK';
  path: Command;
  timeout: number;
  /** Exit codes 2..255 set the weight to code - 2. */
  dynamic: boolean;
  user?: RunAs;
}

export interface SmtpHost extends ConnectionOptions {
  pos: SourcePos;
}

export interface SmtpCheck extends NetworkChecker {
  type: 'SMTP_CHECK';
  heloName?: string;
  /** Legacy `host { ... }` blocks: each checked as an SMTP_CHECK of its own (all must pass). */
  hosts: SmtpHost[];
}

export const DNS_QUERY_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;
export type DnsQueryType = (typeof DNS_QUERY_TYPES)[number];

export interface DnsCheck extends NetworkChecker {
  type: 'DNS_CHECK';
  queryType: DnsQueryType;
  name: string;
}

export interface UdpCheck extends NetworkChecker {
  type: 'UDP_CHECK';
  /** Lowercase hex of the datagram to send; unset sends keepalived's 32 bytes of "keepalived check - ". */
  payload?: string;
  /** A reply is required; `pattern` (hex, `x` = any nibble) must match its start. */
  requireReply?: { pattern?: string };
  minReplyLength: number;
  maxReplyLength: number;
}

export interface PingCheck extends NetworkChecker {
  type: 'PING_CHECK';
}

/**
 * A real server tracks a track_file's value (keepalived watches the file): no schedule, no
 * retries, no alpha; the verdict follows the file. `track.weight` and `track.reverse` unset:
 * the track_file's own.
 */
export interface FileCheck {
  type: 'FILE_CHECK';
  pos: SourcePos;
  track: TrackRef;
}

export type Checker = TcpCheck | HttpCheck | MiscCheck | SmtpCheck | DnsCheck | UdpCheck | PingCheck | FileCheck;
export type CheckerType = Checker['type'];
export const CHECKER_TYPES: readonly CheckerType[] = [
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'MISC_CHECK',
  'SMTP_CHECK',
  'DNS_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
];
