// What the chart tests add to the shared status fixtures: real servers with a check latency and
// an IPVS connection rate, on a director where IPVS is there (unless a test says otherwise).
import type { DaemonEvent, RealServerStatus, StatusResponse, VirtualServerStatus } from '../../../src/api/schema.js';
import { kernelFixture, realServerFixture, statusFixture, virtualServerFixture } from '../../helpers/status-fixture.js';

export { T0 } from '../../helpers/status-fixture.js';

export interface RealServerLoad {
  address: string;
  latencyMs: number;
  /** IPVS connections per second to it. */
  rate?: number;
}

/** Its last check completed at `at`. */
function realServer(load: RealServerLoad, at: number): RealServerStatus {
  return realServerFixture({
    address: load.address,
    lastCheck: { at: new Date(at).toISOString(), latencyMs: load.latencyMs },
    kernel: kernelFixture({ connectionRate: load.rate ?? 0 }),
  });
}

export function virtualServer(name: string, loads: RealServerLoad[], at: number): VirtualServerStatus {
  return virtualServerFixture(
    loads.map((load) => realServer(load, at)),
    { name },
  );
}

export function status(
  virtualServers: VirtualServerStatus[],
  parts: Partial<Pick<StatusResponse, 'instances' | 'ipvs'>> = {},
): StatusResponse {
  return {
    ...statusFixture({ virtualServers, instances: parts.instances }),
    ipvs: parts.ipvs ?? { available: true, ownedServices: virtualServers.length },
  };
}

export function ipvsStats(virtualServers: VirtualServerStatus[], at: number): DaemonEvent {
  return {
    type: 'ipvs.stats',
    at: new Date(at).toISOString(),
    ipvs: { available: true, ownedServices: 1 },
    virtualServers,
  };
}
