// `vigil status` as people read it: the daemon line, then instances and virtual servers as
// tables in the spirit of `ipvsadm -Ln`.
import type { InstanceStatus, RealServerStatus, StatusResponse, VirtualServerStatus } from '../api/schema.js';
import { formatDuration, renderTable } from './table.js';

export function renderStatus(status: StatusResponse): string {
  return [
    ...daemonLines(status),
    '',
    'VRRP instances',
    ...instanceLines(status.instances),
    '',
    'Virtual servers',
    ...virtualServerLines(status),
  ].join('\n');
}

/** Who is running what: the daemon, its config, the config's warnings and a rejected reload. */
function daemonLines({ daemon, config }: StatusResponse): string[] {
  const out = [
    `vigild ${daemon.version}  pid ${daemon.pid}  up ${formatDuration(daemon.uptimeSeconds)}  socket ${daemon.socket}`,
    `config ${config.path}  generation ${config.generation}  loaded ${localTime(config.loadedAt)}` +
      (config.files.length > 1 ? `  (${config.files.length} files)` : ''),
  ];
  if (daemon.maintenance?.on) {
    const since = daemon.maintenance.since ? ` since ${localTime(daemon.maintenance.since)}` : '';
    out.push(`MAINTENANCE${since}: every instance is held as backup (vigil maintenance off ends it)`);
  }
  if (config.warnings.length > 0) {
    out.push(`${config.warnings.length} config warning(s):`, ...config.warnings.map((w) => `  ${w.text}`));
  }
  if (config.lastRejectedReload) {
    const { at, errors } = config.lastRejectedReload;
    out.push(
      `last reload at ${localTime(at)} was REJECTED (${errors.length} error(s)); the config above is still running:`,
      ...errors.map((e) => `  ${e.text}`),
    );
  }
  return out;
}

const INSTANCE_HEADERS = [
  'NAME',
  'INTERFACE',
  'VRID',
  'VER',
  'STATE',
  'PRIO',
  'EFFECTIVE',
  'ADVERT',
  'MASTER',
  'SYNC GROUP',
  'VIPS',
];

function instanceLines(instances: readonly InstanceStatus[]): string[] {
  if (instances.length === 0) return ['  (none configured)'];
  return [renderTable(INSTANCE_HEADERS, instances.map(instanceRow)), ...instances.flatMap(instanceNotes)];
}

function instanceRow(i: InstanceStatus): string[] {
  return [
    i.name,
    i.interface,
    String(i.vrid),
    `v${i.version}`,
    i.state,
    String(i.priority),
    String(i.effectivePriority),
    `${i.advertIntSeconds}s`,
    i.masterAddress ?? '-',
    i.syncGroup ?? '-',
    i.vips.join(', '),
  ];
}

/** Why the instance is where it is: the last transition's reason, and drops worth a look. */
function instanceNotes(i: InstanceStatus): string[] {
  const out: string[] = [];
  const transition = i.lastTransition;
  if (transition)
    out.push(
      `  ${i.name}: ${transition.from} -> ${transition.to} at ${localTime(transition.at)}: ${transition.reason}`,
    );
  const hold = operatorNote(i.operator);
  if (hold) out.push(`  ${i.name}: ${hold}`);
  const drops = Object.entries(i.counters.drops).map(([reason, n]) => `${reason} ${n}`);
  if (drops.length > 0) out.push(`  ${i.name}: dropped adverts: ${drops.join(', ')}`);
  return out;
}

/** What the operator holds the instance to, in words; nothing for no hold. */
function operatorNote(operator: InstanceStatus['operator']): string | undefined {
  if (!operator) return undefined;
  if (operator.handingOff) return 'handing off: priority 0 sent, VIPs kept until another router takes over';
  if (operator.mode === 'none') return undefined;
  const held = operator.mode === 'yield' ? 'held as backup' : 'held as master (priority 254)';
  const since = operator.since ? ` since ${localTime(operator.since)}` : '';
  const until = operator.until ? ` until ${localTime(operator.until)}` : '';
  const by = operator.by === 'maintenance' ? 'maintenance' : 'vigil failover';
  return `${held} by ${by}${since}${until}`;
}

const VIRTUAL_SERVER_HEADERS = [
  'VIRTUAL SERVER',
  'PROTO',
  'SCHED',
  'KIND',
  'PERSIST',
  'REAL SERVER',
  'WEIGHT',
  'ACTIVE',
  'INACTIVE',
  'HEALTH',
  'CHECKS',
];

function virtualServerLines({ virtualServers, ipvs }: StatusResponse): string[] {
  const out: string[] = [];
  if (virtualServers.length > 0 && !ipvs.available) {
    out.push(`  IPVS UNAVAILABLE: ${ipvs.error ?? 'unknown reason'}; nothing is programmed (VRRP is unaffected)`);
  }
  if (virtualServers.length === 0) return [...out, '  (none configured)'];
  return [
    ...out,
    renderTable(VIRTUAL_SERVER_HEADERS, virtualServers.flatMap(virtualServerRows)),
    ...virtualServers.flatMap(virtualServerNotes),
  ];
}

/** A real or sorry server as one row shows it. */
interface ServerCells {
  address: string;
  kernel: { weight: number; activeConns: number; inactiveConns: number } | undefined;
  health: string;
  checks: string;
}

/** The service's cells on its first row, then one row per real server and the sorry server. */
function virtualServerRows(vs: VirtualServerStatus): string[][] {
  const service = [
    vs.name,
    vs.protocol,
    vs.scheduler,
    vs.lbKind,
    vs.persistenceTimeoutSeconds === undefined ? '-' : `${vs.persistenceTimeoutSeconds}s`,
  ];
  const servers = serversOf(vs);
  if (servers.length === 0) return [[...service, '(no real servers)', '', '', '', '', '']];
  return servers.map((server, index) => {
    const lead = index === 0 ? service : service.map(() => '');
    // As ipvsadm -Ln shows them: the kernel's weight and connection counts ('-': not in the kernel).
    const { kernel } = server;
    const counts = kernel
      ? [String(kernel.weight), String(kernel.activeConns), String(kernel.inactiveConns)]
      : ['-', '-', '-'];
    return [...lead, server.address, ...counts, server.health, server.checks];
  });
}

function serversOf(vs: VirtualServerStatus): ServerCells[] {
  const servers: ServerCells[] = vs.realServers.map((rs) => ({
    address: endpoint(rs),
    kernel: rs.kernel,
    health: healthCell(rs),
    checks: rs.checkers.join(',') || '-',
  }));
  const sorry = vs.sorryServer;
  if (sorry) {
    servers.push({
      address: endpoint(sorry),
      kernel: sorry.kernel,
      health: sorry.active ? 'SORRY (in service)' : 'sorry (standby)',
      checks: '-',
    });
  }
  return servers;
}

/** A real server's health as its table cell shows it: DOWN stands out, and so does a drain. */
export function healthCell(rs: RealServerStatus): string {
  const health =
    rs.health === 'down'
      ? 'DOWN'
      : rs.dynamicWeight !== undefined
        ? `${rs.health} (weight ${rs.dynamicWeight})`
        : rs.health;
  return rs.drained ? `${health}, DRAINED` : health;
}

/** Below the table: a lost quorum, why each real server that is down is down, and since when each drain runs. */
function virtualServerNotes(vs: VirtualServerStatus): string[] {
  const out: string[] = [];
  if (!vs.quorumHolds)
    out.push(
      `  ${vs.name}: QUORUM LOST: live weight ${vs.aliveWeight}, quorum ${vs.quorum} (hysteresis ${vs.hysteresis})`,
    );
  for (const rs of vs.realServers.filter((r) => r.health === 'down')) {
    out.push(
      `  ${endpoint(rs)} of ${vs.name}: down${rs.healthSince ? ` since ${localTime(rs.healthSince)}` : ''}: ${rs.healthReason ?? 'check failed'}`,
    );
  }
  for (const rs of vs.realServers.filter((r) => r.drainedSince !== undefined)) {
    out.push(`  ${endpoint(rs)} of ${vs.name}: drained since ${localTime(rs.drainedSince!)} (vigil undrain ends it)`);
  }
  return out;
}

/** `ADDR:PORT`, `[v6]:PORT`: how status names a real server. */
export function endpoint(server: { address: string; port: number }): string {
  return server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

export function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
