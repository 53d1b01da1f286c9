// The IPVS table a config asks for: one service per virtual server (a virtual_server_group's
// entries each become one, sharing the real servers), with keepalived's defaults. Pure.
// Health, quorum and sorry servers adjust this table in later layers; here every configured real
// server is in, at its configured weight.
import { formatIp, netmaskPrefix, parseIp, type Family } from '../config/address.js';
import type { Config, VirtualServer } from '../config/index.js';
import type { DestinationSettings, ForwardMethod, ServiceEntry, ServiceKey, ServiceSettings } from './reconcile.js';

const FORWARD: Record<VirtualServer['lbKind'], ForwardMethod> = { DR: 'route', NAT: 'nat', TUN: 'tunnel' };

/**
 * `masterAddresses`: the VIPs this node holds as VRRP master. A virtual server with ha_suspend is
 * programmed only while its address is one of them, so a backup director carries no services for
 * addresses it does not hold. Without ha_suspend a service is programmed regardless.
 */
export function desiredTable(config: Config, masterAddresses: ReadonlySet<string> = new Set()): ServiceEntry[] {
  return config.virtualServers.flatMap((vs) =>
    serviceKeysOf(vs, config)
      .filter((key) => !vs.haSuspend || (key.kind === 'addr' && masterAddresses.has(key.address)))
      .map((key) => ({ key, settings: settingsOf(vs, key.family), destinations: destinationsOf(vs) })),
  );
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
      return (group?.entries ?? []).flatMap((entry): ServiceKey[] => {
        switch (entry.kind) {
          case 'ip':
            return [{ kind: 'addr', family: entry.family, protocol, address: entry.address, port: entry.port }];
          case 'range':
            return addressesBetween(entry.first, entry.last).map((address) => ({ kind: 'addr', family: entry.family, protocol, address, port: entry.port }));
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
    schedulerFlag1: shFallback || mhFallback,
    schedulerFlag2: shPort || mhPort,
  };
}

function destinationsOf(vs: VirtualServer): DestinationSettings[] {
  return vs.realServers.map((rs) => ({
    address: rs.address,
    port: rs.port,
    forward: FORWARD[vs.lbKind],
    weight: rs.weight,
    upperThreshold: rs.uthreshold ?? 0,
    lowerThreshold: rs.lthreshold ?? 0,
  }));
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
  for (let n = toNumber(from.bytes); n <= toNumber(to.bytes); n++) addresses.push(formatIp(fromBytes(n, from.bytes.length)));
  return addresses;
}
