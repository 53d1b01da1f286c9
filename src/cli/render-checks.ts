// `vigil check` against the daemon: every real server's verdict as a table, and the outcome of
// `vigil check RS --now`. Pure: the API's answers in, text out.
import type { CheckRunResponse, StatusResponse } from '../api/schema.js';
import { parseIp } from '../inet/address.js';
import { endpoint, healthCell, localTime } from './render-status.js';
import { renderTable } from './table.js';

const HEADERS = ['VIRTUAL SERVER', 'REAL SERVER', 'HEALTH', 'CHECKERS', 'LATENCY', 'SINCE', 'LAST ERROR'];

const latency = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;

/** One row per real server: its verdict, checkers, the last check's latency, when the verdict last changed, and why it is down. */
export function renderChecks(status: StatusResponse): string {
  const rows = status.virtualServers.flatMap((vs) =>
    vs.realServers.map((rs) => [
      vs.name,
      endpoint(rs),
      healthCell(rs),
      rs.checkers.join(',') || '-',
      rs.lastCheck ? latency(rs.lastCheck.latencyMs) : '-',
      rs.healthSince ? localTime(rs.healthSince) : '-',
      rs.healthReason ?? '-',
    ]),
  );
  if (rows.length === 0) return 'no real servers configured';
  return renderTable(HEADERS, rows);
}

/** What the checks saw now, checker by checker, and the daemon's verdict, which the run left alone. */
export function renderCheckNow(r: CheckRunResponse): string {
  const name = `${r.realServer} in ${r.virtualServer}`;
  if (r.result === 'unchecked') return `${name}: no checker vigild runs; it counts as up`;
  const lines = [
    `${name}: ${r.result === 'up' ? 'UP' : 'DOWN'} now`,
    ...r.checkers.map(
      (c) =>
        `  ${c.type}: ${c.ok ? 'ok' : `FAILED: ${c.reason?.replace(`${c.type}: `, '') ?? 'check failed'}`} (${latency(c.latencyMs)})`,
    ),
  ];
  const { health, healthReason, healthSince } = r.verdict;
  const since = healthSince ? ` since ${localTime(healthSince)}` : '';
  lines.push(
    `  daemon's verdict: ${health}${since}${healthReason ? `: ${healthReason}` : ''} (a --now run does not change it)`,
  );
  return lines.join('\n');
}

/** `ADDR:PORT` or `[v6]:PORT`, canonical; undefined when it is not one. */
export function parseEndpoint(text: string): string | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const ip = match && parseIp(match[1] ?? match[2]!);
  if (!ip || port < 1 || port > 65535) return undefined;
  return endpoint({ address: ip.address, port });
}
