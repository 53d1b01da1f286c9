/**
 * IPVS's connection sync daemon (keepalived's lvs_sync_daemon) on the IPVS generic netlink
 * family: the master daemon multicasts the director's connection table, the backup daemon
 * fills its own from it, so that a backup director that takes over knows the connections in
 * flight. Pure: the requests to start, stop and list the daemons, their replies decoded, and
 * which daemons a director wants in which VRRP state.
 */
import { formatIp, parseIp } from '../inet/address.js';
import { decodeAttributeLayout, type GenericMessage } from '../net/genetlink.js';
import { type AttributeInput, attribute, NetlinkFormatError } from '../net/netlink-codec.js';
import type { IpvsRequest } from './codec.js';

/** IPVS_CMD_NEW_DAEMON, IPVS_CMD_DEL_DAEMON, IPVS_CMD_GET_DAEMON (linux/ip_vs.h). */
export const DAEMON_CMD = { NEW: 9, DEL: 10, GET: 11 } as const;
const CMD_ATTR_DAEMON = 3;

const DAEMON_LAYOUT = {
  state: { type: 1, kind: 'u32' }, // IPVS_DAEMON_ATTR_STATE: IP_VS_STATE_MASTER (1) or _BACKUP (2)
  interface: { type: 2, kind: 'string' }, // IPVS_DAEMON_ATTR_MCAST_IFN
  syncId: { type: 3, kind: 'u32' }, // IPVS_DAEMON_ATTR_SYNC_ID
  maxlen: { type: 4, kind: 'u16' }, // IPVS_DAEMON_ATTR_SYNC_MAXLEN (Linux 4.3+, as the four below)
  group4: { type: 5, kind: 'binary' }, // IPVS_DAEMON_ATTR_MCAST_GROUP: the address, network order
  group6: { type: 6, kind: 'binary' }, // IPVS_DAEMON_ATTR_MCAST_GROUP6
  port: { type: 7, kind: 'u16' }, // IPVS_DAEMON_ATTR_MCAST_PORT
  ttl: { type: 8, kind: 'u8' }, // IPVS_DAEMON_ATTR_MCAST_TTL
} as const;

const STATE_NUMBER = { master: 1, backup: 2 } as const;
export type SyncRole = keyof typeof STATE_NUMBER;

/** What a sync daemon runs with; unset, the kernel's defaults (group 224.0.0.81, port 8848, ttl 1). */
export interface SyncSettings {
  interface: string;
  syncId: number;
  maxlen?: number;
  port?: number;
  ttl?: number;
  group?: string;
}

/** A running daemon, as GET_DAEMON reports it (a kernel before 4.3 reports no more than these three). */
export interface SyncDaemon extends SyncSettings {
  role: SyncRole;
}

const daemonText = (role: SyncRole, s: SyncSettings) =>
  `${role} IPVS sync daemon on ${s.interface}, sync id ${s.syncId}`;

function groupAttribute(group: string): AttributeInput {
  const ip = parseIp(group);
  if (!ip) throw new RangeError(`${group} is not an IP address`);
  return attribute.bytes(
    ip.family === 4 ? DAEMON_LAYOUT.group4.type : DAEMON_LAYOUT.group6.type,
    Buffer.from(ip.bytes),
  );
}

export const syncDaemonRequest = {
  start: (role: SyncRole, s: SyncSettings): IpvsRequest => ({
    operation: `start the ${daemonText(role, s)}`,
    command: DAEMON_CMD.NEW,
    attributes: [
      attribute.nested(CMD_ATTR_DAEMON, [
        attribute.u32(DAEMON_LAYOUT.state.type, STATE_NUMBER[role]),
        attribute.string(DAEMON_LAYOUT.interface.type, s.interface),
        attribute.u32(DAEMON_LAYOUT.syncId.type, s.syncId),
        ...(s.maxlen ? [attribute.u16(DAEMON_LAYOUT.maxlen.type, s.maxlen)] : []),
        ...(s.group ? [groupAttribute(s.group)] : []),
        ...(s.port ? [attribute.u16(DAEMON_LAYOUT.port.type, s.port)] : []),
        ...(s.ttl ? [attribute.u8(DAEMON_LAYOUT.ttl.type, s.ttl)] : []),
      ]),
    ],
  }),
  /** The kernel stops a role's daemon by its state alone. */
  stop: (daemon: SyncDaemon): IpvsRequest => ({
    operation: `stop the ${daemonText(daemon.role, daemon)}`,
    command: DAEMON_CMD.DEL,
    attributes: [
      attribute.nested(CMD_ATTR_DAEMON, [attribute.u32(DAEMON_LAYOUT.state.type, STATE_NUMBER[daemon.role])]),
    ],
  }),
  /** Sent as a dump: one reply per running daemon. */
  list: (): IpvsRequest => ({ operation: 'list the IPVS sync daemons', command: DAEMON_CMD.GET, attributes: [] }),
};

export function decodeSyncDaemon(message: GenericMessage): SyncDaemon {
  const where = 'IPVS sync daemon';
  const outer = decodeAttributeLayout(message.attributes, { daemon: { type: CMD_ATTR_DAEMON, kind: 'binary' } }, where);
  if (!outer.daemon) throw new NetlinkFormatError(`${where}: the daemon attribute is missing`);
  const d = decodeAttributeLayout(outer.daemon, DAEMON_LAYOUT, where);
  const role = d.state === 1 ? 'master' : d.state === 2 ? 'backup' : undefined;
  if (!role || d.interface === undefined || d.syncId === undefined)
    throw new NetlinkFormatError(`${where}: state, interface and sync id are required, got ${JSON.stringify(d)}`);
  const group = d.group4 ?? d.group6;
  return {
    role,
    interface: d.interface,
    syncId: d.syncId,
    ...(d.maxlen !== undefined && { maxlen: d.maxlen }),
    ...(d.port !== undefined && { port: d.port }),
    ...(d.ttl !== undefined && { ttl: d.ttl }),
    // The kernel reports its default group too: an all-zero one is none.
    ...(group?.some((b) => b !== 0) && { group: formatIp(group) }),
  };
}

/**
 * The daemons a director runs: with a VRRP instance to follow, the master daemon while it is
 * MASTER and the backup daemon otherwise (keepalived's ipvs_syncd_master / _backup); without
 * one, both at once, as keepalived's checker starts them.
 */
export function wantedRoles(following: boolean, master: boolean): SyncRole[] {
  if (!following) return ['master', 'backup'];
  return [master ? 'master' : 'backup'];
}

/**
 * Whether a running daemon is the one `settings` describe, as far as the kernel reports: what it
 * leaves out (a kernel before 4.3, or defaults) is not held against it.
 */
export function runsAs(daemon: SyncDaemon, settings: SyncSettings): boolean {
  const reported = (key: 'maxlen' | 'port' | 'ttl' | 'group') =>
    daemon[key] === undefined || settings[key] === undefined || daemon[key] === settings[key];
  return (
    daemon.interface === settings.interface &&
    daemon.syncId === settings.syncId &&
    reported('maxlen') &&
    reported('port') &&
    reported('ttl') &&
    reported('group')
  );
}
