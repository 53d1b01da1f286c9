import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import {
  type Destination,
  decodeDestination,
  decodeInfo,
  decodeService,
  decodeTimeouts,
  describeService,
  IPVS_CMD,
  IPVS_GENL_VERSION,
  type IpvsRequest,
  ipvsRequest,
  NOT_A_PREFIX,
  SCHEDULER_FLAG_ALIASES,
  type Service,
  type ServiceFlags,
  type ServiceKey,
  type Stats,
} from '../../../src/ipvs/codec.js';
import { encodeGenericPayload, type GenericMessage } from '../../../src/net/genetlink.js';
import { encodeAttributes, NetlinkFormatError } from '../../../src/net/netlink-codec.js';
import { cString, nest, tlv, u16, u32 } from '../../helpers/netlink-bytes.js';

// Netlink is in host byte order; the byte-exact expectations are written for little-endian hosts.
const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };

const hex = (text: string): string => text.replace(/\s+/g, '');
/** What goes on the wire after the nlmsghdr: genlmsghdr, then the request's attributes. */
const wire = (request: IpvsRequest): string =>
  encodeGenericPayload(request.command, IPVS_GENL_VERSION, request.attributes).toString('hex');

const NO_FLAGS: ServiceFlags = {
  persistent: false,
  onePacket: false,
  schedulerFlag1: false,
  schedulerFlag2: false,
  schedulerFlag3: false,
};

const tcpKey: ServiceKey = { kind: 'addr', family: 4, protocol: 'tcp', address: '192.0.2.10', port: 80 };
const tcpService: Service = { key: tcpKey, scheduler: 'wrr', flags: NO_FLAGS, timeout: 0, netmask: 32 };
const udp6Service: Service = {
  key: { kind: 'addr', family: 6, protocol: 'udp', address: '2001:db8::10', port: 53 },
  scheduler: 'rr',
  flags: { ...NO_FLAGS, persistent: true },
  timeout: 300,
  netmask: 64,
};
const fwmarkService: Service = {
  key: { kind: 'fwmark', family: 4, mark: 42 },
  scheduler: 'sh',
  flags: { ...NO_FLAGS, schedulerFlag1: true, schedulerFlag2: true },
  timeout: 0,
  netmask: 32,
};
const directRouted: Destination = {
  family: 4,
  address: '198.51.100.1',
  port: 80,
  forward: 'route',
  weight: 1,
  upperThreshold: 0,
  lowerThreshold: 0,
};

// IPVS_CMD_ATTR_SERVICE holding the key of tcpService: AF_INET, TCP, 192.0.2.10, port 80.
const TCP_KEY_ATTRIBUTES = hex(`
  0600 0100 0200 0000
  0600 0200 0600 0000
  1400 0300 c000020a 00000000 00000000 00000000
  0600 0400 0050 0000`);
const TCP_KEY_NEST = hex('3000 0180') + TCP_KEY_ATTRIBUTES;

describe('encoding services', () => {
  test(
    'a TCP IPv4 service: family, protocol, the address union, port, scheduler, flags, timeout, netmask',
    littleEndianOnly,
    () => {
      assert.equal(
        wire(ipvsRequest.addService(tcpService)),
        hex(
          `01010000
        5400 0180` +
            TCP_KEY_ATTRIBUTES +
            `
        0800 0600 77727200
        0c00 0700 00000000 3d000000
        0800 0800 00000000
        0800 0900 ffffffff`,
        ),
      );
    },
  );

  test('a persistent UDP IPv6 service: the netmask is the prefix length in host byte order', littleEndianOnly, () => {
    assert.equal(
      wire(ipvsRequest.addService(udp6Service)),
      hex(`01010000
        5400 0180
        0600 0100 0a00 0000
        0600 0200 1100 0000
        1400 0300 20010db8 00000000 00000000 00000010
        0600 0400 0035 0000
        0700 0600 727200 00
        0c00 0700 01000000 3d000000
        0800 0800 2c010000
        0800 0900 40000000`),
    );
  });

  test('a fwmark service is named by family and mark alone', littleEndianOnly, () => {
    assert.equal(
      wire(ipvsRequest.addService(fwmarkService)),
      hex(`01010000
        3800 0180
        0600 0100 0200 0000
        0800 0500 2a000000
        0700 0600 736800 00
        0c00 0700 18000000 3d000000
        0800 0800 00000000
        0800 0900 ffffffff`),
    );
  });

  test('a persistence engine follows the netmask', littleEndianOnly, () => {
    const request = ipvsRequest.addService({
      ...tcpService,
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 60,
      persistenceEngine: 'sip',
    });
    assert.ok(wire(request).endsWith(hex('0800 0900 ffffffff  0800 0b00 73697000')));
  });

  test('each flag sets its bit; the mask always covers every settable flag and never HASHED', littleEndianOnly, () => {
    const flagsAttribute = (flags: ServiceFlags): string => {
      const encoded = wire(ipvsRequest.addService({ ...tcpService, flags }));
      return encoded.slice(encoded.indexOf('0c000700') + 8, encoded.indexOf('0c000700') + 24);
    };
    const bits: [keyof ServiceFlags, string][] = [
      ['persistent', '01000000'],
      ['onePacket', '04000000'],
      ['schedulerFlag1', '08000000'],
      ['schedulerFlag2', '10000000'],
      ['schedulerFlag3', '20000000'],
    ];
    for (const [flag, bit] of bits) assert.equal(flagsAttribute({ ...NO_FLAGS, [flag]: true }), `${bit}3d000000`, flag);
    assert.equal(
      flagsAttribute({
        persistent: true,
        onePacket: true,
        schedulerFlag1: true,
        schedulerFlag2: true,
        schedulerFlag3: true,
      }),
      '3d0000003d000000',
    );
  });

  test('sh and mh share the scheduler flag bits; keepalived and ipvsadm names map onto them', () => {
    assert.equal(SCHEDULER_FLAG_ALIASES['sh-fallback'], SCHEDULER_FLAG_ALIASES['mh-fallback']);
    assert.equal(SCHEDULER_FLAG_ALIASES['sh-port'], SCHEDULER_FLAG_ALIASES['mh-port']);
    assert.equal(SCHEDULER_FLAG_ALIASES['flag-3'], 'schedulerFlag3');
  });

  test('IPv4 persistence netmasks go as dotted masks in network byte order', littleEndianOnly, () => {
    const netmaskAttribute = (netmask: number): string =>
      wire(ipvsRequest.addService({ ...tcpService, netmask })).slice(-8);
    assert.equal(netmaskAttribute(32), 'ffffffff');
    assert.equal(netmaskAttribute(24), 'ffffff00');
    assert.equal(netmaskAttribute(1), '80000000');
    assert.equal(netmaskAttribute(0), '00000000');
  });

  test('ports go in network byte order', () => {
    const portAttribute = (port: number): string => {
      const encoded = wire(ipvsRequest.removeService({ ...tcpKey, port }));
      return encoded.slice(-8);
    };
    assert.equal(portAttribute(443), '01bb0000');
    assert.equal(portAttribute(0x1234), '12340000');
    assert.equal(portAttribute(65535), 'ffff0000');
  });

  test('removing a service and listing its destinations send the key alone', littleEndianOnly, () => {
    assert.equal(wire(ipvsRequest.removeService(tcpKey)), `03010000${TCP_KEY_NEST}`);
    assert.equal(wire(ipvsRequest.listDestinations(tcpKey)), `08010000${TCP_KEY_NEST}`);
  });

  test('info and the service list carry no attributes', () => {
    assert.equal(wire(ipvsRequest.info()), '0f010000');
    assert.equal(wire(ipvsRequest.listServices()), '04010000');
  });

  test(
    'connection timeouts: SET_CONFIG with the ones given and not 0, in seconds; GET_CONFIG bare',
    littleEndianOnly,
    () => {
      // TIMEOUT_TCP (4) 7200, TIMEOUT_UDP (6) 60; TIMEOUT_TCP_FIN (5) is 0, so the kernel keeps it.
      assert.equal(
        wire(ipvsRequest.setTimeouts({ tcp: 7200, tcpFin: 0, udp: 60 })),
        `0c010000${hex('0800 0400 201c0000 0800 0600 3c000000')}`,
      );
      assert.equal(wire(ipvsRequest.getTimeouts()), '0d010000');
      assert.throws(() => ipvsRequest.setTimeouts({ udp: 1.5 }), RangeError);
    },
  );

  test('editing sends SET_SERVICE with every field, as adding does', () => {
    const edit = ipvsRequest.editService(tcpService);
    assert.equal(edit.command, IPVS_CMD.SET_SERVICE);
    assert.deepEqual(edit.attributes, ipvsRequest.addService(tcpService).attributes);
  });

  test('requests name their operation', () => {
    assert.equal(ipvsRequest.addService(tcpService).operation, 'add IPVS service TCP 192.0.2.10:80');
    assert.equal(ipvsRequest.editService(udp6Service).operation, 'edit IPVS service UDP [2001:db8::10]:53');
    assert.equal(ipvsRequest.removeService(fwmarkService.key).operation, 'remove IPVS service FWM 42 IPv4');
    assert.equal(
      ipvsRequest.addDestination(tcpKey, directRouted).operation,
      'add destination 198.51.100.1:80 to IPVS service TCP 192.0.2.10:80',
    );
    assert.equal(
      ipvsRequest.editDestination(tcpKey, directRouted).operation,
      'edit destination 198.51.100.1:80 of IPVS service TCP 192.0.2.10:80',
    );
    assert.equal(
      ipvsRequest.removeDestination(tcpKey, directRouted).operation,
      'remove destination 198.51.100.1:80 from IPVS service TCP 192.0.2.10:80',
    );
  });
});

describe('encoding destinations', () => {
  test(
    'a direct-routed destination: the service key, then address, port, method, weight, thresholds, family',
    littleEndianOnly,
    () => {
      assert.equal(
        wire(ipvsRequest.addDestination(tcpKey, directRouted)),
        hex(
          `05010000` +
            TCP_KEY_NEST +
            `
        4800 0280
        1400 0100 c6336401 00000000 00000000 00000000
        0600 0200 0050 0000
        0800 0300 03000000
        0800 0400 01000000
        0800 0500 00000000
        0800 0600 00000000
        0600 0b00 0200 0000`,
        ),
      );
    },
  );

  test('a NAT destination on another port, with thresholds', littleEndianOnly, () => {
    const nat: Destination = {
      family: 4,
      address: '10.0.0.5',
      port: 8080,
      forward: 'nat',
      weight: 5,
      upperThreshold: 100,
      lowerThreshold: 10,
    };
    assert.equal(
      wire(ipvsRequest.editDestination(tcpKey, nat)),
      hex(
        `06010000` +
          TCP_KEY_NEST +
          `
        4800 0280
        1400 0100 0a000005 00000000 00000000 00000000
        0600 0200 1f90 0000
        0800 0300 00000000
        0800 0400 05000000
        0800 0500 64000000
        0800 0600 0a000000
        0600 0b00 0200 0000`,
      ),
    );
  });

  test('a tunnel destination sends its encapsulation only when given one', littleEndianOnly, () => {
    const tunnel: Destination = { ...directRouted, address: '198.51.100.3', forward: 'tunnel', weight: 2 };
    const plain = wire(ipvsRequest.addDestination(tcpKey, tunnel));
    assert.ok(
      plain.includes(hex('4800 0280')) &&
        plain.endsWith(
          hex('0800 0300 02000000  0800 0400 02000000  0800 0500 00000000  0800 0600 00000000  0600 0b00 0200 0000'),
        ),
    );
    const gue = wire(
      ipvsRequest.addDestination(tcpKey, { ...tunnel, tunnel: { type: 'gue', port: 5555, checksum: 'csum' } }),
    );
    assert.ok(gue.includes(hex('6000 0280')));
    assert.ok(gue.endsWith(hex('0600 0b00 0200 0000  0500 0d00 01000000  0600 0e00 15b3 0000  0600 0f00 0100 0000')));
  });

  test('an IPv6 destination fills the whole address union', littleEndianOnly, () => {
    const destination: Destination = { ...directRouted, family: 6, address: '2001:db8::1:2' };
    const encoded = wire(ipvsRequest.addDestination(udp6Service.key, destination));
    assert.ok(encoded.includes(hex('1400 0100 20010db8 00000000 00000000 00010002')));
    assert.ok(encoded.endsWith(hex('0600 0b00 0a00 0000')));
  });

  test('an IPv4 tunnel destination may serve an IPv6 service', littleEndianOnly, () => {
    const destination: Destination = { ...directRouted, forward: 'tunnel' };
    assert.ok(wire(ipvsRequest.addDestination(udp6Service.key, destination)).endsWith(hex('0600 0b00 0200 0000')));
  });

  test('an IPv4 address is padded with zeros to the 16-byte union', littleEndianOnly, () => {
    const encoded = wire(ipvsRequest.addDestination(tcpKey, { ...directRouted, address: '255.255.255.255' }));
    assert.ok(encoded.includes(hex('1400 0100 ffffffff 00000000 00000000 00000000')));
  });

  test('removing a destination sends its address, port and family only', littleEndianOnly, () => {
    assert.equal(
      wire(ipvsRequest.removeDestination(tcpKey, { family: 4, address: '198.51.100.1', port: 80 })),
      hex(
        `07010000` +
          TCP_KEY_NEST +
          `
        2800 0280
        1400 0100 c6336401 00000000 00000000 00000000
        0600 0200 0050 0000
        0600 0b00 0200 0000`,
      ),
    );
  });
});

describe('requests the kernel would refuse or misread are not built', () => {
  const refusals: [string, () => unknown, RegExp][] = [
    [
      'a port above 65535',
      () => ipvsRequest.addService({ ...tcpService, key: { ...tcpKey, port: 65536 } }),
      /TCP 192.0.2.10:65536: port must be an integer from 0 to 65535/,
    ],
    ['a fractional port', () => ipvsRequest.removeService({ ...tcpKey, port: 80.5 }), /port must be an integer/],
    [
      'fwmark 0',
      () => ipvsRequest.removeService({ kind: 'fwmark', family: 4, mark: 0 }),
      /FWM 0 IPv4: fwmark must be an integer from 1 to 4294967295/,
    ],
    [
      'an IPv4 address in an IPv6 key',
      () => ipvsRequest.removeService({ ...tcpKey, family: 6 }),
      /"192.0.2.10" is not an IPv6 address/,
    ],
    [
      'text that is no address',
      () => ipvsRequest.removeService({ ...tcpKey, address: 'example.com' }),
      /"example.com" is not an IPv4 address/,
    ],
    [
      'an unknown protocol',
      () => ipvsRequest.removeService({ ...tcpKey, protocol: 'icmp' as 'tcp' }),
      /protocol must be one of tcp, udp, sctp, not icmp/,
    ],
    [
      'a scheduler name longer than 15 bytes',
      () => ipvsRequest.addService({ ...tcpService, scheduler: 'a'.repeat(16) }),
      /scheduler "a{16}" must be 1 to 15/,
    ],
    [
      'an empty scheduler name',
      () => ipvsRequest.addService({ ...tcpService, scheduler: '' }),
      /scheduler "" must be 1 to 15/,
    ],
    [
      'an IPv4 netmask of 33',
      () => ipvsRequest.addService({ ...tcpService, netmask: 33 }),
      /IPv4 persistence netmask must be an integer from 0 to 32/,
    ],
    [
      'an IPv6 netmask of 0',
      () => ipvsRequest.addService({ ...udp6Service, netmask: 0 }),
      /IPv6 persistence netmask must be an integer from 1 to 128/,
    ],
    [
      'a negative weight',
      () => ipvsRequest.addDestination(tcpKey, { ...directRouted, weight: -1 }),
      /weight must be an integer from 0 to 2147483647/,
    ],
    [
      'a weight above INT_MAX',
      () => ipvsRequest.addDestination(tcpKey, { ...directRouted, weight: 2 ** 31 }),
      /weight must be an integer/,
    ],
    [
      'an unknown forwarding method',
      () => ipvsRequest.addDestination(tcpKey, { ...directRouted, forward: 'bypass' as 'nat' }),
      /forwarding method must be one of nat, local, tunnel, route/,
    ],
    [
      'a lower threshold above the upper',
      () => ipvsRequest.addDestination(tcpKey, { ...directRouted, upperThreshold: 5, lowerThreshold: 10 }),
      /the lower threshold 10 is above the upper threshold 5/,
    ],
    [
      'a lower threshold without an upper',
      () => ipvsRequest.editDestination(tcpKey, { ...directRouted, lowerThreshold: 1 }),
      /the lower threshold 1 is above the upper threshold 0/,
    ],
    [
      'an IPv6 routed destination of an IPv4 service',
      () => ipvsRequest.addDestination(tcpKey, { ...directRouted, family: 6, address: '2001:db8::1' }),
      /only a tunnel destination can be IPv6 in an IPv4 service, not a route one/,
    ],
    [
      'a GUE tunnel without a port',
      () =>
        ipvsRequest.addDestination(tcpKey, {
          ...directRouted,
          forward: 'tunnel',
          tunnel: { type: 'gue', port: 0, checksum: 'none' },
        }),
      /gue tunnel port must be an integer from 1 to 65535/,
    ],
    [
      'a tunnel encapsulation on a routed destination',
      () => ipvsRequest.addDestination(tcpKey, { ...directRouted, tunnel: { type: 'gre', port: 0, checksum: 'none' } }),
      /tunnel encapsulation is given for a route destination/,
    ],
  ];
  for (const [what, build, message] of refusals) {
    test(what, () =>
      assert.throws(build, (error: unknown) => error instanceof RangeError && message.test(error.message)),
    );
  }
});

// ---- replies, built by hand from ip_vs.h as the kernel writes them: nests without NLA_F_NESTED ----

const u64 = (value: number): Buffer => {
  const data = Buffer.alloc(8);
  data.writeBigUInt64LE(BigInt(value));
  return data;
};
const reply = (command: number, ...attributes: Buffer[]): GenericMessage => ({
  command,
  version: IPVS_GENL_VERSION,
  attributes: Buffer.concat(attributes),
});
const serviceReply = (...attributes: Buffer[]): GenericMessage => reply(IPVS_CMD.NEW_SERVICE, nest(1, ...attributes));
const destinationReply = (...attributes: Buffer[]): GenericMessage => reply(IPVS_CMD.NEW_DEST, nest(2, ...attributes));

const STATS_ORDER: (keyof Stats)[] = [
  'connections',
  'packetsIn',
  'packetsOut',
  'bytesIn',
  'bytesOut',
  'connectionRate',
  'packetRateIn',
  'packetRateOut',
  'byteRateIn',
  'byteRateOut',
];
/** IPVS_*_ATTR_STATS as ip_vs_genl_fill_stats writes it: u32 counts and rates, u64 bytes. */
const legacyStats = (type: number, stats: Stats): Buffer =>
  nest(
    type,
    ...STATS_ORDER.map((field, i) => tlv(i + 1, field.startsWith('bytes') ? u64(stats[field]) : u32(stats[field]))),
  );
/** IPVS_*_ATTR_STATS64 as ip_vs_genl_fill_stats64 writes it: u64 each, after an IPVS_STATS_ATTR_PAD where alignment needs one. */
const stats64 = (type: number, stats: Stats): Buffer =>
  nest(type, ...STATS_ORDER.flatMap((field, i) => [tlv(11, ''), tlv(i + 1, u64(stats[field]))]));

const sampleStats: Stats = {
  connections: 7,
  packetsIn: 100,
  packetsOut: 90,
  bytesIn: 2 ** 33 + 5,
  bytesOut: 12_000,
  connectionRate: 1,
  packetRateIn: 10,
  packetRateOut: 9,
  byteRateIn: 1200,
  byteRateOut: 1100,
};
const zeroStats = Object.fromEntries(STATS_ORDER.map((field) => [field, 0])) as Stats;

/** The kernel's description of tcpService: key, "wrr", flags with HASHED set and mask ~0, timeout, netmask, stats. */
const tcpServiceAttributes = [
  tlv(1, u16(2)), // IPVS_SVC_ATTR_AF
  tlv(2, u16(6)), // IPVS_SVC_ATTR_PROTOCOL
  tlv(3, 'c000020a 00000000 00000000 00000000'), // IPVS_SVC_ATTR_ADDR
  tlv(4, '0050'), // IPVS_SVC_ATTR_PORT
  tlv(6, cString('wrr')), // IPVS_SVC_ATTR_SCHED_NAME
  tlv(7, '02000000 ffffffff'), // IPVS_SVC_ATTR_FLAGS
  tlv(8, u32(0)), // IPVS_SVC_ATTR_TIMEOUT
  tlv(9, 'ffffffff'), // IPVS_SVC_ATTR_NETMASK
];

/** The kernel's description of directRouted: every attribute of ip_vs_genl_fill_dest on Linux 5.3+. */
const directRoutedAttributes = [
  tlv(1, 'c6336401 00000000 00000000 00000000'), // IPVS_DEST_ATTR_ADDR
  tlv(2, '0050'), // IPVS_DEST_ATTR_PORT
  tlv(3, u32(3)), // IPVS_DEST_ATTR_FWD_METHOD
  tlv(4, u32(1)), // IPVS_DEST_ATTR_WEIGHT
  tlv(13, '00'), // IPVS_DEST_ATTR_TUN_TYPE
  tlv(14, '0000'), // IPVS_DEST_ATTR_TUN_PORT
  tlv(15, u16(0)), // IPVS_DEST_ATTR_TUN_FLAGS
  tlv(5, u32(0)), // IPVS_DEST_ATTR_U_THRESH
  tlv(6, u32(0)), // IPVS_DEST_ATTR_L_THRESH
  tlv(7, u32(3)), // IPVS_DEST_ATTR_ACTIVE_CONNS
  tlv(8, u32(4)), // IPVS_DEST_ATTR_INACT_CONNS
  tlv(9, u32(0)), // IPVS_DEST_ATTR_PERSIST_CONNS
  tlv(11, u16(2)), // IPVS_DEST_ATTR_ADDR_FAMILY
];

describe('decoding services', () => {
  test(
    'a TCP IPv4 service: HASHED is not a user flag, STATS64 wins over STATS, unknown attributes are skipped',
    littleEndianOnly,
    () => {
      const service = decodeService(
        serviceReply(
          ...tcpServiceAttributes,
          legacyStats(10, zeroStats),
          stats64(12, sampleStats),
          tlv(13, 'deadbeef'),
        ),
      );
      assert.deepEqual(service, { ...tcpService, stats: sampleStats });
    },
  );

  test('an older kernel sends STATS alone: u32 counts, u64 bytes', littleEndianOnly, () => {
    assert.deepEqual(
      decodeService(serviceReply(...tcpServiceAttributes, legacyStats(10, sampleStats))).stats,
      sampleStats,
    );
  });

  test('without stats there are none', littleEndianOnly, () => {
    assert.equal(decodeService(serviceReply(...tcpServiceAttributes)).stats, undefined);
  });

  test('a persistent UDP IPv6 service with a persistence engine', littleEndianOnly, () => {
    const service = decodeService(
      serviceReply(
        tlv(1, u16(10)),
        tlv(2, u16(17)),
        tlv(3, '20010db8 00000000 00000000 00000010'),
        tlv(4, '0035'),
        tlv(6, cString('rr')),
        tlv(11, cString('sip')),
        tlv(7, '03000000 ffffffff'),
        tlv(8, u32(300)),
        tlv(9, u32(64)),
      ),
    );
    assert.deepEqual(service, { ...udp6Service, persistenceEngine: 'sip' });
  });

  test('a fwmark service has no protocol, address or port', littleEndianOnly, () => {
    const service = decodeService(
      serviceReply(
        tlv(1, u16(2)),
        tlv(5, u32(42)),
        tlv(6, cString('sh')),
        tlv(7, '1a000000 ffffffff'),
        tlv(8, u32(0)),
        tlv(9, 'ffffffff'),
      ),
    );
    assert.deepEqual(service, fwmarkService);
  });

  test('an SCTP service and dotted masks read back as prefixes', littleEndianOnly, () => {
    const attributes = tcpServiceAttributes.map((a, i) =>
      i === 1 ? tlv(2, u16(132)) : i === 7 ? tlv(9, 'fffffe00') : a,
    );
    const service = decodeService(serviceReply(...attributes));
    assert.deepEqual(service.key, { ...tcpKey, protocol: 'sctp' });
    assert.equal(service.netmask, 23);
    assert.equal(decodeService(serviceReply(...tcpServiceAttributes.slice(0, 7), tlv(9, '00000000'))).netmask, 0);
  });

  test(
    "someone else's non-prefix IPv4 mask (ipvsadm -M 255.0.255.0) reads as NOT_A_PREFIX, so the table still reads",
    littleEndianOnly,
    () => {
      const attributes = tcpServiceAttributes.map((a, i) => (i === 7 ? tlv(9, 'ff00ff00') : a));
      assert.equal(decodeService(serviceReply(...attributes)).netmask, NOT_A_PREFIX);
    },
  );

  test('the scheduler "none" of a service without one is kept', littleEndianOnly, () => {
    const attributes = tcpServiceAttributes.map((a, i) => (i === 4 ? tlv(6, cString('none')) : a));
    assert.equal(decodeService(serviceReply(...attributes)).scheduler, 'none');
  });
});

describe('decoding destinations', () => {
  test(
    'a direct-routed destination with its connection counts and stats; tunnel fields of others are ignored',
    littleEndianOnly,
    () => {
      const destination = decodeDestination(
        destinationReply(...directRoutedAttributes, legacyStats(10, zeroStats), stats64(12, sampleStats)),
        4,
      );
      assert.deepEqual(destination, {
        ...directRouted,
        activeConns: 3,
        inactiveConns: 4,
        persistConns: 0,
        stats: sampleStats,
      });
    },
  );

  test('a GUE tunnel destination', littleEndianOnly, () => {
    const attributes = directRoutedAttributes.map((a) => {
      const type = a.readUInt16LE(2);
      if (type === 3) return tlv(3, u32(2));
      if (type === 13) return tlv(13, '01');
      if (type === 14) return tlv(14, '15b3');
      if (type === 15) return tlv(15, u16(2));
      return a;
    });
    const destination = decodeDestination(destinationReply(...attributes), 4);
    assert.equal(destination.forward, 'tunnel');
    assert.deepEqual(destination.tunnel, { type: 'gue', port: 5555, checksum: 'remcsum' });
  });

  test("on kernels before 3.18 and 5.2 the family is the service's and tunnels are IPIP", littleEndianOnly, () => {
    const old = directRoutedAttributes
      .filter((a) => a.readUInt16LE(2) < 11)
      .map((a) => (a.readUInt16LE(2) === 3 ? tlv(3, u32(2)) : a));
    const destination = decodeDestination(destinationReply(...old), 4);
    assert.equal(destination.family, 4);
    assert.deepEqual(destination.tunnel, { type: 'ipip', port: 0, checksum: 'none' });
  });

  test('an IPv4 tunnel destination of an IPv6 service reads its own family', littleEndianOnly, () => {
    const destination = decodeDestination(destinationReply(...directRoutedAttributes), 6);
    assert.equal(destination.family, 4);
    assert.equal(destination.address, '198.51.100.1');
  });

  test('an IPv6 destination', littleEndianOnly, () => {
    const attributes = directRoutedAttributes.map((a) => {
      const type = a.readUInt16LE(2);
      if (type === 1) return tlv(1, '20010db8 00000000 00000000 00010002');
      if (type === 11) return tlv(11, u16(10));
      return a;
    });
    const destination = decodeDestination(destinationReply(...attributes), 6);
    assert.equal(destination.family, 6);
    assert.equal(destination.address, '2001:db8::1:2');
  });

  test('the local node forwarding method', littleEndianOnly, () => {
    const attributes = directRoutedAttributes.map((a) => (a.readUInt16LE(2) === 3 ? tlv(3, u32(1)) : a));
    assert.equal(decodeDestination(destinationReply(...attributes), 4).forward, 'local');
  });
});

describe('decoding info', () => {
  test('the version code reads as dotted numbers', littleEndianOnly, () => {
    assert.deepEqual(decodeInfo(reply(14, tlv(1, u32(0x010201)), tlv(2, u32(4096)))), {
      version: '1.2.1',
      connectionTableSize: 4096,
    });
  });
});

describe('decoding timeouts', () => {
  test("GET_CONFIG's answer carries all three", littleEndianOnly, () => {
    assert.deepEqual(decodeTimeouts(reply(12, tlv(4, u32(900)), tlv(5, u32(120)), tlv(6, u32(300)))), {
      tcp: 900,
      tcpFin: 120,
      udp: 300,
    });
  });
});

describe('round trips: what vigil sends reads back the same', () => {
  const asReply = (request: IpvsRequest): GenericMessage =>
    reply(request.command, encodeAttributes(request.attributes));
  const services: Service[] = [
    tcpService,
    udp6Service,
    fwmarkService,
    {
      ...tcpService,
      key: { kind: 'fwmark', family: 6, mark: 0xffffffff },
      netmask: 128,
      scheduler: 'mh',
      flags: { ...NO_FLAGS, schedulerFlag2: true },
    },
    {
      ...tcpService,
      key: { ...tcpKey, protocol: 'sctp', port: 0 },
      flags: { ...NO_FLAGS, persistent: true, onePacket: true },
      timeout: 3600,
      netmask: 16,
      persistenceEngine: 'sip',
    },
  ];
  for (const service of services) {
    test(describeService(service.key), () =>
      assert.deepEqual(decodeService(asReply(ipvsRequest.addService(service))), service),
    );
  }

  const destinations: Destination[] = [
    directRouted,
    {
      family: 4,
      address: '10.0.0.5',
      port: 8080,
      forward: 'nat',
      weight: 0x7fffffff,
      upperThreshold: 0xffffffff,
      lowerThreshold: 10,
    },
    { ...directRouted, forward: 'tunnel', tunnel: { type: 'gue', port: 6080, checksum: 'csum' } },
    { ...directRouted, family: 6, address: '2001:db8::5', forward: 'local', weight: 0 },
  ];
  for (const destination of destinations) {
    test(`${destination.forward} ${destination.address}`, () =>
      assert.deepEqual(
        decodeDestination(
          asReply(ipvsRequest.addDestination(destination.family === 6 ? udp6Service.key : tcpKey, destination)),
          destination.family,
        ),
        destination,
      ));
  }
});

describe('malformed replies are errors with a reason, never crashes', () => {
  const replaced = (type: number, replacement: Buffer | undefined): Buffer[] => {
    const others = tcpServiceAttributes.filter((a) => a.readUInt16LE(2) !== type);
    return replacement ? [...others, replacement] : others;
  };
  const malformed: [string, () => unknown, RegExp][] = [
    ['no service nest', () => decodeService(reply(1, tlv(5, u32(1)))), /IPVS reply: the service attribute is missing/],
    [
      'an attribute running past its nest',
      () => decodeService(reply(1, tlv(1, 'ff00 0100 0200'))),
      /IPVS service: netlink: attribute at offset 0 claims 255 bytes, 6 remain/,
    ],
    [
      'a nest running past the message',
      () => decodeService(reply(1, Buffer.from(hex('2000 0100 0600 0100'), 'hex'))),
      /IPVS reply: netlink: attribute at offset 0 claims 32 bytes, 8 remain/,
    ],
    [
      'a 1-byte port',
      () => decodeService(serviceReply(...replaced(4, tlv(4, '50')))),
      /IPVS service: attribute port \(4\) is 1 bytes, expected 2/,
    ],
    [
      'an unknown protocol',
      () => decodeService(serviceReply(...replaced(2, tlv(2, u16(51))))),
      /IPVS service: protocol 51 is not one vigil knows/,
    ],
    [
      'an unknown address family',
      () => decodeService(serviceReply(...replaced(1, tlv(1, u16(7))))),
      /address family 7 is not one vigil knows/,
    ],
    [
      'no address family',
      () => decodeService(serviceReply(...replaced(1, undefined))),
      /IPVS service: the family attribute is missing/,
    ],
    [
      'no scheduler',
      () => decodeService(serviceReply(...replaced(6, undefined))),
      /IPVS service TCP 192.0.2.10:80: the scheduler attribute is missing/,
    ],
    [
      'a 3-byte address',
      () => decodeService(serviceReply(...replaced(3, tlv(3, 'c00002')))),
      /3-byte address attribute cannot hold an IPv4 address/,
    ],
    [
      'a 4-byte IPv6 address',
      () =>
        decodeService(
          serviceReply(...replaced(3, tlv(3, 'c000020a')).map((a) => (a.readUInt16LE(2) === 1 ? tlv(1, u16(10)) : a))),
        ),
      /4-byte address attribute cannot hold an IPv6 address/,
    ],
    [
      'flags without a mask',
      () => decodeService(serviceReply(...replaced(7, tlv(7, '00000000')))),
      /flags attribute is 4 bytes, expected 8/,
    ],
    [
      'an IPv6 netmask of 0',
      () =>
        decodeService(
          serviceReply(
            tlv(1, u16(10)),
            tlv(5, u32(1)),
            tlv(6, cString('rr')),
            tlv(7, '00000000 ffffffff'),
            tlv(8, u32(0)),
            tlv(9, u32(0)),
          ),
        ),
      /IPv6 netmask 0 is not a prefix length/,
    ],
    [
      'a 3-byte counter',
      () => decodeService(serviceReply(...tcpServiceAttributes, nest(12, tlv(1, '010203')))),
      /IPVS service TCP 192.0.2.10:80: stats: attribute connections \(1\) is 3 bytes/,
    ],
    [
      'stats missing a counter',
      () => decodeService(serviceReply(...tcpServiceAttributes, nest(12, tlv(1, u64(1))))),
      /stats: the packetsIn attribute is missing/,
    ],
    [
      'no destination nest',
      () => decodeDestination(serviceReply(...tcpServiceAttributes), 4),
      /IPVS reply: the destination attribute is missing/,
    ],
    [
      'an unknown forwarding method',
      () =>
        decodeDestination(
          destinationReply(...directRoutedAttributes.map((a) => (a.readUInt16LE(2) === 3 ? tlv(3, u32(4)) : a))),
          4,
        ),
      /IPVS destination 198.51.100.1:80: forwarding method 4 is not one vigil knows/,
    ],
    [
      'no weight',
      () => decodeDestination(destinationReply(...directRoutedAttributes.filter((a) => a.readUInt16LE(2) !== 4)), 4),
      /198.51.100.1:80: the weight attribute is missing/,
    ],
    [
      'unknown tunnel flags',
      () =>
        decodeDestination(
          destinationReply(
            ...directRoutedAttributes.map((a) =>
              a.readUInt16LE(2) === 3 ? tlv(3, u32(2)) : a.readUInt16LE(2) === 15 ? tlv(15, u16(3)) : a,
            ),
          ),
          4,
        ),
      /tunnel flags 3 is not one vigil knows/,
    ],
    [
      'info without a version',
      () => decodeInfo(reply(14, tlv(2, u32(4096)))),
      /IPVS info: the version attribute is missing/,
    ],
  ];
  for (const [what, decode, message] of malformed) {
    test(what, littleEndianOnly, () =>
      assert.throws(decode, (error: unknown) => error instanceof NetlinkFormatError && message.test(error.message)),
    );
  }
});
