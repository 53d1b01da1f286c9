// What the panels list under the filter, and the rows the cursor moves across: instances
// first, then the real servers of each virtual server, as on screen.
import type { InstanceStatus, RealServerStatus, StatusResponse, VirtualServerStatus } from '../api/schema.js';
import { realServerName } from './model.js';

export type Row =
  | { kind: 'instance'; key: string; instance: InstanceStatus }
  | { kind: 'realServer'; key: string; virtualServer: VirtualServerStatus; realServer: RealServerStatus; name: string };

export type RealServerRow = Extract<Row, { kind: 'realServer' }>;

export interface VirtualServerGroup {
  virtualServer: VirtualServerStatus;
  rows: RealServerRow[];
}

export interface MonitorView {
  instances: Extract<Row, { kind: 'instance' }>[];
  groups: VirtualServerGroup[];
  /** Every selectable row, in screen order. */
  rows: Row[];
}

const matches = (filter: string, ...texts: (string | undefined)[]) =>
  texts.some((t) => t?.toLowerCase().includes(filter));

/** The status under `filter`: a substring of a name or an address (case ignored); empty keeps all. */
export function buildView(status: StatusResponse | undefined, filter: string): MonitorView {
  const needle = filter.trim().toLowerCase();
  const instances = (status?.instances ?? [])
    .filter((i) => matches(needle, i.name, i.interface, i.masterAddress, ...i.vips))
    .map((instance) => ({ kind: 'instance' as const, key: `i ${instance.name}`, instance }));
  const groups = (status?.virtualServers ?? []).flatMap((virtualServer) => {
    const whole = matches(needle, virtualServer.name);
    const rows = virtualServer.realServers
      .map((realServer) => ({ realServer, name: realServerName(realServer) }))
      .filter(({ name }) => whole || matches(needle, name))
      .map(({ realServer, name }) => ({
        kind: 'realServer' as const,
        key: `r ${virtualServer.name} ${name}`,
        virtualServer,
        realServer,
        name,
      }));
    return whole || rows.length > 0 ? [{ virtualServer, rows }] : [];
  });
  return { instances, groups, rows: [...instances, ...groups.flatMap((g) => g.rows)] };
}

/** Where the selection is now: the row with its key, else the row at its last place. */
export function selectedIndex(rows: readonly Row[], key: string | undefined, lastIndex: number): number {
  if (rows.length === 0) return -1;
  const found = key === undefined ? -1 : rows.findIndex((r) => r.key === key);
  return found >= 0 ? found : Math.min(Math.max(0, lastIndex), rows.length - 1);
}
