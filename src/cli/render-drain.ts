// `vigil drain` and `vigil undrain` as people read them: a line per real server the request
// named, and for --wait a progress line and how the wait ended. Pure: answers in, text out.
import type { DrainResponse } from '../api/schema.js';
import type { DrainCounts, WaitResult } from './drain-wait.js';
import { endpoint, localTime } from './render-status.js';
import { formatDuration } from './table.js';

type DrainedServer = DrainResponse['realServers'][number];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const inKernel = (rs: DrainedServer) =>
  rs.kernel
    ? `kernel weight ${rs.kernel.weight}; ${rs.kernel.activeConns} active, ${rs.kernel.inactiveConns} inactive connections`
    : 'not in the kernel table';

function drainLine(rs: DrainedServer): string {
  if (!rs.changed) return `already drained since ${localTime(rs.drainedSince ?? '')} (${inKernel(rs)})`;
  return `drained: new connections go elsewhere (${inKernel(rs)})`;
}

function undrainLine(rs: DrainedServer): string {
  if (!rs.changed) return `was not drained (${inKernel(rs)})`;
  if (rs.health === 'down')
    return `undrained, but down by its checks: it takes traffic once they pass (${inKernel(rs)})`;
  return `undrained (${inKernel(rs)})`;
}

export function renderDrain(response: DrainResponse, action: 'drain' | 'undrain'): string {
  const line = action === 'drain' ? drainLine : undrainLine;
  return response.realServers.map((rs) => `${endpoint(rs)} in ${rs.virtualServer}: ${line(rs)}`).join('\n');
}

/** What a drain waits for, named once: the real server, and where it is drained. */
export function drainSubject(response: DrainResponse): string {
  const [first] = response.realServers;
  if (!first) return 'nothing';
  const where =
    response.realServers.length === 1 ? first.virtualServer : plural(response.realServers.length, 'virtual server');
  return `${endpoint(first)} in ${where}`;
}

/** The live line of a wait: active connections left, inactive ones beside, time against the timeout. */
export function progressLine(
  subject: string,
  counts: DrainCounts,
  elapsedMs: number,
  timeoutMs: number,
  connected: boolean,
): string {
  const clock = `${formatDuration(elapsedMs / 1000)} of ${formatDuration(timeoutMs / 1000)}`;
  const away = connected ? '' : '; vigild is not answering, waiting for it';
  return `draining ${subject}: ${plural(counts.activeConns, 'active connection')} (${counts.inactiveConns} inactive), ${clock}${away}`;
}

/** How a wait ended. */
export function waitLine(subject: string, wait: WaitResult): string {
  const after = `after ${formatDuration(wait.waitedSeconds)}`;
  switch (wait.outcome) {
    case 'drained':
      return `${subject}: no active connections ${after}${wait.inactiveConns > 0 ? ` (${wait.inactiveConns} inactive, which do not hold a drain)` : ''}`;
    case 'timedOut':
      return `${subject}: timed out ${after} with ${plural(wait.activeConns, 'active connection')} left; it stays drained`;
    case 'undrained':
      return `${subject}: undrained meanwhile (vigil undrain); stopped waiting with ${plural(wait.activeConns, 'active connection')} left`;
    case 'removed':
      return `${subject}: no longer in the config (a reload); stopped waiting`;
  }
}
