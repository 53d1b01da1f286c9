// What a reload changes, as an operator reads it: instances, VIPs, virtual and real servers
// added, removed or changed, each VRRP instance change saying how it is applied (in place, or a
// restart and why). Pure: `vigil reload --dry-run` shows it without applying anything.
import type { Config, RealServer, Vip, VirtualServer } from '../config/index.js';
import { planReconfiguration, sameDefinition } from '../vrrp/reconfiguration.js';
import { virtualServerName } from './status.js';

export type ReloadObject = 'instance' | 'vip' | 'virtualServer' | 'realServer';

export interface ReloadChange {
  object: ReloadObject;
  change: 'added' | 'removed' | 'changed';
  name: string;
  /** What changed and how it is applied, when the name does not say it all. */
  detail?: string;
}

export function reloadDiff(running: Config, next: Config): ReloadChange[] {
  return [...instanceChanges(running, next), ...vipChanges(running, next), ...serverChanges(running, next)];
}

function instanceChanges(running: Config, next: Config): ReloadChange[] {
  return planReconfiguration(running, next).flatMap((c): ReloadChange[] => {
    if (c.kind === 'unchanged') return [];
    if (c.kind === 'added') return [{ object: 'instance', change: 'added', name: c.to.name, detail: wire(c.to) }];
    if (c.kind === 'removed')
      return [{ object: 'instance', change: 'removed', name: c.from.name, detail: wire(c.from) }];
    const how = c.kind === 'updated' ? 'in place' : `restart: ${c.reason}`;
    const renamed = c.from.name === c.to.name ? '' : `, was ${c.from.name}`;
    const detail = `${changedFields(c.from, c.to)} (${how}${renamed})`;
    return [{ object: 'instance', change: 'changed', name: c.to.name, detail }];
  });
}

const wire = (i: Config['instances'][number]) => `${i.interface} VRID ${i.vrid}${i.family === 6 ? ' IPv6' : ''}`;

/** The top-level fields whose values differ, as one comma-separated list. */
function changedFields<T extends object>(a: T, b: T): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof T)[];
  return keys
    .filter((k) => k !== 'pos' && !sameDefinition(a[k], b[k]))
    .map(String)
    .join(', ');
}

/** VIPs per address on its device, across instances: one moving between instances is `changed`, not removed. */
function vipChanges(running: Config, next: Config): ReloadChange[] {
  const before = vipOwners(running);
  const after = vipOwners(next);
  const changes: ReloadChange[] = [];
  for (const [name, owner] of after) {
    const was = before.get(name);
    if (!was) changes.push({ object: 'vip', change: 'added', name, detail: owner });
    else if (was !== owner) changes.push({ object: 'vip', change: 'changed', name, detail: `${was} -> ${owner}` });
  }
  for (const [name, owner] of before)
    if (!after.has(name)) changes.push({ object: 'vip', change: 'removed', name, detail: owner });
  return changes;
}

/** Each VIP's `ADDR/PREFIX on DEV`, and the instance (or instances) holding it. */
function vipOwners(config: Config): Map<string, string> {
  const owners = new Map<string, string>();
  for (const instance of config.instances) {
    for (const vip of [...instance.vips, ...instance.excludedVips]) {
      const name = vipName(vip, instance.interface);
      const held = owners.get(name);
      owners.set(name, held ? `${held}, ${instance.name}` : instance.name);
    }
  }
  return owners;
}

const vipName = (vip: Vip, ifname: string) => `${vip.address}/${vip.prefix} on ${vip.dev ?? ifname}`;

function serverChanges(running: Config, next: Config): ReloadChange[] {
  const before = new Map(running.virtualServers.map((vs) => [serviceName(vs), vs]));
  const after = new Map(next.virtualServers.map((vs) => [serviceName(vs), vs]));
  const changes: ReloadChange[] = [];
  for (const [name, vs] of after) {
    const was = before.get(name);
    if (!was) {
      changes.push({ object: 'virtualServer', change: 'added', name });
      continue;
    }
    const { realServers: _a, ...ownBefore } = was;
    const { realServers: _b, ...ownAfter } = vs;
    const fields = changedFields(ownBefore, ownAfter);
    if (fields) changes.push({ object: 'virtualServer', change: 'changed', name, detail: fields });
    changes.push(...realServerChanges(name, was.realServers, vs.realServers));
  }
  for (const name of before.keys())
    if (!after.has(name)) changes.push({ object: 'virtualServer', change: 'removed', name });
  return changes;
}

function realServerChanges(service: string, before: RealServer[], after: RealServer[]): ReloadChange[] {
  const nameOf = (rs: RealServer) => `${rs.family === 6 ? `[${rs.address}]` : rs.address}:${rs.port} in ${service}`;
  const old = new Map(before.map((rs) => [nameOf(rs), rs]));
  const changes: ReloadChange[] = [];
  for (const rs of after) {
    const name = nameOf(rs);
    const was = old.get(name);
    old.delete(name);
    if (!was) changes.push({ object: 'realServer', change: 'added', name });
    else if (!sameDefinition(was, rs))
      changes.push({ object: 'realServer', change: 'changed', name, detail: changedFields(was, rs) });
  }
  for (const name of old.keys()) changes.push({ object: 'realServer', change: 'removed', name });
  return changes;
}

/** ipvsadm's name, with the protocol for address services (TCP and UDP on one port are two). */
const serviceName = (vs: VirtualServer) =>
  vs.key.kind === 'ip' ? `${vs.protocol} ${virtualServerName(vs)}` : virtualServerName(vs);
