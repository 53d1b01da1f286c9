// IpvsClient against a real IPVS kernel: `npm run test:vm` runs this in the IPVS guest as root,
// where ipvsadm reads the same table. Every service here is the test's own (TEST-NET addresses,
// fwmarks 4240-4249) and is removed one by one after each test: nothing is flushed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { IpvsClient } from '../../src/ipvs/client.js';
import {
  type Destination,
  describeDestination,
  describeService,
  type ForwardMethod,
  SCHEDULER_FLAG_ALIASES,
  type Service,
  type ServiceFlags,
  type ServiceKey,
} from '../../src/ipvs/codec.js';
import { NetlinkError } from '../../src/net/netlink-codec.js';
import { ipvsadm } from './lvs-lab.js';

const skip = !existsSync('/proc/net/ip_vs')
  ? 'needs a kernel with IPVS (/proc/net/ip_vs): npm run test:vm'
  : process.getuid?.() !== 0 && 'needs root';

/** One service as `ipvsadm -Ln --exact` lists it. */
interface ListedService {
  scheduler: string;
  /** The names in "(sh-fallback,sh-port)". */
  schedulerFlags: string[];
  /** The timeout after "persistent". */
  persistent?: number;
  /** After "mask": dotted for IPv4, a prefix length for IPv6; absent for /32 and /128. */
  mask?: string;
  persistenceEngine?: string;
  onePacket: boolean;
  destinations: { endpoint: string; forward: ForwardMethod; weight: number }[];
}

const IPVSADM_FORWARD_NAMES: Record<string, ForwardMethod> = {
  Masq: 'nat',
  Local: 'local',
  Tunnel: 'tunnel',
  Route: 'route',
};

/** What follows the scheduler: " (sh-fallback,sh-port) persistent 600 mask 255.255.255.0 pe sip ops". */
function parseServiceOptions(text: string): Omit<ListedService, 'scheduler' | 'destinations'> {
  const options: Omit<ListedService, 'scheduler' | 'destinations'> = { schedulerFlags: [], onePacket: false };
  const words = text.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('(')) options.schedulerFlags = word.slice(1, -1).split(',');
    else if (word === 'persistent') options.persistent = Number(words[++i]);
    else if (word === 'mask') options.mask = words[++i];
    else if (word === 'pe') options.persistenceEngine = words[++i];
    else if (word === 'ops') options.onePacket = true;
    else assert.fail(`ipvsadm listed an unknown service option "${word}" in "${text}"`);
  }
  return options;
}

/** `ipvsadm -Ln --exact`: the header's version and table size, and the services by describeService's names. */
async function listByIpvsadm(): Promise<{ version: string; size: number; services: Map<string, ListedService> }> {
  const text = await ipvsadm(['-Ln', '--exact']);
  const header = /^IP Virtual Server version (\S+) \(size=(\d+)\)$/m.exec(text);
  assert.ok(header, `ipvsadm printed no version header:\n${text}`);
  const services = new Map<string, ListedService>();
  let current: ListedService | undefined;
  for (const line of text.split('\n')) {
    const service = /^(?:(TCP|UDP|SCTP)\s+(\S+)|FWM\s+(\d+)( IPv6)?) (\S+)(.*)$/.exec(line);
    const destination = /^ {2}-> (\S+)\s+(Masq|Local|Tunnel|Route)\s+(\d+)\s/.exec(line);
    if (service) {
      const [, protocol, endpoint, mark, ipv6, scheduler, options] = service;
      current = { scheduler: scheduler!, ...parseServiceOptions(options!), destinations: [] };
      services.set(protocol ? `${protocol} ${endpoint}` : `FWM ${mark} IPv${ipv6 ? 6 : 4}`, current);
    } else if (destination && current) {
      current.destinations.push({
        endpoint: destination[1]!,
        forward: IPVSADM_FORWARD_NAMES[destination[2]!]!,
        weight: Number(destination[3]),
      });
    }
  }
  return { version: header[1]!, size: Number(header[2]), services };
}

const NO_FLAGS: ServiceFlags = {
  persistent: false,
  onePacket: false,
  schedulerFlag1: false,
  schedulerFlag2: false,
  schedulerFlag3: false,
};
/** A service with no flags and no persistence (its netmask the full length of its family, as the kernel keeps it). */
const plainService = (key: ServiceKey, scheduler: string): Service => ({
  key,
  scheduler,
  flags: NO_FLAGS,
  timeout: 0,
  netmask: key.family === 6 ? 128 : 32,
});
const routed = (address: string, port: number, weight = 1): Destination => ({
  family: address.includes(':') ? 6 : 4,
  address,
  port,
  forward: 'route',
  weight,
  upperThreshold: 0,
  lowerThreshold: 0,
});

const withoutStats = ({ stats: _stats, ...service }: Service): Service => service;
const withoutCounters = ({
  stats: _stats,
  activeConns: _active,
  inactiveConns: _inactive,
  persistConns: _persist,
  ...destination
}: Destination): Destination => destination;
const byEndpoint = (a: { endpoint: string }, b: { endpoint: string }): number => a.endpoint.localeCompare(b.endpoint);
const inEndpointOrder = (destinations: Destination[]): Destination[] =>
  [...destinations].sort((a, b) => describeDestination(a).localeCompare(describeDestination(b)));

describe('IpvsClient against the kernel', { skip }, () => {
  let client: IpvsClient;
  const ours: ServiceKey[] = [];

  before(async () => {
    client = await IpvsClient.open();
  });
  afterEach(async () => {
    for (const key of ours.splice(0)) {
      await client.removeService(key).catch((error: unknown) => {
        if (!(error instanceof NetlinkError && error.code === 'ESRCH')) throw error;
      });
    }
  });
  after(() => client?.close());

  async function add(service: Service, destinations: Destination[] = []): Promise<void> {
    ours.push(service.key);
    await client.addService(service);
    for (const destination of destinations) await client.addDestination(service.key, destination);
  }

  /** The service `key` and its destinations as the client reads them back, counters left out. */
  async function readBack(key: ServiceKey): Promise<{ service: Service | undefined; destinations: Destination[] }> {
    const service = (await client.services()).find((s) => describeService(s.key) === describeService(key));
    return {
      service: service && withoutStats(service),
      destinations: inEndpointOrder((await client.destinations(key)).map(withoutCounters)),
    };
  }

  /** Asserts the kernel holds exactly `service` with `destinations`, through the client and through ipvsadm. */
  async function assertInKernel(service: Service, destinations: Destination[]): Promise<ListedService> {
    assert.deepEqual(await readBack(service.key), { service, destinations: inEndpointOrder(destinations) });
    const listed = (await listByIpvsadm()).services.get(describeService(service.key));
    assert.ok(listed, `ipvsadm does not list ${describeService(service.key)}`);
    assert.equal(listed.scheduler, service.scheduler);
    assert.equal(listed.persistent, service.flags.persistent ? service.timeout : undefined);
    assert.equal(listed.onePacket, service.flags.onePacket);
    const flagsFromIpvsadm = new Set(
      listed.schedulerFlags.map((name) => SCHEDULER_FLAG_ALIASES[name as keyof typeof SCHEDULER_FLAG_ALIASES]),
    );
    const schedulerFlags = (['schedulerFlag1', 'schedulerFlag2', 'schedulerFlag3'] as const).filter(
      (flag) => service.flags[flag],
    );
    assert.deepEqual(flagsFromIpvsadm, new Set(schedulerFlags));
    assert.deepEqual(
      [...listed.destinations].sort(byEndpoint),
      destinations
        .map((d) => ({ endpoint: describeDestination(d), forward: d.forward, weight: d.weight }))
        .sort(byEndpoint),
    );
    return listed;
  }

  test('info agrees with the header of ipvsadm -Ln', async () => {
    const { version, size } = await listByIpvsadm();
    assert.deepEqual(await client.info(), { version, connectionTableSize: size });
  });

  test('a TCP IPv4 wrr service with two direct-routed destinations: added, read back, edited, removed', async () => {
    const service: Service = plainService(
      { kind: 'addr', family: 4, protocol: 'tcp', address: '203.0.113.10', port: 80 },
      'wrr',
    );
    const first = routed('198.51.100.21', 80);
    const second = routed('198.51.100.22', 80, 2);
    await add(service, [first, second]);
    await assertInKernel(service, [first, second]);

    const heavier = { ...first, weight: 5 };
    await client.editDestination(service.key, heavier);
    await assertInKernel(service, [heavier, second]);

    await client.removeDestination(service.key, second);
    await assertInKernel(service, [heavier]);

    await client.removeService(service.key);
    assert.equal((await readBack(service.key)).service, undefined);
    assert.equal((await listByIpvsadm()).services.has(describeService(service.key)), false);
  });

  test('fwmark services of both families', async () => {
    const v4: Service = plainService({ kind: 'fwmark', family: 4, mark: 4240 }, 'rr');
    const v6: Service = {
      key: { kind: 'fwmark', family: 6, mark: 4241 },
      scheduler: 'mh',
      flags: { ...NO_FLAGS, schedulerFlag2: true },
      timeout: 0,
      netmask: 128,
    };
    // A fwmark service matches any port: its destinations keep the packet's (port 0).
    await add(v4, [routed('198.51.100.31', 0)]);
    await add(v6, [routed('2001:db8::31', 0, 3)]);
    await assertInKernel(v4, [routed('198.51.100.31', 0)]);
    await assertInKernel(v6, [routed('2001:db8::31', 0, 3)]);
  });

  test('an IPv6 sh service with sh-fallback and sh-port, a routed and a NAT destination on another port', async () => {
    const service: Service = {
      key: { kind: 'addr', family: 6, protocol: 'tcp', address: '2001:db8::10', port: 443 },
      scheduler: 'sh',
      flags: { ...NO_FLAGS, schedulerFlag1: true, schedulerFlag2: true },
      timeout: 0,
      netmask: 128,
    };
    const nat: Destination = {
      ...routed('2001:db8::22', 8443, 4),
      forward: 'nat',
      upperThreshold: 100,
      lowerThreshold: 10,
    };
    await add(service, [routed('2001:db8::21', 443), nat]);
    const listed = await assertInKernel(service, [routed('2001:db8::21', 443), nat]);
    assert.deepEqual(listed.schedulerFlags, ['sh-fallback', 'sh-port']);
  });

  test('persistence timeout and netmask show in ipvsadm -Ln, as do one-packet scheduling and a persistence engine', async () => {
    const persistent = { ...NO_FLAGS, persistent: true };
    const v4: Service = {
      key: { kind: 'addr', family: 4, protocol: 'tcp', address: '203.0.113.11', port: 443 },
      scheduler: 'wlc',
      flags: persistent,
      timeout: 600,
      netmask: 24,
    };
    const v6: Service = {
      key: { kind: 'addr', family: 6, protocol: 'udp', address: '2001:db8::11', port: 53 },
      scheduler: 'rr',
      flags: { ...persistent, onePacket: true },
      timeout: 120,
      netmask: 64,
    };
    const sip: Service = {
      key: { kind: 'addr', family: 4, protocol: 'udp', address: '203.0.113.11', port: 5060 },
      scheduler: 'rr',
      flags: persistent,
      timeout: 60,
      netmask: 32,
      persistenceEngine: 'sip',
    };
    await add(v4);
    await add(v6);
    await add(sip);
    assert.equal((await assertInKernel(v4, [])).mask, '255.255.255.0');
    assert.equal((await assertInKernel(v6, [])).mask, '64');
    const listedSip = await assertInKernel(sip, []);
    assert.equal(listedSip.mask, undefined);
    assert.equal(listedSip.persistenceEngine, 'sip');
  });

  test('editing a service changes its scheduler and persistence in place', async () => {
    const service: Service = plainService(
      { kind: 'addr', family: 4, protocol: 'sctp', address: '203.0.113.12', port: 9 },
      'lc',
    );
    const destination = routed('198.51.100.41', 9);
    await add(service, [destination]);
    const edited: Service = {
      ...service,
      scheduler: 'wrr',
      flags: { ...NO_FLAGS, persistent: true },
      timeout: 300,
      netmask: 16,
    };
    await client.editService(edited);
    assert.equal((await assertInKernel(edited, [destination])).mask, '255.255.0.0');
  });

  test('tunnel destinations: IPIP by default, GUE with its port and checksum, IPv4 real servers of an IPv6 service', async () => {
    const service: Service = plainService(
      { kind: 'addr', family: 6, protocol: 'tcp', address: '2001:db8::13', port: 80 },
      'rr',
    );
    const ipip: Destination = { ...routed('2001:db8::51', 80), forward: 'tunnel' };
    const gue: Destination = {
      ...routed('2001:db8::52', 80),
      forward: 'tunnel',
      tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
    };
    const ipv4: Destination = {
      ...routed('198.51.100.53', 80),
      forward: 'tunnel',
      tunnel: { type: 'gre', port: 0, checksum: 'none' },
    };
    await add(service, [ipip, gue, ipv4]);
    await assertInKernel(service, [{ ...ipip, tunnel: { type: 'ipip', port: 0, checksum: 'none' } }, gue, ipv4]);
  });

  test('a service ipvsadm added is listed with its destinations', async () => {
    const key: ServiceKey = { kind: 'addr', family: 4, protocol: 'tcp', address: '203.0.113.99', port: 8080 };
    ours.push(key);
    await ipvsadm(['-A', '-t', '203.0.113.99:8080', '-s', 'lc']);
    await ipvsadm([
      '-a',
      '-t',
      '203.0.113.99:8080',
      '-r',
      '198.51.100.99:80',
      '-m',
      '-w',
      '3',
      '-x',
      '100',
      '-y',
      '10',
    ]);
    await ipvsadm(['-a', '-t', '203.0.113.99:8080', '-r', '198.51.100.98', '-i', '-w', '0']);
    const { service, destinations } = await readBack(key);
    assert.deepEqual(service, plainService(key, 'lc'));
    assert.deepEqual(destinations, [
      {
        family: 4,
        address: '198.51.100.98',
        port: 8080,
        forward: 'tunnel',
        weight: 0,
        upperThreshold: 0,
        lowerThreshold: 0,
        tunnel: { type: 'ipip', port: 0, checksum: 'none' },
      },
      {
        family: 4,
        address: '198.51.100.99',
        port: 80,
        forward: 'nat',
        weight: 3,
        upperThreshold: 100,
        lowerThreshold: 10,
      },
    ]);
  });

  test("the kernel's refusals name the operation and say what the errno means", async () => {
    const key: Extract<ServiceKey, { kind: 'addr' }> = {
      kind: 'addr',
      family: 4,
      protocol: 'udp',
      address: '203.0.113.14',
      port: 53,
    };
    const service: Service = plainService(key, 'rr');
    await add(service);
    const refusal = (code: string, message: RegExp) => (error: unknown) =>
      error instanceof NetlinkError && error.code === code && message.test(error.message);
    await assert.rejects(
      client.addService(service),
      refusal('EEXIST', /^add IPVS service UDP 203\.0\.113\.14:53: EEXIST/),
    );
    const missing: ServiceKey = { ...key, port: 54 };
    await assert.rejects(
      client.removeService(missing),
      refusal('ESRCH', /^remove IPVS service UDP 203\.0\.113\.14:54: ESRCH: .*\(no such service\)$/),
    );
    await assert.rejects(
      client.addService({ ...service, key: missing, scheduler: 'nosuch' }),
      refusal(
        'ENOENT',
        /^add IPVS service UDP 203\.0\.113\.14:54: ENOENT: .*\(no such scheduler or persistence engine\)$/,
      ),
    );
    await assert.rejects(
      client.removeDestination(service.key, routed('198.51.100.77', 53)),
      refusal(
        'ENOENT',
        /^remove destination 198\.51\.100\.77:53 from IPVS service UDP 203\.0\.113\.14:53: ENOENT: .*\(no such destination\)$/,
      ),
    );
    assert.deepEqual(await client.destinations(missing), []);
  });

  test('many changes requested at once: carried out in order, each answered for itself, a dump after them sees them all', async () => {
    const key: ServiceKey = { kind: 'addr', family: 4, protocol: 'tcp', address: '203.0.113.15', port: 80 };
    ours.push(key);
    const service: Service = plainService(key, 'wrr');
    // More than the socket's window of unanswered requests, with one refusal (a repeated
    // destination) in the middle.
    const destinations = Array.from({ length: 200 }, (_, i) => routed(`198.51.100.${i + 1}`, 80, i + 1));
    const requests = [
      client.addService(service),
      ...destinations.map((d) => client.addDestination(key, d)),
      client.addDestination(key, destinations[7]!),
    ];
    const listing = client.destinations(key);
    const outcomes = await Promise.allSettled(requests);
    assert.deepEqual(
      outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[i, (o.reason as NetlinkError).code]] : [])),
      [[201, 'EEXIST']],
    );
    assert.equal((await listing).length, 200);
    await assertInKernel(service, destinations);
  });
});
