import { parseIp } from '../inet/address.js';
import { type DiagnosticSink, formatPos, type SourcePos } from './diagnostics.js';
import { Sites } from './keywords/table.js';
import { closestMatch } from './suggest.js';
import type { Config, TrackRef, VrrpInstance } from './types.js';

export interface ValidateOptions {
  /** Host interface name → its addresses; enables interface and address-owner checks. */
  interfaces?: ReadonlyMap<string, readonly string[]>;
}

const familyName = (family: 4 | 6): string => `IPv${family}`;

/** Cross-object rules: references, uniqueness and the VRRP constraints that span keywords. */
export function validateConfig(config: Config, sites: Sites, sink: DiagnosticSink, opts: ValidateOptions = {}): void {
  /** Position of the value of `keyword` on `target`, else of the keyword, else `fallback`. */
  const valuePos = (target: object, keyword: string, fallback: SourcePos): SourcePos => {
    const stmt = sites.get(target, keyword);
    return stmt?.args[0]?.pos ?? stmt?.keyword.pos ?? fallback;
  };
  const namePos = (item: { pos: SourcePos }): SourcePos => valuePos(item, Sites.DEFINITION, item.pos);

  const uniqueNames = <T extends { name: string; pos: SourcePos }>(
    items: readonly T[],
    what: string,
  ): Map<string, T> => {
    const byName = new Map<string, T>();
    for (const item of items) {
      const first = byName.get(item.name);
      if (first) {
        sink.error(
          namePos(item),
          `${what} \`${item.name}\` is already defined at ${formatPos(first.pos)}; names must be unique`,
        );
      } else {
        byName.set(item.name, item);
      }
    }
    return byName;
  };

  const scripts = uniqueNames(config.scripts, 'vrrp_script');
  const trackFiles = uniqueNames(config.trackFiles, 'track_file');
  const instances = uniqueNames(config.instances, 'vrrp_instance');
  uniqueNames(config.syncGroups, 'vrrp_sync_group');
  const groups = uniqueNames(config.virtualServerGroups, 'virtual_server_group');

  const checkRefs = (
    refs: readonly TrackRef[],
    defined: ReadonlyMap<string, unknown>,
    keyword: string,
    definer: string,
  ): void => {
    for (const ref of refs) {
      if (defined.has(ref.name)) continue;
      const suggestion = closestMatch(ref.name, defined.keys());
      const hint = suggestion
        ? `; did you mean \`${suggestion}\`?`
        : `; define it with \`${definer} ${ref.name} { ... }\``;
      sink.error(ref.pos, `${keyword} \`${ref.name}\` is not defined${hint}`);
    }
  };

  const knownInterface = (name: string, pos: SourcePos): void => {
    if (opts.interfaces && !opts.interfaces.has(name)) {
      const names = [...opts.interfaces.keys()];
      sink.warning(
        pos,
        `interface \`${name}\` does not exist on this host${names.length ? ` (it has ${names.map((n) => `\`${n}\``).join(', ')})` : ''}`,
      );
    }
  };

  const vrids = new Map<string, VrrpInstance>();
  for (const instance of config.instances) {
    validateInstance(instance);
    if (instance.interface && instance.vrid) {
      const key = `${instance.interface}|${instance.family}|${instance.vrid}`;
      const first = vrids.get(key);
      if (first) {
        sink.error(
          valuePos(instance, 'virtual_router_id', instance.pos),
          `virtual_router_id ${instance.vrid} is already used on \`${instance.interface}\` (${familyName(instance.family)}) by vrrp_instance \`${first.name}\` at ${formatPos(first.pos)}; each instance on an interface needs its own VRID`,
        );
      } else {
        vrids.set(key, instance);
      }
    }
    checkRefs(instance.trackScripts, scripts, 'track_script', 'vrrp_script');
    checkRefs(instance.trackFiles, trackFiles, 'track_file', 'track_file');
  }

  function validateInstance(instance: VrrpInstance): void {
    const at = namePos(instance);
    const label = `vrrp_instance \`${instance.name}\``;
    if (!sites.has(instance, 'interface')) sink.error(at, `${label} needs an \`interface\``);
    else if (instance.interface) knownInterface(instance.interface, valuePos(instance, 'interface', at));
    if (!sites.has(instance, 'virtual_router_id')) sink.error(at, `${label} needs a \`virtual_router_id\` (1-255)`);
    for (const track of instance.trackInterfaces) knownInterface(track.name, track.pos);
    for (const vip of [...instance.vips, ...instance.excludedVips]) {
      if (vip.dev) knownInterface(vip.dev, vip.pos);
    }

    const [firstVip] = instance.vips;
    const vipStmt = sites.get(instance, 'virtual_ipaddress');
    // A block whose lines were all invalid has been reported already.
    if (!firstVip && (!vipStmt || vipStmt.block?.length === 0)) {
      sink.error(at, `${label} has no \`virtual_ipaddress\`: add the address(es) it should hold`);
    } else if (firstVip) {
      for (const vip of instance.vips) {
        if (vip.family === firstVip.family) continue;
        sink.error(
          vip.pos,
          `\`virtual_ipaddress\` cannot mix address families: \`${vip.address}\` is ${familyName(vip.family)} but \`${firstVip.address}\` at ${formatPos(firstVip.pos)} is ${familyName(firstVip.family)}; move it to \`virtual_ipaddress_excluded\` or another instance`,
        );
      }
    }

    if (instance.family === 6 && instance.version === 2) {
      const own = sites.get(instance, 'version');
      const global = sites.get(config.global, 'vrrp_version');
      if (own) {
        sink.error(own.args[0]!.pos, `${label} has IPv6 addresses, which need VRRP version 3; set \`version 3\``);
      } else {
        sink.error(
          firstVip?.pos ?? at,
          `${label} has IPv6 addresses, which need VRRP version 3, but \`vrrp_version 2\` is set in global_defs at ${formatPos(global!.pos)}; add \`version 3\` to this instance`,
        );
      }
    }

    const advert = sites.get(instance, 'advert_int');
    if (advert) {
      const value = instance.advertInt;
      const centis = value * 100;
      if (instance.version === 2 && (!Number.isInteger(value) || value < 1 || value > 255)) {
        sink.error(
          advert.args[0]!.pos,
          `\`advert_int\` for VRRPv2 must be a whole number of seconds from 1 to 255, got ${advert.args[0]!.text}`,
        );
      } else if (
        instance.version === 3 &&
        (Math.abs(centis - Math.round(centis)) > 1e-6 || value < 0.01 || value > 40.95)
      ) {
        sink.error(
          advert.args[0]!.pos,
          `\`advert_int\` for VRRPv3 must be from 0.01 to 40.95 seconds in steps of 0.01, got ${advert.args[0]!.text}`,
        );
      }
    }

    const nopreempt = sites.get(instance, 'nopreempt');
    if (instance.nopreempt && instance.initialState === 'MASTER' && nopreempt) {
      sink.error(
        nopreempt.keyword.pos,
        '`nopreempt` needs `state BACKUP`: an instance that starts as MASTER always preempts; set `state BACKUP`',
      );
    }
    const preemptDelay = sites.get(instance, 'preempt_delay');
    if (preemptDelay && instance.preemptDelay > 0 && instance.initialState === 'MASTER') {
      sink.warning(
        preemptDelay.keyword.pos,
        '`preempt_delay` has no effect on an instance that starts as MASTER; set `state BACKUP`',
      );
    }

    if (instance.unicastSrcIp && firstVip) {
      const src = parseIp(instance.unicastSrcIp);
      if (src && src.family !== instance.family) {
        sink.error(
          valuePos(instance, 'unicast_src_ip', at),
          `\`unicast_src_ip\` \`${instance.unicastSrcIp}\` is ${familyName(src.family)} but the instance is ${familyName(instance.family)}`,
        );
      }
    }
    for (const peer of instance.unicastPeers) {
      const family = parseIp(peer.address)!.family;
      if (firstVip && family !== instance.family) {
        sink.error(
          peer.pos,
          `\`unicast_peer\` \`${peer.address}\` is ${familyName(family)} but the instance is ${familyName(instance.family)}`,
        );
      }
    }

    const addresses = opts.interfaces;
    if (instance.priority === 255 && addresses) {
      for (const vip of instance.vips) {
        const dev = vip.dev ?? instance.interface;
        const owned = addresses.get(dev);
        if (!owned) continue;
        if (owned.some((a) => parseIp(a)?.address === vip.address)) continue;
        sink.error(
          valuePos(instance, 'priority', at),
          `priority 255 is reserved for the address owner, but \`${vip.address}\` is not an address of \`${dev}\`; use a priority from 1 to 254`,
        );
        break;
      }
    }
  }

  const groupOf = new Map<string, { group: string; pos: SourcePos }>();
  for (const group of config.syncGroups) {
    const stmt = sites.get(group, 'group');
    if (!stmt) {
      sink.error(namePos(group), `vrrp_sync_group \`${group.name}\` needs a \`group { INSTANCE ... }\` block`);
      continue;
    }
    const memberTokens = (stmt.block ?? []).flatMap((line) => [line.keyword, ...line.args]);
    for (const tok of memberTokens) {
      if (!instances.has(tok.text)) {
        const suggestion = closestMatch(tok.text, instances.keys());
        sink.error(
          tok.pos,
          `vrrp_sync_group \`${group.name}\` lists \`${tok.text}\`, which is not a vrrp_instance${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
        );
        continue;
      }
      const previous = groupOf.get(tok.text);
      if (previous) {
        sink.error(
          tok.pos,
          `vrrp_instance \`${tok.text}\` is already in vrrp_sync_group \`${previous.group}\` (${formatPos(previous.pos)}); an instance can be in only one sync group`,
        );
      } else {
        groupOf.set(tok.text, { group: group.name, pos: tok.pos });
      }
    }
  }

  for (const vs of config.virtualServers) {
    const { key } = vs;
    if (key.kind === 'group' && !groups.has(key.name)) {
      const suggestion = closestMatch(key.name, groups.keys());
      sink.error(
        valuePos(vs, Sites.DEFINITION, vs.pos),
        `virtual_server_group \`${key.name}\` is not defined${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
      );
    }
    const family = key.kind === 'ip' ? key.family : undefined;
    const vsLabel = key.kind === 'ip' ? `${key.address} ${key.port}` : '';
    if (family && vs.sorryServer && vs.sorryServer.family !== family) {
      sink.error(
        vs.sorryServer.pos,
        `sorry_server \`${vs.sorryServer.address}\` is ${familyName(vs.sorryServer.family)} but virtual_server \`${vsLabel}\` is ${familyName(family)}`,
      );
    }
    for (const rs of vs.realServers) {
      if (family && rs.family !== family) {
        sink.error(
          valuePos(rs, Sites.DEFINITION, rs.pos),
          `real_server \`${rs.address}\` is ${familyName(rs.family)} but virtual_server \`${vsLabel}\` is ${familyName(family)}`,
        );
      }
    }
  }
}
