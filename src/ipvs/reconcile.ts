// The desired IPVS table against the kernel's, as the smallest list of operations that makes the
// kernel match — touching only what vigild owns. Pure: tables in, operations and the new
// ownership out.
//
// Ownership rules:
// - A service or destination vigild added is its own (remembered across restarts by the caller).
// - A kernel entry that matches a desired one is adopted: a restart of vigild finds its table
//   still in the kernel and takes it over without dropping a connection.
// - Anything else in the kernel is foreign: never edited, never removed, even inside a service
//   vigild owns (someone added a real server by hand: it stays).

import type { ForwardMethod, ServiceKey } from './codec.js';

export type { ForwardMethod, ServiceKey };

export interface ServiceSettings {
  scheduler: string;
  /** Persistence in seconds; 0 for none. */
  persistenceTimeout: number;
  /** Persistence granularity as a prefix length (IPv4 netmask /N, IPv6 prefix). */
  persistencePrefix: number;
  /** IP_VS_SVC_F_ONEPACKET (keepalived's `ops`). */
  onePacket: boolean;
  /**
   * The scheduler flag bits as the kernel keeps them: flag 1 is sh-fallback and mh-fallback,
   * flag 2 sh-port and mh-port (which name applies depends on the scheduler).
   */
  schedulerFlag1: boolean;
  schedulerFlag2: boolean;
}

export interface DestinationSettings {
  address: string;
  port: number;
  forward: ForwardMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
}

export interface ServiceEntry {
  key: ServiceKey;
  settings: ServiceSettings;
  destinations: DestinationSettings[];
}

/** What vigild owns, by canonical key: services, and destinations per service. */
export interface Ownership {
  services: Set<string>;
  /** `serviceKey → destination keys`. */
  destinations: Map<string, Set<string>>;
}

export type Operation =
  | { op: 'addService'; key: ServiceKey; settings: ServiceSettings }
  | { op: 'editService'; key: ServiceKey; settings: ServiceSettings }
  | { op: 'removeService'; key: ServiceKey }
  | { op: 'addDestination'; service: ServiceKey; destination: DestinationSettings }
  | { op: 'editDestination'; service: ServiceKey; destination: DestinationSettings }
  | { op: 'removeDestination'; service: ServiceKey; destination: Pick<DestinationSettings, 'address' | 'port'> };

export function serviceKeyText(key: ServiceKey): string {
  return key.kind === 'fwmark'
    ? `fwmark:${key.family}:${key.mark}`
    : `${key.protocol}:${key.family === 6 ? `[${key.address}]` : key.address}:${key.port}`;
}

export function destinationKeyText(d: Pick<DestinationSettings, 'address' | 'port'>): string {
  return d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
}

const sameSettings = (a: ServiceSettings, b: ServiceSettings) =>
  a.scheduler === b.scheduler &&
  a.persistenceTimeout === b.persistenceTimeout &&
  (a.persistenceTimeout === 0 || a.persistencePrefix === b.persistencePrefix) &&
  a.onePacket === b.onePacket &&
  a.schedulerFlag1 === b.schedulerFlag1 &&
  a.schedulerFlag2 === b.schedulerFlag2;

const sameDestination = (a: DestinationSettings, b: DestinationSettings) =>
  a.forward === b.forward &&
  a.weight === b.weight &&
  a.upperThreshold === b.upperThreshold &&
  a.lowerThreshold === b.lowerThreshold;

/**
 * Operations in an order that never leaves traffic without somewhere to go: new services and
 * destinations first, then edits, then removals of destinations, then of services.
 */
export function reconcile(
  desired: readonly ServiceEntry[],
  kernel: readonly ServiceEntry[],
  owned: Ownership,
): { operations: Operation[]; owned: Ownership } {
  const adds: Operation[] = [];
  const edits: Operation[] = [];
  const destinationRemovals: Operation[] = [];
  const serviceRemovals: Operation[] = [];
  const nextOwned: Ownership = { services: new Set(), destinations: new Map() };
  const inKernel = new Map(kernel.map((s) => [serviceKeyText(s.key), s]));
  const wanted = new Set(desired.map((s) => serviceKeyText(s.key)));

  for (const service of desired) {
    const key = serviceKeyText(service.key);
    const current = inKernel.get(key);
    const ownedDestinations = new Set<string>();
    nextOwned.services.add(key);
    nextOwned.destinations.set(key, ownedDestinations);
    if (!current) {
      adds.push({ op: 'addService', key: service.key, settings: service.settings });
      for (const destination of service.destinations) {
        adds.push({ op: 'addDestination', service: service.key, destination });
        ownedDestinations.add(destinationKeyText(destination));
      }
      continue;
    }
    if (!sameSettings(service.settings, current.settings))
      edits.push({ op: 'editService', key: service.key, settings: service.settings });
    const currentDestinations = new Map(current.destinations.map((d) => [destinationKeyText(d), d]));
    for (const destination of service.destinations) {
      const destinationKey = destinationKeyText(destination);
      ownedDestinations.add(destinationKey);
      const existing = currentDestinations.get(destinationKey);
      if (!existing) adds.push({ op: 'addDestination', service: service.key, destination });
      else if (!sameDestination(destination, existing))
        edits.push({ op: 'editDestination', service: service.key, destination });
    }
    const wantedDestinations = new Set(service.destinations.map(destinationKeyText));
    const previouslyOwned = owned.destinations.get(key) ?? new Set<string>();
    for (const [destinationKey, existing] of currentDestinations) {
      if (!wantedDestinations.has(destinationKey) && previouslyOwned.has(destinationKey)) {
        destinationRemovals.push({ op: 'removeDestination', service: service.key, destination: existing });
      }
    }
  }

  for (const [key, current] of inKernel) {
    if (wanted.has(key) || !owned.services.has(key)) continue;
    // A service of ours that someone added real servers to by hand: ours go, it and theirs stay,
    // still ours, to be removed once it holds nothing foreign.
    const ourDestinations = owned.destinations.get(key) ?? new Set<string>();
    const foreign = current.destinations.filter((d) => !ourDestinations.has(destinationKeyText(d)));
    if (foreign.length === 0) {
      serviceRemovals.push({ op: 'removeService', key: current.key });
      continue;
    }
    for (const d of current.destinations) {
      if (ourDestinations.has(destinationKeyText(d)))
        destinationRemovals.push({ op: 'removeDestination', service: current.key, destination: d });
    }
    nextOwned.services.add(key);
    nextOwned.destinations.set(key, new Set());
  }
  return { operations: [...adds, ...edits, ...destinationRemovals, ...serviceRemovals], owned: nextOwned };
}
