// keepalived's data dump (SIGUSR1, /tmp/keepalived.data): the global definitions, then the VRRP
// Topology (one block per instance), then the sync groups. keepalived's socket pool and interface
// sections describe its own internals (file descriptors, interface flags), and its VRRP Scripts
// and Track files sections its tracking processes' bookkeeping: they are left out.
import type { SyncGroup } from '../../config/index.js';
import type { VrrpState } from '../../vrrp/machine.js';
import { type GlobalView, globalLines } from './data-global.js';
import { instanceLines, notifyLine, type ScriptIds } from './data-instances.js';
import { type InstanceView, notifySlots } from './instance-view.js';

export interface SyncGroupView {
  group: SyncGroup;
  smtpAlert: boolean;
}

export function dataDump(
  global: GlobalView,
  instances: readonly InstanceView[],
  groups: readonly SyncGroupView[],
): string {
  const lines = [
    ...globalLines(global),
    ...(instances.length > 0 ? ['------< VRRP Topology >------'] : []),
    ...instances.flatMap((i) => instanceLines(i, global.scriptIds)),
    ...(groups.length > 0 ? ['------< VRRP Sync groups >------'] : []),
    ...groups.flatMap((g) => syncGroupLines(g, instances, global.scriptIds)),
  ];
  return `${lines.join('\n')}\n`;
}

function syncGroupLines(
  { group, smtpAlert }: SyncGroupView,
  instances: readonly InstanceView[],
  ids: ScriptIds,
): string[] {
  const members = instances.filter((i) => group.members.includes(i.name));
  return [
    ` VRRP Sync Group = ${group.name}, ${groupState(members.map((m) => m.state))}`,
    `   Num member fault ${count(members, 'FAULT')}, num member init ${count(members, 'INIT')}`,
    ...(members.length > 0 ? ['   VRRP member instances :', ...members.map((m) => `     ${m.name}`)] : []),
    `   Using smtp notification = ${smtpAlert ? 'yes' : 'no'}`,
    ...notifySlots(group.notify).map(({ slot, command }) => notifyLine(slot, command, ids)),
  ];
}

const count = (members: InstanceView[], state: VrrpState): number => members.filter((m) => m.state === state).length;

/** A group moves as one: a fault anywhere is the group's, otherwise its members share a state. */
function groupState(states: VrrpState[]): VrrpState {
  if (states.includes('FAULT')) return 'FAULT';
  return states[0] ?? 'INIT';
}
