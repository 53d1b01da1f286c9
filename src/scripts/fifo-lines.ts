// The lines keepalived 2.2.7 writes to its notify FIFOs, one event a line, for scripts that
// parse them: `INSTANCE "VI_1" MASTER 150`, `GROUP "G" BACKUP 0`,
// `VS [198.51.100.80]:tcp:80 UP`, `RS [203.0.113.21]:tcp:80 [198.51.100.80]:tcp:80 DOWN`.
import type { RealServer, VirtualServer } from '../config/index.js';
import type { NotifyState } from './notify.js';

/**
 * What keepalived writes instead of a state: notify_priority_changes' (the priority moved while
 * master, or else), and a master's hearing a lower priority.
 */
export type PriorityEvent = 'MASTER_PRIORITY' | 'BACKUP_PRIORITY' | 'MASTER_RX_LOWER_PRI';

/** keepalived writes the instance's effective priority, and 0 for a group. */
export function vrrpFifoLine(
  type: 'INSTANCE' | 'GROUP',
  name: string,
  state: NotifyState | PriorityEvent,
  priority: number,
): string {
  return `${type} "${name}" ${state} ${type === 'GROUP' ? 0 : priority}\n`;
}

/** `[address]:protocol:port`, keepalived's "trio", IPv6 or not. */
function trio(address: string, vs: VirtualServer, port: number): string {
  return `[${address}]:${vs.protocol.toLowerCase()}:${port}`;
}

/** A group is `[name]:0` (its own address is unset), a fwmark service `FWM 5`. */
export function virtualServerText(vs: VirtualServer): string {
  const { key } = vs;
  switch (key.kind) {
    case 'ip':
      return trio(key.address, vs, key.port);
    case 'fwmark':
      return `FWM ${key.mark}`;
    case 'group':
      return `[${key.name}]:0`;
  }
}

/** Its quorum was gained (UP) or lost (DOWN). */
export function virtualServerFifoLine(vs: VirtualServer, up: boolean): string {
  return `VS ${virtualServerText(vs)} ${up ? 'UP' : 'DOWN'}\n`;
}

/** The real server is shown with the virtual server's protocol, as keepalived does. */
export const realServerText = (rs: RealServer, vs: VirtualServer): string => trio(rs.address, vs, rs.port);

export function realServerFifoLine(rs: RealServer, vs: VirtualServer, up: boolean): string {
  return `RS ${realServerText(rs, vs)} ${virtualServerText(vs)} ${up ? 'UP' : 'DOWN'}\n`;
}
