import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildGratuitousArp, buildUnsolicitedNeighborAdvert } from '../../../src/vrrp/gratuitous.js';
import { pseudoHeaderChecksum } from '../../../src/vrrp/packet.js';
import { fixture } from '../../helpers/paths.js';
import { type Frame, readPcap } from '../../helpers/pcap.js';

const ETHERTYPE_ARP = 0x0806;
const IPPROTO_ICMPV6 = 58;
const NEIGHBOR_ADVERTISEMENT = 136;

const frames: Frame[] = readdirSync(fixture('vrrp'))
  .filter((file) => file.endsWith('.pcap'))
  .flatMap((file) => readPcap(fixture('vrrp', file)));

const ipv4At = (bytes: Buffer, at: number): string => bytes.subarray(at, at + 4).join('.');

// Gratuitous: an ARP request for the sender's own address. The clients' ordinary requests and
// replies in the failover captures are left out.
const garps = frames.filter(
  (f) =>
    f.ethernet.type === ETHERTYPE_ARP &&
    f.payload.readUInt16BE(6) === 1 &&
    ipv4At(f.payload, 14) === ipv4At(f.payload, 24),
);
const neighborAdverts = frames.filter(
  (f) => f.ip?.protocol === IPPROTO_ICMPV6 && f.payload[0] === NEIGHBOR_ADVERTISEMENT,
);

describe('gratuitous ARP', () => {
  it('is byte for byte what keepalived sent, for every GARP in the captures', () => {
    assert.equal(garps.length, 85);
    const seen = new Set<string>();
    for (const frame of garps) {
      const address = ipv4At(frame.payload, 14);
      seen.add(`${frame.ethernet.source} ${address}`);
      assert.deepEqual(buildGratuitousArp(frame.ethernet.source, address), frame.bytes, `frame ${frame.number}`);
    }
    // Both routers of the failover captures, and each of the three addresses.
    assert.deepEqual([...seen].sort(), [
      '02:00:00:00:00:0b 192.0.2.200',
      '02:00:00:00:00:0b 192.0.2.201',
      '02:00:00:00:00:0b 198.51.100.200',
      '02:00:00:00:00:0c 192.0.2.200',
    ]);
  });

  it('accepts the MAC in upper case', () => {
    assert.deepEqual(buildGratuitousArp('02:00:00:00:00:0B', '192.0.2.200'), garps[0]!.bytes);
  });

  it('refuses a malformed MAC or a non-IPv4 address', () => {
    assert.throws(() => buildGratuitousArp('02:00:00:00:00', '192.0.2.200'), RangeError);
    assert.throws(() => buildGratuitousArp('02-00-00-00-00-0b', '192.0.2.200'), RangeError);
    assert.throws(() => buildGratuitousArp('02:00:00:00:00:0b', '2001:db8::200'), RangeError);
  });
});

describe('unsolicited Neighbor Advertisement', () => {
  it('is byte for byte what keepalived sent, for every NA in the captures', () => {
    assert.equal(neighborAdverts.length, 15);
    const targets = new Set<string>();
    for (const frame of neighborAdverts) {
      const ip = frame.ip!;
      targets.add(ip.source);
      assert.equal(ip.ttl, 255, 'hop limit');
      assert.deepEqual(
        buildUnsolicitedNeighborAdvert(frame.ethernet.source, ip.source),
        frame.bytes,
        `frame ${frame.number}`,
      );
    }
    assert.deepEqual([...targets].sort(), ['2001:db8::200', 'fe80::200']);
  });

  it('sets the Router flag on request, checksum still right', () => {
    const frame = buildUnsolicitedNeighborAdvert('02:00:00:00:00:0b', '2001:db8::200', { router: true });
    const icmp = frame.subarray(14 + 40);
    assert.equal(icmp[4], 0xa0, 'Router and Override');
    assert.equal(
      pseudoHeaderChecksum({ family: 6, source: '2001:db8::200', destination: 'ff02::1' }, IPPROTO_ICMPV6, icmp),
      0,
    );
    const captured = neighborAdverts.find((f) => f.ip!.source === '2001:db8::200')!;
    assert.deepEqual(
      frame.subarray(0, 14 + 40),
      captured.bytes.subarray(0, 14 + 40),
      'Ethernet and IPv6 headers unchanged',
    );
  });

  it('refuses a malformed MAC or a non-IPv6 address', () => {
    assert.throws(() => buildUnsolicitedNeighborAdvert('0200.0000.000b', '2001:db8::200'), RangeError);
    assert.throws(() => buildUnsolicitedNeighborAdvert('02:00:00:00:00:0b', '192.0.2.200'), RangeError);
  });
});
