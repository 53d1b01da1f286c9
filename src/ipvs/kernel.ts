// The kernel's IPVS table in reconcile's terms, over the generic-netlink client: read it whole,
// and carry out one operation at a time.
import { parseIp } from '../inet/address.js';
import { IpvsClient } from './client.js';
import { type Destination, type IpvsTimeouts, NO_STATS, type Service, type Stats } from './codec.js';
import {
  type DestinationSettings,
  destinationKeyText,
  type Operation,
  type ServiceEntry,
  type ServiceSettings,
} from './reconcile.js';

/** What the kernel counts for a destination (ipvsadm -Ln, --stats, --rate, --persistent-conn). */
export interface DestinationCounters {
  activeConns: number;
  inactiveConns: number;
  /** Persistence templates pointing at it. */
  persistConns: number;
  stats: Stats;
}

/** A kernel service with the counters of its destinations, by destination key. */
export interface KernelService extends ServiceEntry {
  counters: Map<string, DestinationCounters>;
}

export class IpvsKernel {
  private constructor(private readonly client: IpvsClient) {}

  /** Throws IpvsUnavailableError without the ip_vs module, NetlinkError EPERM without privilege. */
  static async open(): Promise<IpvsKernel> {
    return new IpvsKernel(await IpvsClient.open());
  }

  async table(): Promise<KernelService[]> {
    const services = await this.client.services();
    return Promise.all(
      services.map(async (service) => {
        const destinations = await this.client.destinations(service.key);
        return {
          key: service.key,
          settings: settingsOf(service),
          destinations: destinations.map(destinationSettingsOf),
          counters: new Map(destinations.map((d) => [destinationKeyText(d), countersOf(d)])),
        };
      }),
    );
  }

  async apply(operation: Operation): Promise<void> {
    switch (operation.op) {
      case 'addService':
        return this.client.addService(serviceOf(operation));
      case 'editService':
        return this.client.editService(serviceOf(operation));
      case 'removeService':
        return this.client.removeService(operation.key);
      case 'addDestination':
        return this.client.addDestination(operation.service, destinationOf(operation.destination));
      case 'editDestination':
        return this.client.editDestination(operation.service, destinationOf(operation.destination));
      case 'removeDestination':
        return this.client.removeDestination(operation.service, {
          ...operation.destination,
          family: familyOf(operation.destination.address),
        });
    }
  }

  setTimeouts(timeouts: Partial<IpvsTimeouts>): Promise<void> {
    return this.client.setTimeouts(timeouts);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Carries out `operations` in their order, all requested at once: the netlink socket sends them
 * back to back and the kernel applies them in order, so a table of thousands costs a few wake-ups
 * rather than one round trip each. One refused does not stop the rest; each outcome is returned.
 */
export function applyAll(
  kernel: Pick<IpvsKernel, 'apply'>,
  operations: readonly Operation[],
): Promise<PromiseSettledResult<void>[]> {
  return Promise.allSettled(operations.map((operation) => kernel.apply(operation)));
}

function countersOf(d: Destination): DestinationCounters {
  return {
    activeConns: d.activeConns ?? 0,
    inactiveConns: d.inactiveConns ?? 0,
    persistConns: d.persistConns ?? 0,
    stats: d.stats ?? NO_STATS,
  };
}

function settingsOf(service: Service): ServiceSettings {
  return {
    scheduler: service.scheduler,
    persistenceTimeout: service.flags.persistent ? service.timeout : 0,
    persistencePrefix: service.netmask,
    onePacket: service.flags.onePacket,
    schedulerFlag1: service.flags.schedulerFlag1,
    schedulerFlag2: service.flags.schedulerFlag2,
  };
}

function serviceOf({ key, settings }: { key: Service['key']; settings: ServiceSettings }): Service {
  const persistent = settings.persistenceTimeout > 0;
  return {
    key,
    scheduler: settings.scheduler,
    flags: {
      persistent,
      onePacket: settings.onePacket,
      schedulerFlag1: settings.schedulerFlag1,
      schedulerFlag2: settings.schedulerFlag2,
      schedulerFlag3: false,
    },
    timeout: settings.persistenceTimeout,
    netmask: settings.persistencePrefix,
  };
}

function destinationSettingsOf(d: Destination): DestinationSettings {
  return {
    address: d.address,
    port: d.port,
    forward: d.forward,
    weight: d.weight,
    upperThreshold: d.upperThreshold,
    lowerThreshold: d.lowerThreshold,
  };
}

function destinationOf(d: DestinationSettings): Destination {
  return { ...d, family: familyOf(d.address) };
}

function familyOf(address: string): 4 | 6 {
  return parseIp(address)?.family ?? 4;
}
