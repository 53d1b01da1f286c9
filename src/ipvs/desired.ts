// The IPVS table a config asks for: one service per virtual server (a virtual_server_group's
// entries each become one, sharing the real servers), with keepalived's defaults, adjusted by
// what runs: real-server health (inhibit_on_failure), quorum (sorry_server) and VRRP mastership
// (ha_suspend), and what an operator set (drains). Pure.

import type { Config, RealServer, VirtualServer } from '../config/index.js';
import { type Family, formatIp, netmaskPrefix, parseIp } from '../inet/address.js';
import {
  type DestinationSettings,
  destinationKeyText,
  type ForwardMethod,
  type ServiceEntry,
  type ServiceKey,
  type ServiceSettings,
} from './reconcile.js';

const FORWARD: Record<VirtualServer['lbKind'], ForwardMethod> = { DR: 'route', NAT: 'nat', TUN: 'tunnel' };

/** What the health checks say of one real server. */
export interface RealServerVerdict {
  alive: boolean;
  /** A weight set by a check (MISC_CHECK misc_dynamic) in place of the configured one. */
  weight?: number;
}

/** The running state the table depends on; each part defaults to "nothing known yet". */
export interface TableInputs {
  /**
   * The VIPs this node holds as VRRP master. A virtual server with ha_suspend is programmed only
   * while its address is one of them, so a backup director carries no services for addresses it
   * does not hold. Without ha_suspend a service is programmed regardless.
   */
  masterAddresses?: ReadonlySet<string>;
  /** By realServerId; a real server missing here is alive at its configured weight. */
  health?: Pick<ReadonlyMap<string, RealServerVerdict>, 'get'>;
  /** The virtual servers (by virtualServerId) that have lost quorum. */
  quorumLost?: ReadonlySet<string>;
  /**
   * The real servers (by realServerId) an operator drained: in at weight 0 while their checks say
   * up, so their connections finish and new ones go elsewhere; out or at 0 as checks say otherwise.
   */
  drained?: Pick<ReadonlySet<string>, 'has'>;
}

export function desiredTable(config: Config, inputs: TableInputs = {}): ServiceEntry[] {
  const masterAddresses = inputs.masterAddresses ?? new Set();
  return config.virtualServers.flatMap((vs) => {
    const destinations = destinationsOf(vs, inputs);
    return serviceKeysOf(vs, config)
      .filter((key) => !vs.haSuspend || (key.kind === 'addr' && masterAddresses.has(key.address)))
      .map((key) => ({ key, settings: settingsOf(vs, key.family), destinations: onService(destinations, vs, key) }));
  });
}

/**
 * DR and TUN deliver packets to the port they were sent to, so keepalived gives each service of
 * a virtual_server group its destinations with the service's own port (none for a fwmark),
 * whatever port the configuration gives them (the config layer warns). Destinations that
 * become the same are added once: the first wins, as the kernel refuses the others.
 * Address and fwmark virtual servers have their ports set so already, in the config layer.
 */
function onService(destinations: DestinationSettings[], vs: VirtualServer, key: ServiceKey): DestinationSettings[] {
  if (vs.key.kind !== 'group' || vs.lbKind === 'NAT') return destinations;
  const port = key.kind === 'addr' ? key.port : 0;
  const seen = new Set<string>();
  return destinations
    .map((d) => ({ ...d, port }))
    .filter((d) => {
      const id = destinationKeyText(d);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/** Names a virtual server across reloads: its protocol and address, fwmark or group. */
export function virtualServerId(vs: VirtualServer): string {
  const { key } = vs;
  switch (key.kind) {
    case 'ip':
      return `${vs.protocol.toLowerCase()}:${destinationKeyText(key)}`;
    case 'fwmark':
      return `fwmark:${key.family}:${key.mark}`;
    case 'group':
      return `group:${vs.protocol.toLowerCase()}:${key.name}`;
  }
}

/** Names a real server of a virtual server across reloads. */
export function realServerId(vs: VirtualServer, rs: Pick<RealServer, 'address' | 'port'>): string {
  return `${virtualServerId(vs)}|${destinationKeyText(rs)}`;
}

/** The verdict for a real server: alive at its configured weight until a check says otherwise. */
export function verdictOf(
  vs: VirtualServer,
  rs: RealServer,
  health: TableInputs['health'],
): { alive: boolean; weight: number } {
  const verdict = health?.get(realServerId(vs, rs));
  return { alive: verdict?.alive ?? true, weight: verdict?.weight ?? rs.weight };
}

/** The kernel services one virtual_server stands for (several for a group). */
export function serviceKeysOf(vs: VirtualServer, config: Config): ServiceKey[] {
  const protocol = vs.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp';
  const { key } = vs;
  switch (key.kind) {
    case 'ip':
      return [{ kind: 'addr', family: key.family, protocol, address: key.address, port: key.port }];
    case 'fwmark':
      return [{ kind: 'fwmark', family: key.family, mark: key.mark }];
    case 'group': {
      const group = config.virtualServerGroups.find((g) => g.name === key.name);
      // Validation guarantees the group exists; the family of a fwmark entry follows its real servers.
      const realFamily: Family = vs.realServers[0]?.family ?? 4;
      // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every entry kind (tsc checks it)
      return (group?.entries ?? []).flatMap((entry): ServiceKey[] => {
        switch (entry.kind) {
          case 'ip':
            return [{ kind: 'addr', family: entry.family, protocol, address: entry.address, port: entry.port }];
          case 'range':
            return addressesBetween(entry.first, entry.last).map((address) => ({
              kind: 'addr',
              family: entry.family,
              protocol,
              address,
              port: entry.port,
            }));
          case 'fwmark':
            return [{ kind: 'fwmark', family: entry.family ?? realFamily, mark: entry.mark }];
        }
      });
    }
  }
}

function settingsOf(vs: VirtualServer, family: Family): ServiceSettings {
  const fullPrefix = family === 4 ? 32 : 128;
  const granularity = vs.persistenceGranularity;
  let persistencePrefix = fullPrefix;
  if (granularity !== undefined) {
    const asMask = parseIp(granularity);
    persistencePrefix = asMask ? (netmaskPrefix(asMask) ?? fullPrefix) : Number(granularity);
  }
  const { shFallback, mhFallback, shPort, mhPort } = vs.schedFlags;
  return {
    scheduler: vs.scheduler,
    persistenceTimeout: vs.persistenceTimeout ?? 0,
    persistencePrefix,
    onePacket: vs.onePacket,
    schedulerFlag1: shFallback || mhFallback,
    schedulerFlag2: shPort || mhPort,
  };
}

/**
 * keepalived's rules: a live real server is in at its weight (0 while drained); a dead one is
 * out, or in at weight 0 with inhibit_on_failure (its established connections keep flowing, new
 * ones go elsewhere).
 * While the virtual server has lost quorum and has a sorry server, every real server is out (or
 * at 0) and the sorry server takes the traffic; otherwise the sorry server is out, or at 0 with
 * sorry_server_inhibit.
 */
function destinationsOf(vs: VirtualServer, inputs: TableInputs): DestinationSettings[] {
  const sorryActive = vs.sorryServer !== undefined && (inputs.quorumLost?.has(virtualServerId(vs)) ?? false);
  const destination = (
    rs: { address: string; port: number; uthreshold?: number; lthreshold?: number },
    weight: number,
  ): DestinationSettings => ({
    address: rs.address,
    port: rs.port,
    forward: FORWARD[vs.lbKind],
    weight,
    upperThreshold: rs.uthreshold ?? 0,
    lowerThreshold: rs.lthreshold ?? 0,
  });
  const destinations = vs.realServers.flatMap((rs) => {
    const { alive, weight } = verdictOf(vs, rs, inputs.health);
    const drained = inputs.drained?.has(realServerId(vs, rs)) ?? false;
    if (alive && !sorryActive) return [destination(rs, drained ? 0 : weight)];
    return rs.inhibitOnFailure ? [destination(rs, 0)] : [];
  });
  const sorry = vs.sorryServer;
  if (sorry && (sorryActive || vs.sorryServerInhibit)) {
    // A real server at the sorry server's address keeps its own entry.
    if (!destinations.some((d) => d.address === sorry.address && d.port === sorry.port))
      destinations.push(destination(sorry, sorryActive ? 1 : 0));
  }
  return destinations;
}

/** Every address from `first` to `last` inclusive (a virtual_server_group range). */
function addressesBetween(first: string, last: string): string[] {
  const from = parseIp(first);
  const to = parseIp(last);
  if (!from || !to) return [];
  const toNumber = (bytes: Uint8Array) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  const fromBytes = (n: bigint, length: number) => {
    const bytes = new Uint8Array(length);
    for (let i = length - 1; i >= 0; i--, n >>= 8n) bytes[i] = Number(n & 0xffn);
    return bytes;
  };
  const addresses: string[] = [];
  for (let n = toNumber(from.bytes); n <= toNumber(to.bytes); n++)
    addresses.push(formatIp(fromBytes(n, from.bytes.length)));
  return addresses;
}
