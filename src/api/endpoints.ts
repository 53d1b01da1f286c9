// Where the daemon listens and which routes it serves. Kept apart from schema.ts, which loads
// zod, so that the CLI can import these without paying for it.
import path from 'node:path';

export const DEFAULT_SOCKET = '/run/vigil/vigil.sock';

/**
 * The read-only socket sits beside the control socket: `vigil.sock` → `vigil-ro.sock`. It is
 * world-accessible and serves GET routes only, so monitoring needs no privileges.
 */
export function readOnlySocketFor(socketPath: string): string {
  const ext = path.extname(socketPath);
  const stem = ext ? socketPath.slice(0, -ext.length) : socketPath;
  return `${stem}-ro${ext || '.sock'}`;
}

export const routes = {
  status: { method: 'GET', path: '/v1/status' },
  events: { method: 'GET', path: '/v1/events' },
  reload: { method: 'POST', path: '/v1/reload' },
  checkRun: { method: 'POST', path: '/v1/checks/run' },
  drain: { method: 'POST', path: '/v1/drain' },
  undrain: { method: 'POST', path: '/v1/undrain' },
  failover: { method: 'POST', path: '/v1/failover' },
  maintenance: { method: 'POST', path: '/v1/maintenance' },
} as const;

export type RouteName = keyof typeof routes;
