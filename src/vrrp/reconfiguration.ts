// What a reload does to each running VRRP instance, decided from the two configs alone (pure).
//
// The rules:
// - A running instance is matched to the new config by its wire identity — interface, family,
//   VRID and a multicast group of its own — not by its name: a virtual router is what the network sees. When two instances swap
//   their VRIDs, the node keeps its state in each virtual router, which takes the new VIPs and
//   name of the instance that now has its VRID; the VIPs are diffed per address across all
//   instances, so an address still held by a master here is never deleted.
// - `unchanged`: nothing differs but source positions. The instance is not touched at all.
// - `updated`: only what the running instance reads live differs — VIPs, excluded VIPs, a
//   priority (neither side the owner's 255), the name (outside sync groups), tracking, notify
//   scripts, gratuitous ARP settings, unicast peers, authentication. Applied in place: state and
//   timers stay, a master adds the VIPs it gained (announcing them) and removes those it lost,
//   and likewise its virtual routes and rules (an entry is the same when every word of it is).
//   A VIP is the same when its address, prefix and device are: a new label, scope or broadcast
//   of one that stays applies the next time the instance becomes master (never a delete and add).
// - `restarted`: what the state machine is built from differs (see RESTART_FIELDS), or the
//   instance is in a sync group that changed. It stops (a master resigns with priority 0) and
//   starts again as a new instance.
// - A sync group whose definition, members' names or members' restarts change restarts as a whole,
//   with every group any of its instances belonged to: members of a group change state together
//   and share one state machine. An unchanged group whose members are unchanged or updated in
//   place stays untouched.
// - `added` instances start, `removed` ones stop (a master resigns and removes only the VIPs no
//   other instance here holds).
// - vrrp_garp_interval / vrrp_gna_interval are built into every instance: a change restarts all.
import { isDeepStrictEqual } from 'node:util';
import type { Config, VrrpInstance as InstanceConfig } from '../config/index.js';
import { ownMulticastGroup } from '../inet/vrrp-wire.js';
import { OWNER_PRIORITY } from './machine.js';

/** The fields the state machine is built from: changing one needs a new machine. */
const RESTART_FIELDS = [
  'initialState',
  'version',
  'advertInt',
  'nopreempt',
  'preemptDelay',
  'unicastSrcIp',
  'higherPrioSendAdvert',
  'lowerPrioNoAdvert',
  'downTimerAdverts',
  // Where the adverts and VIPs go (use_vmac): a new socket and new VIPs' home.
  'vmac',
  'vmacXmitBase',
  // Not the machine's, but its address port's: with accept mode it has no VIP drop rules (vip-firewall.ts).
  'accept',
] as const satisfies readonly (keyof InstanceConfig)[];

export type InstanceChange =
  | { kind: 'unchanged'; from: InstanceConfig; to: InstanceConfig }
  | { kind: 'updated'; from: InstanceConfig; to: InstanceConfig }
  | { kind: 'restarted'; from: InstanceConfig; to: InstanceConfig; reason: string }
  | { kind: 'added'; to: InstanceConfig }
  | { kind: 'removed'; from: InstanceConfig };

/** A virtual router as the network sees it. */
export const wireIdentity = (
  i: Pick<InstanceConfig, 'interface' | 'family' | 'vrid' | 'unicastPeers' | 'multicastGroup'>,
): string => {
  const group = ownMulticastGroup(i);
  return `${i.interface}/${i.family}/${i.vrid}${group ? ` ${group}` : ''}`;
};

/** Deep equality, source positions aside. */
export function sameDefinition(a: unknown, b: unknown): boolean {
  const plain = (v: unknown) => JSON.parse(JSON.stringify({ v }, (key, value) => (key === 'pos' ? undefined : value)));
  return isDeepStrictEqual(plain(a), plain(b));
}

/** Every running instance's fate, and every new instance's, in the new config's order (removed ones last). */
export function planReconfiguration(running: Config, next: Config): InstanceChange[] {
  const byIdentity = new Map(running.instances.map((i) => [wireIdentity(i), i]));
  const everything = announceIntervalsChanged(running, next);
  const changes: InstanceChange[] = next.instances.map((to) => {
    const from = byIdentity.get(wireIdentity(to));
    if (!from) return { kind: 'added', to };
    if (everything) return { kind: 'restarted', from, to, reason: everything };
    return compareInstance(from, to);
  });
  const kept = new Set(changes.flatMap((c) => ('from' in c ? [c.from] : [])));
  for (const from of running.instances) if (!kept.has(from)) changes.push({ kind: 'removed', from });
  return restartChangedGroups(changes, running, next);
}

function announceIntervalsChanged(running: Config, next: Config): string | undefined {
  const { garpInterval, gnaInterval } = running.global;
  if (garpInterval === next.global.garpInterval && gnaInterval === next.global.gnaInterval) return undefined;
  return 'vrrp_garp_interval or vrrp_gna_interval changed';
}

function compareInstance(from: InstanceConfig, to: InstanceConfig): InstanceChange {
  if (sameDefinition(from, to)) return { kind: 'unchanged', from, to };
  const field = RESTART_FIELDS.find((f) => !sameDefinition(from[f], to[f]));
  if (field) return { kind: 'restarted', from, to, reason: `${field} changed` };
  if ((from.priority === OWNER_PRIORITY) !== (to.priority === OWNER_PRIORITY))
    return { kind: 'restarted', from, to, reason: 'priority changed to or from the address owner' };
  // A machine answers lower-priority masters with gratuitous ARP or not, from its start.
  if (from.garpLowerPrioRepeat > 0 !== to.garpLowerPrioRepeat > 0)
    return { kind: 'restarted', from, to, reason: 'garp_lower_prio_repeat switched on or off' };
  return { kind: 'updated', from, to };
}

/**
 * Restarts whole sync groups: one whose definition changed, or with a member added, removed,
 * renamed or restarted; and, since a running group shares one state machine, every group of the
 * old or new config that shares an instance with a restarted one. Repeats until nothing spreads.
 */
function restartChangedGroups(changes: InstanceChange[], running: Config, next: Config): InstanceChange[] {
  const oldGroupOf = (name: string) => running.syncGroups.find((g) => g.members.includes(name));
  const newGroupOf = (name: string) => next.syncGroups.find((g) => g.members.includes(name));
  const groupChanged = (c: InstanceChange & { from: InstanceConfig; to: InstanceConfig }) => {
    const before = oldGroupOf(c.from.name);
    const after = newGroupOf(c.to.name);
    if (!before && !after) return false;
    return c.from.name !== c.to.name || !sameDefinition(before, after);
  };
  let result = changes.map((c): InstanceChange => {
    if ((c.kind === 'unchanged' || c.kind === 'updated') && groupChanged(c))
      return { kind: 'restarted', from: c.from, to: c.to, reason: 'its sync group changed' };
    return c;
  });
  for (;;) {
    const disturbed = new Set<string>();
    for (const c of result) {
      if (c.kind === 'unchanged' || c.kind === 'updated') continue;
      if ('from' in c) for (const m of oldGroupOf(c.from.name)?.members ?? []) disturbed.add(`old ${m}`);
      if ('to' in c) for (const m of newGroupOf(c.to.name)?.members ?? []) disturbed.add(`new ${m}`);
    }
    let spread = false;
    result = result.map((c): InstanceChange => {
      if (c.kind !== 'unchanged' && c.kind !== 'updated') return c;
      if (!disturbed.has(`old ${c.from.name}`) && !disturbed.has(`new ${c.to.name}`)) return c;
      spread = true;
      return { kind: 'restarted', from: c.from, to: c.to, reason: 'another member of its sync group restarts' };
    });
    if (!spread) return result;
  }
}
