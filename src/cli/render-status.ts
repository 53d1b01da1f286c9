// `vigil status` as people read it: the daemon line, then instances and virtual servers as
// tables in the spirit of `ipvsadm -Ln`.
import type { StatusResponse } from '../api/schema.js';
import { formatDuration, renderTable } from './table.js';

export function renderStatus(status: StatusResponse): string {
  const { daemon, config } = status;
  const out: string[] = [];
  out.push(
    `vigild ${daemon.version}  pid ${daemon.pid}  up ${formatDuration(daemon.uptimeSeconds)}  socket ${daemon.socket}`,
    `config ${config.path}  generation ${config.generation}  loaded ${localTime(config.loadedAt)}` +
      (config.files.length > 1 ? `  (${config.files.length} files)` : ''),
  );
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

  out.push('', 'VRRP instances');
  if (status.instances.length === 0) out.push('  (none configured)');
  else {
    out.push(
      renderTable(
        ['NAME', 'INTERFACE', 'VRID', 'VER', 'STATE', 'PRIO', 'EFFECTIVE', 'ADVERT', 'MASTER', 'SYNC GROUP', 'VIPS'],
        status.instances.map((i) => [
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
        ]),
      ),
    );
    // Why each instance is where it is: the last transition's reason, and drops worth a look.
    for (const i of status.instances) {
      if (i.lastTransition)
        out.push(
          `  ${i.name}: ${i.lastTransition.from} -> ${i.lastTransition.to} at ${localTime(i.lastTransition.at)}: ${i.lastTransition.reason}`,
        );
      const drops = Object.entries(i.counters.drops).map(([reason, n]) => `${reason} ${n}`);
      if (drops.length > 0) out.push(`  ${i.name}: dropped adverts: ${drops.join(', ')}`);
    }
  }

  out.push('', 'Virtual servers');
  if (status.virtualServers.length > 0 && !status.ipvs.available) {
    out.push(
      `  IPVS UNAVAILABLE: ${status.ipvs.error ?? 'unknown reason'}; nothing is programmed (VRRP is unaffected)`,
    );
  }
  if (status.virtualServers.length === 0) out.push('  (none configured)');
  else {
    const rows: string[][] = [];
    const notes: string[] = [];
    for (const vs of status.virtualServers) {
      const service = [
        vs.name,
        vs.protocol,
        vs.scheduler,
        vs.lbKind,
        vs.persistenceTimeoutSeconds === undefined ? '-' : `${vs.persistenceTimeoutSeconds}s`,
      ];
      const servers = vs.realServers.map((rs) => ({
        address: endpoint(rs),
        kernel: rs.kernel,
        health:
          rs.health === 'down'
            ? 'DOWN'
            : rs.dynamicWeight !== undefined
              ? `${rs.health} (weight ${rs.dynamicWeight})`
              : rs.health,
        checks: rs.checkers.join(',') || '-',
      }));
      if (vs.sorryServer) {
        const sorry = vs.sorryServer;
        servers.push({
          address: endpoint(sorry),
          kernel: sorry.kernel,
          health: sorry.active ? 'SORRY (in service)' : 'sorry (standby)',
          checks: '-',
        });
      }
      if (servers.length === 0) rows.push([...service, '(no real servers)', '', '', '', '', '']);
      servers.forEach((server, index) => {
        const lead = index === 0 ? service : service.map(() => '');
        // As ipvsadm -Ln shows them: the kernel's weight and connection counts ('-': not in the kernel).
        const { kernel } = server;
        const counts = kernel
          ? [String(kernel.weight), String(kernel.activeConns), String(kernel.inactiveConns)]
          : ['-', '-', '-'];
        rows.push([...lead, server.address, ...counts, server.health, server.checks]);
      });
      if (!vs.quorumHolds)
        notes.push(
          `  ${vs.name}: QUORUM LOST: live weight ${vs.aliveWeight}, quorum ${vs.quorum} (hysteresis ${vs.hysteresis})`,
        );
      for (const rs of vs.realServers.filter((r) => r.health === 'down')) {
        notes.push(
          `  ${endpoint(rs)} of ${vs.name}: down${rs.healthSince ? ` since ${localTime(rs.healthSince)}` : ''}: ${rs.healthReason ?? 'check failed'}`,
        );
      }
    }
    out.push(
      renderTable(
        [
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
        ],
        rows,
      ),
    );
    out.push(...notes);
  }
  return out.join('\n');
}

function endpoint(server: { address: string; port: number }): string {
  return server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
