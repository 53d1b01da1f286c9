/**
 * The IPVS generic netlink family ("IPVS", version 1; linux/ip_vs.h) as typed values: virtual
 * services and their destinations (real servers), the requests vigil sends for them, and the
 * kernel's replies decoded. Pure: client.ts puts the requests on a socket.
 *
 * There is deliberately no flush: vigil changes only the entries it owns, never the whole table.
 * The connection timeouts (lvs_timeouts) are the table-wide setting it does change.
 */
import { type Family, formatIp, parseIp } from '../inet/address.js';
import { readU32, writeU32 } from '../net/byte-order.js';
import {
  type AttributeLayout,
  type DecodedAttributes,
  decodeAttributeLayout,
  type GenericMessage,
} from '../net/genetlink.js';
import { type AttributeInput, attribute, NetlinkFormatError } from '../net/netlink-codec.js';

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** The commands vigil sends (enum in ip_vs.h). */
export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  GET_INFO: 15,
} as const;

// The attribute layouts serve both ways: encoders take the type numbers from them, decoders
// read replies by them. Names in the comments are ip_vs.h's.

const COMMAND_LAYOUT = {
  service: { type: 1, kind: 'binary' }, // IPVS_CMD_ATTR_SERVICE (nested)
  destination: { type: 2, kind: 'binary' }, // IPVS_CMD_ATTR_DEST (nested)
} as const satisfies AttributeLayout;

/** The command attributes of SET_CONFIG and GET_CONFIG's answer: seconds. */
const TIMEOUT_LAYOUT = {
  tcp: { type: 4, kind: 'u32' }, // IPVS_CMD_ATTR_TIMEOUT_TCP
  tcpFin: { type: 5, kind: 'u32' }, // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN
  udp: { type: 6, kind: 'u32' }, // IPVS_CMD_ATTR_TIMEOUT_UDP
} as const satisfies AttributeLayout;

const SERVICE_LAYOUT = {
  family: { type: 1, kind: 'u16' }, // IPVS_SVC_ATTR_AF
  protocol: { type: 2, kind: 'u16' }, // IPVS_SVC_ATTR_PROTOCOL
  address: { type: 3, kind: 'binary' }, // IPVS_SVC_ATTR_ADDR: union nf_inet_addr, 16 bytes
  port: { type: 4, kind: 'be16' }, // IPVS_SVC_ATTR_PORT
  fwmark: { type: 5, kind: 'u32' }, // IPVS_SVC_ATTR_FWMARK
  scheduler: { type: 6, kind: 'string' }, // IPVS_SVC_ATTR_SCHED_NAME
  flags: { type: 7, kind: 'binary' }, // IPVS_SVC_ATTR_FLAGS: struct ip_vs_flags
  timeout: { type: 8, kind: 'u32' }, // IPVS_SVC_ATTR_TIMEOUT
  netmask: { type: 9, kind: 'binary' }, // IPVS_SVC_ATTR_NETMASK: its byte order depends on the family
  stats: { type: 10, kind: 'binary' }, // IPVS_SVC_ATTR_STATS (nested)
  persistenceEngine: { type: 11, kind: 'string' }, // IPVS_SVC_ATTR_PE_NAME
  stats64: { type: 12, kind: 'binary' }, // IPVS_SVC_ATTR_STATS64 (nested)
} as const satisfies AttributeLayout;

const DESTINATION_LAYOUT = {
  address: { type: 1, kind: 'binary' }, // IPVS_DEST_ATTR_ADDR: union nf_inet_addr
  port: { type: 2, kind: 'be16' }, // IPVS_DEST_ATTR_PORT
  forward: { type: 3, kind: 'u32' }, // IPVS_DEST_ATTR_FWD_METHOD
  weight: { type: 4, kind: 'u32' }, // IPVS_DEST_ATTR_WEIGHT
  upperThreshold: { type: 5, kind: 'u32' }, // IPVS_DEST_ATTR_U_THRESH
  lowerThreshold: { type: 6, kind: 'u32' }, // IPVS_DEST_ATTR_L_THRESH
  activeConns: { type: 7, kind: 'u32' }, // IPVS_DEST_ATTR_ACTIVE_CONNS
  inactiveConns: { type: 8, kind: 'u32' }, // IPVS_DEST_ATTR_INACT_CONNS
  persistConns: { type: 9, kind: 'u32' }, // IPVS_DEST_ATTR_PERSIST_CONNS
  stats: { type: 10, kind: 'binary' }, // IPVS_DEST_ATTR_STATS (nested)
  family: { type: 11, kind: 'u16' }, // IPVS_DEST_ATTR_ADDR_FAMILY (Linux 3.18+)
  stats64: { type: 12, kind: 'binary' }, // IPVS_DEST_ATTR_STATS64 (nested)
  tunnelType: { type: 13, kind: 'u8' }, // IPVS_DEST_ATTR_TUN_TYPE (Linux 5.2+)
  tunnelPort: { type: 14, kind: 'be16' }, // IPVS_DEST_ATTR_TUN_PORT
  tunnelFlags: { type: 15, kind: 'u16' }, // IPVS_DEST_ATTR_TUN_FLAGS (Linux 5.3+)
} as const satisfies AttributeLayout;

/**
 * Inside IPVS_*_ATTR_STATS (u32 counts, u64 bytes) and IPVS_*_ATTR_STATS64 (all u64); both read
 * the same. Rates are per second, averaged by the kernel over a few seconds.
 */
const STATS_LAYOUT = {
  connections: { type: 1, kind: 'uint' }, // IPVS_STATS_ATTR_CONNS: connections scheduled
  packetsIn: { type: 2, kind: 'uint' }, // IPVS_STATS_ATTR_INPKTS
  packetsOut: { type: 3, kind: 'uint' }, // IPVS_STATS_ATTR_OUTPKTS
  bytesIn: { type: 4, kind: 'uint' }, // IPVS_STATS_ATTR_INBYTES
  bytesOut: { type: 5, kind: 'uint' }, // IPVS_STATS_ATTR_OUTBYTES
  connectionRate: { type: 6, kind: 'uint' }, // IPVS_STATS_ATTR_CPS
  packetRateIn: { type: 7, kind: 'uint' }, // IPVS_STATS_ATTR_INPPS
  packetRateOut: { type: 8, kind: 'uint' }, // IPVS_STATS_ATTR_OUTPPS
  byteRateIn: { type: 9, kind: 'uint' }, // IPVS_STATS_ATTR_INBPS
  byteRateOut: { type: 10, kind: 'uint' }, // IPVS_STATS_ATTR_OUTBPS
  // IPVS_STATS_ATTR_PAD (11) only aligns the u64s and is skipped.
} as const satisfies AttributeLayout;

const INFO_LAYOUT = {
  version: { type: 1, kind: 'u32' }, // IPVS_INFO_ATTR_VERSION: 0x010201 is 1.2.1
  connectionTableSize: { type: 2, kind: 'u32' }, // IPVS_INFO_ATTR_CONN_TAB_SIZE
} as const satisfies AttributeLayout;

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** What identifies a virtual service: protocol, address and port, or a firewall mark. */
export type ServiceKey =
  | { kind: 'addr'; family: Family; protocol: Protocol; address: string; port: number }
  | { kind: 'fwmark'; family: Family; mark: number };

/**
 * The service flags a user sets. The three scheduler flags mean what the scheduler makes of
 * them, so they are named by bit: sh and mh read flag 1 as "fallback" and flag 2 as "port"
 * (sh-fallback and mh-fallback are the same bit), others ignore them. SCHEDULER_FLAG_ALIASES
 * maps the names ipvsadm and keepalived.conf use. IP_VS_SVC_F_HASHED is the kernel's own.
 */
export interface ServiceFlags {
  /** IP_VS_SVC_F_PERSISTENT: a client sticks to one destination for `timeout` seconds. */
  persistent: boolean;
  /** IP_VS_SVC_F_ONEPACKET: schedule each UDP datagram on its own. */
  onePacket: boolean;
  /** IP_VS_SVC_F_SCHED1: sh-fallback, mh-fallback, flag-1. */
  schedulerFlag1: boolean;
  /** IP_VS_SVC_F_SCHED2: sh-port, mh-port, flag-2. */
  schedulerFlag2: boolean;
  /** IP_VS_SVC_F_SCHED3: flag-3; no scheduler in Linux reads it yet. */
  schedulerFlag3: boolean;
}

const SERVICE_FLAG_BITS: Readonly<Record<keyof ServiceFlags, number>> = {
  persistent: 0x1,
  onePacket: 0x4,
  schedulerFlag1: 0x8,
  schedulerFlag2: 0x10,
  schedulerFlag3: 0x20,
};
/** Sent as ip_vs_flags.mask: the kernel keeps the bits outside it (HASHED) as they are. */
const SETTABLE_SERVICE_FLAGS = Object.values(SERVICE_FLAG_BITS).reduce((all, bit) => all | bit, 0);

/** The scheduler flag names of ipvsadm (-b) and keepalived.conf, by the flag they set. */
export const SCHEDULER_FLAG_ALIASES = {
  'sh-fallback': 'schedulerFlag1',
  'mh-fallback': 'schedulerFlag1',
  'flag-1': 'schedulerFlag1',
  'sh-port': 'schedulerFlag2',
  'mh-port': 'schedulerFlag2',
  'flag-2': 'schedulerFlag2',
  'flag-3': 'schedulerFlag3',
} as const satisfies Record<string, keyof ServiceFlags>;

/** Counters and rates, as the kernel keeps them per service and per destination. */
export type Stats = Record<keyof typeof STATS_LAYOUT, number>;

/** Every counter at zero: what a destination the kernel sent no stats for has counted. */
export const NO_STATS: Readonly<Stats> = Object.freeze(
  Object.fromEntries(Object.keys(STATS_LAYOUT).map((field) => [field, 0])) as Stats,
);

export interface Service {
  key: ServiceKey;
  /** rr, wrr, lc, wlc, sh, mh, ...: the kernel loads ip_vs_<name> on first use. */
  scheduler: string;
  flags: ServiceFlags;
  /** Persistence timeout in seconds; the kernel keeps it whether or not the service is persistent. */
  timeout: number;
  /**
   * Persistence granularity as a prefix length: clients in one prefix share a destination.
   * IPv4 0 to 32 (the kernel keeps a dotted mask: 24 is 255.255.255.0), IPv6 1 to 128. A
   * service that is not persistent still has one: 32 or 128 by convention (ipvsadm's default).
   * Decoded, an IPv4 mask that is not a prefix (`ipvsadm -M 255.0.255.0`) is NOT_A_PREFIX.
   */
  netmask: number;
  /** A persistence engine ("sip"), when the service has one. */
  persistenceEngine?: string;
  /** Decoded only: what the kernel counted. Ignored when encoding. */
  stats?: Stats;
}

/** IP_VS_CONN_F_MASQ, _LOCALNODE, _TUNNEL and _DROUTE: NAT, local delivery, tunnel, direct routing. */
export type ForwardMethod = 'nat' | 'local' | 'tunnel' | 'route';

const FORWARD_METHODS: Readonly<Record<ForwardMethod, number>> = { nat: 0, local: 1, tunnel: 2, route: 3 };
/** IP_VS_CONN_F_FWD_MASK: the other conn_flags bits are not the forwarding method. */
const FORWARD_MASK = 0x7;

/** How a tunnel destination's packets are encapsulated (Linux 5.2+; IPIP before). */
export interface TunnelEncapsulation {
  type: 'ipip' | 'gue' | 'gre';
  /** The GUE destination port; 0 for IPIP and GRE. */
  port: number;
  /** IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM, _CSUM or _REMCSUM. */
  checksum: 'none' | 'csum' | 'remcsum';
}

const TUNNEL_TYPES: Readonly<Record<TunnelEncapsulation['type'], number>> = { ipip: 0, gue: 1, gre: 2 };
const TUNNEL_CHECKSUMS: Readonly<Record<TunnelEncapsulation['checksum'], number>> = { none: 0, csum: 1, remcsum: 2 };
/** What the kernel uses for a tunnel destination given no encapsulation, and all it had before 5.2. */
const DEFAULT_TUNNEL: TunnelEncapsulation = { type: 'ipip', port: 0, checksum: 'none' };

/** What identifies a destination within its service. */
export interface DestinationKey {
  /** Differs from the service's only for tunnel destinations (IPv4 real servers of an IPv6 service, say). */
  family: Family;
  address: string;
  port: number;
}

export interface Destination extends DestinationKey {
  forward: ForwardMethod;
  /** 0 to 2^31-1; 0 takes no new connections. */
  weight: number;
  /** Active connections above which the destination takes no new ones; 0 for no limit. */
  upperThreshold: number;
  /** Active connections below which an overloaded destination takes new ones again. */
  lowerThreshold: number;
  /** Only for `forward: 'tunnel'`: absent means IPIP; decoded tunnel destinations always have it. */
  tunnel?: TunnelEncapsulation;
  /** Decoded only, as are the counters below. */
  activeConns?: number;
  inactiveConns?: number;
  persistConns?: number;
  stats?: Stats;
}

export interface IpvsInfo {
  /** The IPVS version, e.g. "1.2.1". */
  version: string;
  /** Buckets in the connection hash table (ip_vs_conn_tab_bits, a module parameter). */
  connectionTableSize: number;
}

/** The connection timeouts of the whole table, in seconds (ipvsadm --set tcp tcpfin udp). */
export interface IpvsTimeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

// Linux's AF_INET and AF_INET6: fixed in its ABI, written here so that the codec stays pure.
const AF_INET = 2;
const AF_INET6 = 10;
const ADDRESS_FAMILIES: Readonly<Record<Family, number>> = { 4: AF_INET, 6: AF_INET6 };
const FAMILY_BY_NUMBER: ReadonlyMap<number, Family> = new Map([
  [AF_INET, 4],
  [AF_INET6, 6],
]);
const PROTOCOLS: Readonly<Record<Protocol, number>> = { tcp: 6, udp: 17, sctp: 132 };
/** sizeof(union nf_inet_addr): IPv4 addresses take its first 4 bytes. */
const INET_ADDR_LENGTH = 16;
/** IP_VS_SCHEDNAME_MAXLEN and IP_VS_PENAME_MAXLEN less the terminating NUL. */
const MAX_NAME_LENGTH = 15;

const namesByNumber = <K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> =>
  new Map(Object.entries<number>(table).map(([name, value]) => [value, name as K]));

const PROTOCOL_BY_NUMBER = namesByNumber(PROTOCOLS);
const FORWARD_BY_NUMBER = namesByNumber(FORWARD_METHODS);
const TUNNEL_TYPE_BY_NUMBER = namesByNumber(TUNNEL_TYPES);
const TUNNEL_CHECKSUM_BY_NUMBER = namesByNumber(TUNNEL_CHECKSUMS);

/** "TCP 192.0.2.10:80", "UDP [2001:db8::10]:53", "FWM 42 IPv4": as ipvsadm names services. */
export function describeService(key: ServiceKey): string {
  if (key.kind === 'fwmark') return `FWM ${key.mark} IPv${key.family}`;
  return `${key.protocol.toUpperCase()} ${describeDestination(key)}`;
}

/** "192.0.2.1:80", "[2001:db8::1]:80". */
export function describeDestination(destination: DestinationKey): string {
  const { family, address, port } = destination;
  return family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

// ---- encoding ----

/** A request for client.ts to send: what it does in words, the command and its attributes. */
export interface IpvsRequest {
  /** For error messages: "add IPVS service TCP 192.0.2.10:80". */
  operation: string;
  command: number;
  attributes: AttributeInput[];
}

function requireInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, not ${value}`);
  }
  return value;
}

function requireKnown<K extends PropertyKey>(table: Readonly<Record<K, number>>, name: K, what: string): number {
  if (!Object.hasOwn(table, name))
    throw new RangeError(`${what} must be one of ${Object.keys(table).join(', ')}, not ${String(name)}`);
  return table[name];
}

/** A scheduler or persistence engine name: the kernel takes at most 15 bytes. */
function requireName(name: string, what: string): string {
  if (!/^[\w-]+$/.test(name) || Buffer.byteLength(name) > MAX_NAME_LENGTH) {
    throw new RangeError(`${what} "${name}" must be 1 to ${MAX_NAME_LENGTH} letters, digits, '_' or '-'`);
  }
  return name;
}

/** A union nf_inet_addr: the address in network byte order, zero-padded to 16 bytes. */
function encodeAddress(family: Family, address: string, what: string): Buffer {
  const ip = parseIp(address);
  if (!ip || ip.family !== family) throw new RangeError(`${what}: "${address}" is not an IPv${family} address`);
  const union = Buffer.alloc(INET_ADDR_LENGTH);
  union.set(ip.bytes);
  return union;
}

const be16 = (value: number): Buffer => {
  const data = Buffer.alloc(2);
  data.writeUInt16BE(value);
  return data;
};

/** IPv4: the dotted mask in network byte order; IPv6: the prefix length itself, in host byte order. */
function encodeNetmask(family: Family, prefix: number, what: string): Buffer {
  const data = Buffer.alloc(4);
  if (family === 6) {
    writeU32(data, requireInteger(prefix, 1, 128, `${what}: IPv6 persistence netmask`), 0);
  } else {
    requireInteger(prefix, 0, 32, `${what}: IPv4 persistence netmask`);
    data.writeUInt32BE(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
  }
  return data;
}

/** struct ip_vs_flags: the flags, then the mask of those this request sets. */
function encodeServiceFlags(flags: ServiceFlags): Buffer {
  const data = Buffer.alloc(8);
  const bits = Object.entries(SERVICE_FLAG_BITS).reduce(
    (all, [name, bit]) => (flags[name as keyof ServiceFlags] ? all | bit : all),
    0,
  );
  writeU32(data, bits, 0);
  writeU32(data, SETTABLE_SERVICE_FLAGS, 4);
  return data;
}

function serviceKeyAttributes(key: ServiceKey): AttributeInput[] {
  const what = `IPVS service ${describeService(key)}`;
  const family = attribute.u16(
    SERVICE_LAYOUT.family.type,
    requireKnown(ADDRESS_FAMILIES, key.family, `${what}: family`),
  );
  if (key.kind === 'fwmark') {
    // Mark 0 would mean "not a fwmark service" to the kernel.
    return [
      family,
      attribute.u32(SERVICE_LAYOUT.fwmark.type, requireInteger(key.mark, 1, 0xffffffff, `${what}: fwmark`)),
    ];
  }
  return [
    family,
    attribute.u16(SERVICE_LAYOUT.protocol.type, requireKnown(PROTOCOLS, key.protocol, `${what}: protocol`)),
    attribute.bytes(SERVICE_LAYOUT.address.type, encodeAddress(key.family, key.address, what)),
    attribute.bytes(SERVICE_LAYOUT.port.type, be16(requireInteger(key.port, 0, 0xffff, `${what}: port`))),
  ];
}

/** IPVS_CMD_ATTR_SERVICE holding the key alone: enough to name a service. */
const serviceKeyNest = (key: ServiceKey): AttributeInput =>
  attribute.nested(COMMAND_LAYOUT.service.type, serviceKeyAttributes(key));

/** IPVS_CMD_ATTR_SERVICE with everything NEW_SERVICE and SET_SERVICE require. */
function serviceNest(service: Service): AttributeInput {
  const what = `IPVS service ${describeService(service.key)}`;
  return attribute.nested(COMMAND_LAYOUT.service.type, [
    ...serviceKeyAttributes(service.key),
    attribute.string(SERVICE_LAYOUT.scheduler.type, requireName(service.scheduler, `${what}: scheduler`)),
    attribute.bytes(SERVICE_LAYOUT.flags.type, encodeServiceFlags(service.flags)),
    attribute.u32(
      SERVICE_LAYOUT.timeout.type,
      requireInteger(service.timeout, 0, 0xffffffff, `${what}: persistence timeout`),
    ),
    attribute.bytes(SERVICE_LAYOUT.netmask.type, encodeNetmask(service.key.family, service.netmask, what)),
    ...(service.persistenceEngine === undefined
      ? []
      : [
          attribute.string(
            SERVICE_LAYOUT.persistenceEngine.type,
            requireName(service.persistenceEngine, `${what}: persistence engine`),
          ),
        ]),
  ]);
}

function destinationKeyAttributes(destination: DestinationKey, what: string): AttributeInput[] {
  return [
    attribute.bytes(DESTINATION_LAYOUT.address.type, encodeAddress(destination.family, destination.address, what)),
    attribute.bytes(DESTINATION_LAYOUT.port.type, be16(requireInteger(destination.port, 0, 0xffff, `${what}: port`))),
  ];
}

/** The address family goes last, in type order; kernels before 3.18 skip it and use the service's. */
const destinationFamily = (destination: DestinationKey, what: string): AttributeInput =>
  attribute.u16(DESTINATION_LAYOUT.family.type, requireKnown(ADDRESS_FAMILIES, destination.family, `${what}: family`));

/**
 * IPVS_CMD_ATTR_DEST with everything NEW_DEST and SET_DEST require. The combinations the kernel
 * refuses with a bare EINVAL or ERANGE are refused here first, with the reason.
 */
function destinationNest(serviceFamily: Family, destination: Destination, what: string): AttributeInput {
  const { forward, tunnel, upperThreshold, lowerThreshold } = destination;
  const attributes = [
    ...destinationKeyAttributes(destination, what),
    attribute.u32(
      DESTINATION_LAYOUT.forward.type,
      requireKnown(FORWARD_METHODS, forward, `${what}: forwarding method`),
    ),
    attribute.u32(DESTINATION_LAYOUT.weight.type, requireInteger(destination.weight, 0, 0x7fffffff, `${what}: weight`)),
    attribute.u32(
      DESTINATION_LAYOUT.upperThreshold.type,
      requireInteger(upperThreshold, 0, 0xffffffff, `${what}: upper threshold`),
    ),
    attribute.u32(
      DESTINATION_LAYOUT.lowerThreshold.type,
      requireInteger(lowerThreshold, 0, 0xffffffff, `${what}: lower threshold`),
    ),
    destinationFamily(destination, what),
  ];
  if (lowerThreshold > upperThreshold) {
    // ERANGE from the kernel, even when the upper threshold is 0 (no limit).
    throw new RangeError(
      `${what}: the lower threshold ${lowerThreshold} is above the upper threshold ${upperThreshold}`,
    );
  }
  if (destination.family !== serviceFamily && forward !== 'tunnel') {
    throw new RangeError(
      `${what}: only a tunnel destination can be IPv${destination.family} in an IPv${serviceFamily} service, not a ${forward} one`,
    );
  }
  if (tunnel && forward !== 'tunnel')
    throw new RangeError(`${what}: a tunnel encapsulation is given for a ${forward} destination`);
  if (tunnel) {
    const portMinimum = tunnel.type === 'gue' ? 1 : 0;
    // Sent only when asked for: kernels before 5.2 ignore these, and would tunnel with IPIP.
    attributes.push(
      attribute.u8(DESTINATION_LAYOUT.tunnelType.type, requireKnown(TUNNEL_TYPES, tunnel.type, `${what}: tunnel type`)),
      attribute.bytes(
        DESTINATION_LAYOUT.tunnelPort.type,
        be16(requireInteger(tunnel.port, portMinimum, 0xffff, `${what}: ${tunnel.type} tunnel port`)),
      ),
      attribute.u16(
        DESTINATION_LAYOUT.tunnelFlags.type,
        requireKnown(TUNNEL_CHECKSUMS, tunnel.checksum, `${what}: tunnel checksum`),
      ),
    );
  }
  return attribute.nested(COMMAND_LAYOUT.destination.type, attributes);
}

const serviceChange =
  (command: number, verb: string) =>
  (service: Service): IpvsRequest => ({
    operation: `${verb} IPVS service ${describeService(service.key)}`,
    command,
    attributes: [serviceNest(service)],
  });

const destinationChange =
  (command: number, verb: string, preposition: string) =>
  (key: ServiceKey, destination: Destination): IpvsRequest => {
    const operation = `${verb} destination ${describeDestination(destination)} ${preposition} IPVS service ${describeService(key)}`;
    return {
      operation,
      command,
      attributes: [serviceKeyNest(key), destinationNest(key.family, destination, operation)],
    };
  };

/**
 * The requests vigil sends. Building one validates it: a value the kernel would refuse or
 * misread (a port above 65535, an address of the other family) throws a RangeError naming it.
 */
export const ipvsRequest = {
  info: (): IpvsRequest => ({ operation: 'read IPVS info', command: IPVS_CMD.GET_INFO, attributes: [] }),
  /** Sent as a dump. */
  listServices: (): IpvsRequest => ({ operation: 'list IPVS services', command: IPVS_CMD.GET_SERVICE, attributes: [] }),
  /** Sent as a dump; for a service that does not exist the kernel answers with no destinations, not an error. */
  listDestinations: (key: ServiceKey): IpvsRequest => ({
    operation: `list the destinations of IPVS service ${describeService(key)}`,
    command: IPVS_CMD.GET_DEST,
    attributes: [serviceKeyNest(key)],
  }),
  getTimeouts: (): IpvsRequest => ({
    operation: 'read IPVS timeouts',
    command: IPVS_CMD.GET_CONFIG,
    attributes: [],
  }),
  /** Only the timeouts given, and not 0: the kernel keeps the others (as it takes 0 too). */
  setTimeouts: (timeouts: Partial<IpvsTimeouts>): IpvsRequest => {
    const given = Object.entries(timeouts).filter(([, seconds]) => seconds !== undefined && seconds !== 0);
    return {
      operation: `set IPVS timeouts ${given.map(([name, seconds]) => `${name} ${seconds}`).join(' ')}`,
      command: IPVS_CMD.SET_CONFIG,
      attributes: given.map(([name, seconds]) =>
        attribute.u32(
          TIMEOUT_LAYOUT[name as keyof IpvsTimeouts].type,
          requireInteger(seconds!, 1, 0xffff_ffff, `IPVS timeout ${name}`),
        ),
      ),
    };
  },
  addService: serviceChange(IPVS_CMD.NEW_SERVICE, 'add'),
  editService: serviceChange(IPVS_CMD.SET_SERVICE, 'edit'),
  removeService: (key: ServiceKey): IpvsRequest => ({
    operation: `remove IPVS service ${describeService(key)}`,
    command: IPVS_CMD.DEL_SERVICE,
    attributes: [serviceKeyNest(key)],
  }),
  addDestination: destinationChange(IPVS_CMD.NEW_DEST, 'add', 'to'),
  editDestination: destinationChange(IPVS_CMD.SET_DEST, 'edit', 'of'),
  removeDestination: (key: ServiceKey, destination: DestinationKey): IpvsRequest => {
    const operation = `remove destination ${describeDestination(destination)} from IPVS service ${describeService(key)}`;
    const attributes = [...destinationKeyAttributes(destination, operation), destinationFamily(destination, operation)];
    return {
      operation,
      command: IPVS_CMD.DEL_DEST,
      attributes: [serviceKeyNest(key), attribute.nested(COMMAND_LAYOUT.destination.type, attributes)],
    };
  },
};

// ---- decoding ----
// Replies that do not fit the model throw a NetlinkFormatError saying which entry and why; the
// kernel never sends such, so they point at a bug or at a kernel newer than this code.

function required<T>(value: T | undefined, where: string, field: string): T {
  if (value === undefined) throw new NetlinkFormatError(`${where}: the ${field} attribute is missing`);
  return value;
}

function known<K>(names: ReadonlyMap<number, K>, value: number, where: string, what: string): K {
  const name = names.get(value);
  if (name === undefined) throw new NetlinkFormatError(`${where}: ${what} ${value} is not one vigil knows`);
  return name;
}

/** The nest a reply carries in IPVS_CMD_ATTR_SERVICE or IPVS_CMD_ATTR_DEST. */
function commandNest(message: GenericMessage, field: keyof typeof COMMAND_LAYOUT): Buffer {
  return required(decodeAttributeLayout(message.attributes, COMMAND_LAYOUT, 'IPVS reply')[field], 'IPVS reply', field);
}

const decodeFamily = (value: number, where: string): Family => known(FAMILY_BY_NUMBER, value, where, 'address family');

function decodeAddress(data: Buffer, family: Family, where: string): string {
  const length = family === 4 ? 4 : 16;
  if (data.length < length || data.length > INET_ADDR_LENGTH) {
    throw new NetlinkFormatError(
      `${where}: a ${data.length}-byte address attribute cannot hold an IPv${family} address`,
    );
  }
  return formatIp(data.subarray(0, length));
}

/** The netmask of a service whose IPv4 persistence mask is not a prefix (only a foreign one can be). */
export const NOT_A_PREFIX = -1;

function decodeNetmask(data: Buffer, family: Family, where: string): number {
  if (data.length !== 4)
    throw new NetlinkFormatError(`${where}: the netmask attribute is ${data.length} bytes, expected 4`);
  if (family === 6) {
    const prefix = readU32(data, 0);
    if (prefix < 1 || prefix > 128)
      throw new NetlinkFormatError(`${where}: IPv6 netmask ${prefix} is not a prefix length`);
    return prefix;
  }
  const mask = data.readUInt32BE(0);
  const hostBits = ~mask >>> 0;
  // A prefix's host part is all ones from the bottom: one more is a power of two. The kernel
  // takes any IPv4 mask, so someone else's service may have another; reading the table must not
  // fail over it (nor must it ever equal a prefix vigild wants).
  if ((hostBits & (hostBits + 1)) !== 0) return NOT_A_PREFIX;
  return 32 - Math.log2(hostBits + 1);
}

function decodeServiceFlags(data: Buffer, where: string): ServiceFlags {
  if (data.length !== 8)
    throw new NetlinkFormatError(
      `${where}: the flags attribute is ${data.length} bytes, expected 8 (struct ip_vs_flags)`,
    );
  const bits = readU32(data, 0);
  const flags = {} as ServiceFlags;
  for (const [name, bit] of Object.entries(SERVICE_FLAG_BITS)) flags[name as keyof ServiceFlags] = (bits & bit) !== 0;
  return flags;
}

/** STATS64 where the kernel sends it (Linux 4.1+), else STATS. */
function decodeStats(nest: Buffer | undefined, where: string): Stats | undefined {
  if (!nest) return undefined;
  const statsWhere = `${where}: stats`;
  const decoded = decodeAttributeLayout(nest, STATS_LAYOUT, statsWhere);
  const stats = {} as Stats;
  for (const field of Object.keys(STATS_LAYOUT) as (keyof Stats)[])
    stats[field] = required(decoded[field], statsWhere, field);
  return stats;
}

function decodeServiceKey(attributes: DecodedAttributes<typeof SERVICE_LAYOUT>): ServiceKey {
  const where = 'IPVS service';
  const family = decodeFamily(required(attributes.family, where, 'family'), where);
  // The kernel sends FWMARK for fwmark services only, and never a mark of 0.
  if (attributes.fwmark) return { kind: 'fwmark', family, mark: attributes.fwmark };
  return {
    kind: 'addr',
    family,
    protocol: known(PROTOCOL_BY_NUMBER, required(attributes.protocol, where, 'protocol'), where, 'protocol'),
    address: decodeAddress(required(attributes.address, where, 'address'), family, where),
    port: required(attributes.port, where, 'port'),
  };
}

/** One part of a GET_SERVICE dump (the kernel's NEW_SERVICE messages). */
export function decodeService(message: GenericMessage): Service {
  const attributes = decodeAttributeLayout(commandNest(message, 'service'), SERVICE_LAYOUT, 'IPVS service');
  const key = decodeServiceKey(attributes);
  const where = `IPVS service ${describeService(key)}`;
  const service: Service = {
    key,
    scheduler: required(attributes.scheduler, where, 'scheduler'),
    flags: decodeServiceFlags(required(attributes.flags, where, 'flags'), where),
    timeout: required(attributes.timeout, where, 'timeout'),
    netmask: decodeNetmask(required(attributes.netmask, where, 'netmask'), key.family, where),
  };
  if (attributes.persistenceEngine) service.persistenceEngine = attributes.persistenceEngine;
  const stats = decodeStats(attributes.stats64 ?? attributes.stats, where);
  if (stats) service.stats = stats;
  return service;
}

/**
 * One part of a GET_DEST dump (the kernel's NEW_DEST messages). `serviceFamily` is the family
 * of the service listed: kernels before 3.18 do not say a destination's own.
 */
export function decodeDestination(message: GenericMessage, serviceFamily: Family): Destination {
  const attributes = decodeAttributeLayout(commandNest(message, 'destination'), DESTINATION_LAYOUT, 'IPVS destination');
  const family = attributes.family === undefined ? serviceFamily : decodeFamily(attributes.family, 'IPVS destination');
  const address = decodeAddress(
    required(attributes.address, 'IPVS destination', 'address'),
    family,
    'IPVS destination',
  );
  const port = required(attributes.port, `IPVS destination ${address}`, 'port');
  const where = `IPVS destination ${describeDestination({ family, address, port })}`;
  const forward = known(
    FORWARD_BY_NUMBER,
    required(attributes.forward, where, 'forward') & FORWARD_MASK,
    where,
    'forwarding method',
  );
  const destination: Destination = {
    family,
    address,
    port,
    forward,
    weight: required(attributes.weight, where, 'weight'),
    upperThreshold: required(attributes.upperThreshold, where, 'upperThreshold'),
    lowerThreshold: required(attributes.lowerThreshold, where, 'lowerThreshold'),
  };
  if (forward === 'tunnel') {
    // Kernels before 5.2 send no tunnel attributes: they tunnel with IPIP only.
    destination.tunnel = {
      type: known(
        TUNNEL_TYPE_BY_NUMBER,
        attributes.tunnelType ?? TUNNEL_TYPES[DEFAULT_TUNNEL.type],
        where,
        'tunnel type',
      ),
      port: attributes.tunnelPort ?? DEFAULT_TUNNEL.port,
      checksum: known(
        TUNNEL_CHECKSUM_BY_NUMBER,
        attributes.tunnelFlags ?? TUNNEL_CHECKSUMS[DEFAULT_TUNNEL.checksum],
        where,
        'tunnel flags',
      ),
    };
  }
  if (attributes.activeConns !== undefined) destination.activeConns = attributes.activeConns;
  if (attributes.inactiveConns !== undefined) destination.inactiveConns = attributes.inactiveConns;
  if (attributes.persistConns !== undefined) destination.persistConns = attributes.persistConns;
  const stats = decodeStats(attributes.stats64 ?? attributes.stats, where);
  if (stats) destination.stats = stats;
  return destination;
}

/** The answer to GET_INFO (the kernel's SET_INFO message). */
export function decodeInfo(message: GenericMessage): IpvsInfo {
  const where = 'IPVS info';
  const attributes = decodeAttributeLayout(message.attributes, INFO_LAYOUT, where);
  const version = required(attributes.version, where, 'version');
  return {
    version: [version >> 16, version >> 8, version].map((part) => part & 0xff).join('.'),
    connectionTableSize: required(attributes.connectionTableSize, where, 'connectionTableSize'),
  };
}

/** The answer to GET_CONFIG. */
export function decodeTimeouts(message: GenericMessage): IpvsTimeouts {
  const where = 'IPVS timeouts';
  const attributes = decodeAttributeLayout(message.attributes, TIMEOUT_LAYOUT, where);
  return {
    tcp: required(attributes.tcp, where, 'tcp'),
    tcpFin: required(attributes.tcpFin, where, 'tcpFin'),
    udp: required(attributes.udp, where, 'udp'),
  };
}
