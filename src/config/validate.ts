import { parseIp } from '../inet/address.js';
import { ownMulticastGroup } from '../inet/vrrp-wire.js';
import { type DiagnosticSink, formatPos, type SourcePos } from './diagnostics.js';
import { Sites } from './keywords/table.js';
import type { Token } from './lexer.js';
import { closestMatch } from './suggest.js';
import type { Config, TrackRef, VirtualServer, VirtualServerGroup, VrrpInstance } from './types.js';

export interface ValidateOptions {
  /** Host interface name → its addresses; enables interface and address-owner checks. */
  interfaces?: ReadonlyMap<string, readonly string[]>;
}

const familyName = (family: 4 | 6): string => `IPv${family}`;

/** What every rule reads and where it reports. */
class Validation {
  constructor(
    readonly config: Config,
    readonly sites: Sites,
    readonly sink: DiagnosticSink,
    readonly interfaces: ReadonlyMap<string, readonly string[]> | undefined,
  ) {}

  /** Position of the value of `keyword` on `target`, else of the keyword, else `fallback`. */
  valuePos(target: object, keyword: string, fallback: SourcePos): SourcePos {
    const stmt = this.sites.get(target, keyword);
    return stmt?.args[0]?.pos ?? stmt?.keyword.pos ?? fallback;
  }

  namePos(item: { pos: SourcePos }): SourcePos {
    return this.valuePos(item, Sites.DEFINITION, item.pos);
  }
}

/** Cross-object rules: references, uniqueness and the VRRP constraints that span keywords. */
export function validateConfig(config: Config, sites: Sites, sink: DiagnosticSink, opts: ValidateOptions = {}): void {
  const v = new Validation(config, sites, sink, opts.interfaces);
  const scripts = uniqueNames(v, config.scripts, 'vrrp_script');
  const trackFiles = uniqueNames(v, config.trackFiles, 'track_file');
  const trackProcesses = uniqueNames(v, config.trackProcesses, 'vrrp_track_process');
  const instances = uniqueNames(v, config.instances, 'vrrp_instance');
  uniqueNames(v, config.syncGroups, 'vrrp_sync_group');
  const groups = uniqueNames(v, config.virtualServerGroups, 'virtual_server_group');

  const vrids = new Map<string, VrrpInstance>();
  for (const instance of config.instances) {
    validateInstance(v, instance);
    uniqueVrid(v, instance, vrids);
    checkRefs(v, instance.trackScripts, scripts, 'track_script', 'vrrp_script');
    checkRefs(v, instance.trackFiles, trackFiles, 'track_file', 'track_file');
    checkRefs(v, instance.trackProcesses, trackProcesses, 'track_process', 'vrrp_track_process');
  }
  for (const group of config.syncGroups) {
    checkRefs(v, group.trackScripts, scripts, 'track_script', 'vrrp_script');
    checkRefs(v, group.trackFiles, trackFiles, 'track_file', 'track_file');
    checkRefs(v, group.trackProcesses, trackProcesses, 'track_process', 'vrrp_track_process');
    for (const track of group.trackInterfaces) knownInterface(v, track.name, track.pos);
  }
  validateSyncGroups(v, instances);
  const { defaultInterface } = config.global;
  const defaultAt = sites.get(config.global, 'default_interface')?.args[0]?.pos;
  if (defaultInterface && defaultAt) knownInterface(v, defaultInterface, defaultAt);
  const syncDaemon = config.global.lvsSyncDaemon;
  if (syncDaemon) knownInterface(v, syncDaemon.interface, syncDaemon.pos);
  for (const vs of config.virtualServers) validateVirtualServer(v, vs, groups);
  const fileChecks = config.virtualServers.flatMap((vs) =>
    vs.realServers.flatMap((rs) =>
      rs.checkers.flatMap((c) => (c.type === 'FILE_CHECK' && c.track.name ? [c.track] : [])),
    ),
  );
  checkRefs(v, fileChecks, trackFiles, 'track_file', 'track_file');
}

/** The items by name; each later one with a name already taken is an error. */
function uniqueNames<T extends { name: string; pos: SourcePos }>(
  v: Validation,
  items: readonly T[],
  what: string,
): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    const first = byName.get(item.name);
    if (first) {
      v.sink.error(
        v.namePos(item),
        `${what} \`${item.name}\` is already defined at ${formatPos(first.pos)}; names must be unique`,
      );
    } else {
      byName.set(item.name, item);
    }
  }
  return byName;
}

function checkRefs(
  v: Validation,
  refs: readonly TrackRef[],
  defined: ReadonlyMap<string, unknown>,
  keyword: string,
  definer: string,
): void {
  for (const ref of refs) {
    if (defined.has(ref.name)) continue;
    const suggestion = closestMatch(ref.name, defined.keys());
    const hint = suggestion
      ? `; did you mean \`${suggestion}\`?`
      : `; define it with \`${definer} ${ref.name} { ... }\``;
    v.sink.error(ref.pos, `${keyword} \`${ref.name}\` is not defined${hint}`);
  }
}

/** An interface the host does not have is a warning: it may appear later (a VLAN, a tunnel). */
function knownInterface(v: Validation, name: string, pos: SourcePos): void {
  if (!v.interfaces || v.interfaces.has(name)) return;
  const names = [...v.interfaces.keys()];
  v.sink.warning(
    pos,
    `interface \`${name}\` does not exist on this host${names.length ? ` (it has ${names.map((n) => `\`${n}\``).join(', ')})` : ''}`,
  );
}

/**
 * Two instances on one interface and family cannot share a VRID unless they multicast to
 * different groups, which keeps them apart as keepalived's sockets do; `vrids` holds the first of each.
 */
function uniqueVrid(v: Validation, instance: VrrpInstance, vrids: Map<string, VrrpInstance>): void {
  if (!instance.interface || !instance.vrid) return;
  const key = `${instance.interface}|${instance.family}|${instance.vrid}|${ownMulticastGroup(instance) ?? ''}`;
  const first = vrids.get(key);
  if (!first) {
    vrids.set(key, instance);
    return;
  }
  v.sink.error(
    v.valuePos(instance, 'virtual_router_id', instance.pos),
    `virtual_router_id ${instance.vrid} is already used on \`${instance.interface}\` (${familyName(instance.family)}) by vrrp_instance \`${first.name}\` at ${formatPos(first.pos)}; each instance on an interface needs its own VRID`,
  );
}

// ---- vrrp_instance -------------------------------------------------------------------------

/** An instance as its rules see it: where its name is and how messages name it. */
interface InstanceAt {
  instance: VrrpInstance;
  at: SourcePos;
  label: string;
}

function validateInstance(v: Validation, instance: VrrpInstance): void {
  const it: InstanceAt = { instance, at: v.namePos(instance), label: `vrrp_instance \`${instance.name}\`` };
  checkInterfaces(v, it);
  checkVips(v, it);
  checkVersionForIpv6(v, it);
  checkAdvertInt(v, instance);
  checkPreemption(v, instance);
  checkUnicastFamilies(v, it);
  checkAddressOwner(v, it);
}

function checkInterfaces(v: Validation, { instance, at, label }: InstanceAt): void {
  if (!v.sites.has(instance, 'interface')) v.sink.error(at, `${label} needs an \`interface\``);
  else if (instance.interface) knownInterface(v, instance.interface, v.valuePos(instance, 'interface', at));
  if (!v.sites.has(instance, 'virtual_router_id')) v.sink.error(at, `${label} needs a \`virtual_router_id\` (1-255)`);
  for (const track of instance.trackInterfaces) knownInterface(v, track.name, track.pos);
  for (const vip of [...instance.vips, ...instance.excludedVips]) {
    if (vip.dev) knownInterface(v, vip.dev, vip.pos);
  }
}

/**
 * VIPs all of one family. keepalived 2.2.7 runs a VRRPv2 IPv4 instance without VIPs (it elects a
 * master and runs notify scripts, holding no address) with a warning, and refuses one of VRRPv3,
 * IPv6 or strict mode.
 */
function checkVips(v: Validation, { instance, at, label }: InstanceAt): void {
  const [firstVip] = instance.vips;
  if (!firstVip) {
    const vipStmt = v.sites.get(instance, 'virtual_ipaddress');
    // A block whose lines were all invalid has been reported already.
    if (vipStmt && vipStmt.block?.length !== 0) return;
    if (instance.version === 3 || instance.family === 6 || instance.strict) {
      const why = instance.strict ? 'strict mode' : instance.version === 3 ? 'VRRPv3' : 'IPv6';
      v.sink.error(at, `${label} has no \`virtual_ipaddress\`: ${why} needs at least one, as in keepalived 2.2.7`);
    } else {
      v.sink.warning(
        at,
        `${label} has no \`virtual_ipaddress\`: it elects a master and runs its notify scripts but holds no address, as in keepalived 2.2.7`,
      );
    }
    return;
  }
  for (const vip of instance.vips) {
    if (vip.family === firstVip.family) continue;
    v.sink.error(
      vip.pos,
      `\`virtual_ipaddress\` cannot mix address families: \`${vip.address}\` is ${familyName(vip.family)} but \`${firstVip.address}\` at ${formatPos(firstVip.pos)} is ${familyName(firstVip.family)}; move it to \`virtual_ipaddress_excluded\` or another instance`,
    );
  }
}

function checkVersionForIpv6(v: Validation, { instance, at, label }: InstanceAt): void {
  if (instance.family !== 6 || instance.version !== 2) return;
  const own = v.sites.get(instance, 'version');
  if (own) {
    v.sink.error(own.args[0]!.pos, `${label} has IPv6 addresses, which need VRRP version 3; set \`version 3\``);
    return;
  }
  const global = v.sites.get(v.config.global, 'vrrp_version');
  v.sink.error(
    instance.vips[0]?.pos ?? at,
    `${label} has IPv6 addresses, which need VRRP version 3, but \`vrrp_version 2\` is set in global_defs at ${formatPos(global!.pos)}; add \`version 3\` to this instance`,
  );
}

/** VRRPv2 counts the interval in seconds, VRRPv3 in centiseconds (12 bits). */
function checkAdvertInt(v: Validation, instance: VrrpInstance): void {
  const advert = v.sites.get(instance, 'advert_int');
  if (!advert) return;
  const value = instance.advertInt;
  const centis = value * 100;
  const written = advert.args[0]!;
  if (instance.version === 2 && (!Number.isInteger(value) || value < 1 || value > 255)) {
    v.sink.error(
      written.pos,
      `\`advert_int\` for VRRPv2 must be a whole number of seconds from 1 to 255, got ${written.text}`,
    );
  } else if (
    instance.version === 3 &&
    (Math.abs(centis - Math.round(centis)) > 1e-6 || value < 0.01 || value > 40.95)
  ) {
    v.sink.error(
      written.pos,
      `\`advert_int\` for VRRPv3 must be from 0.01 to 40.95 seconds in steps of 0.01, got ${written.text}`,
    );
  }
}

function checkPreemption(v: Validation, instance: VrrpInstance): void {
  const nopreempt = v.sites.get(instance, 'nopreempt');
  if (instance.nopreempt && instance.initialState === 'MASTER' && nopreempt) {
    v.sink.error(
      nopreempt.keyword.pos,
      '`nopreempt` needs `state BACKUP`: an instance that starts as MASTER always preempts; set `state BACKUP`',
    );
  }
  const preemptDelay = v.sites.get(instance, 'preempt_delay');
  if (preemptDelay && instance.preemptDelay > 0 && instance.initialState === 'MASTER') {
    v.sink.warning(
      preemptDelay.keyword.pos,
      '`preempt_delay` has no effect on an instance that starts as MASTER; set `state BACKUP`',
    );
  }
}

/** The instance's family comes from its VIPs; without VIPs (already an error) there is none to compare. */
function checkUnicastFamilies(v: Validation, { instance, at }: InstanceAt): void {
  if (instance.vips.length === 0) return;
  const instanceFamily = familyName(instance.family);
  const src = instance.unicastSrcIp ? parseIp(instance.unicastSrcIp) : undefined;
  if (src && src.family !== instance.family) {
    v.sink.error(
      v.valuePos(instance, 'unicast_src_ip', at),
      `\`unicast_src_ip\` \`${instance.unicastSrcIp}\` is ${familyName(src.family)} but the instance is ${instanceFamily}`,
    );
  }
  for (const peer of instance.unicastPeers) {
    const family = parseIp(peer.address)!.family;
    if (family === instance.family) continue;
    v.sink.error(
      peer.pos,
      `\`unicast_peer\` \`${peer.address}\` is ${familyName(family)} but the instance is ${instanceFamily}`,
    );
  }
}

/** Priority 255 claims the VIPs are the router's own addresses; with the host's addresses known, check that. */
function checkAddressOwner(v: Validation, { instance, at }: InstanceAt): void {
  if (instance.priority !== 255 || !v.interfaces) return;
  for (const vip of instance.vips) {
    const dev = vip.dev ?? instance.interface;
    const owned = v.interfaces.get(dev);
    if (!owned || owned.some((a) => parseIp(a)?.address === vip.address)) continue;
    v.sink.error(
      v.valuePos(instance, 'priority', at),
      `priority 255 is reserved for the address owner, but \`${vip.address}\` is not an address of \`${dev}\`; use a priority from 1 to 254`,
    );
    return;
  }
}

// ---- vrrp_sync_group -----------------------------------------------------------------------

/** Every member of a sync group is a defined instance, in no other group. */
function validateSyncGroups(v: Validation, instances: ReadonlyMap<string, VrrpInstance>): void {
  const groupOf = new Map<string, Membership>();
  for (const group of v.config.syncGroups) {
    // Groups without members are gone by now (dropEmptySyncGroups), so each has its `group`.
    const stmt = v.sites.get(group, 'group')!;
    const memberTokens = (stmt.block ?? []).flatMap((line) => [line.keyword, ...line.args]);
    for (const tok of memberTokens) checkMember(v, group.name, tok, instances, groupOf);
  }
}

/** Where an instance was first listed in a sync group. */
interface Membership {
  group: string;
  pos: SourcePos;
}

function checkMember(
  v: Validation,
  group: string,
  tok: Token,
  instances: ReadonlyMap<string, VrrpInstance>,
  groupOf: Map<string, Membership>,
): void {
  if (!instances.has(tok.text)) {
    const suggestion = closestMatch(tok.text, instances.keys());
    v.sink.error(
      tok.pos,
      `vrrp_sync_group \`${group}\` lists \`${tok.text}\`, which is not a vrrp_instance${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
    );
    return;
  }
  const previous = groupOf.get(tok.text);
  if (previous) {
    v.sink.error(
      tok.pos,
      `vrrp_instance \`${tok.text}\` is already in vrrp_sync_group \`${previous.group}\` (${formatPos(previous.pos)}); an instance can be in only one sync group`,
    );
  } else {
    groupOf.set(tok.text, { group, pos: tok.pos });
  }
}

// ---- virtual_server ------------------------------------------------------------------------

/** Its group is defined, and its real and sorry servers are of its family. */
function validateVirtualServer(
  v: Validation,
  vs: VirtualServer,
  groups: ReadonlyMap<string, VirtualServerGroup>,
): void {
  const { key } = vs;
  if (key.kind === 'group' && !groups.has(key.name)) {
    const suggestion = closestMatch(key.name, groups.keys());
    v.sink.error(
      v.namePos(vs),
      `virtual_server_group \`${key.name}\` is not defined${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
    );
  }
  if (key.kind !== 'ip') return;
  const mismatch = (server: { family: 4 | 6 }, what: string): string | undefined =>
    server.family === key.family
      ? undefined
      : `${what} is ${familyName(server.family)} but virtual_server \`${key.address} ${key.port}\` is ${familyName(key.family)}`;
  const sorry = vs.sorryServer;
  const sorryMismatch = sorry && mismatch(sorry, `sorry_server \`${sorry.address}\``);
  if (sorryMismatch) v.sink.error(sorry.pos, sorryMismatch);
  for (const rs of vs.realServers) {
    const message = mismatch(rs, `real_server \`${rs.address}\``);
    if (message) v.sink.error(v.namePos(rs), message);
  }
}
