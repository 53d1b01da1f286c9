// rtnetlink's address and link notifications decoded from the bytes the kernel multicasts, as
// `ip addr del` and friends make it send them.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { decodeMessages, encodeMessage } from '../../../src/net/netlink-codec.js';
import {
  addressRequest,
  decodeAddress,
  decodeAddressEvent,
  decodeLinkEvent,
  RTM_DELADDR,
  RTM_NEWADDR,
} from '../../../src/net/rtnetlink-codec.js';
import { cString, tlv, u32 } from '../../helpers/netlink-bytes.js';

const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };

const AF_INET = 2;
const AF_INET6 = 10;
const RTM_NEWLINK = 16;
const RTM_NEWROUTE = 24;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;

/** struct ifaddrmsg: family, prefixlen, flags, scope, then the index as a u32. */
function ifaddrmsg(family: number, prefix: number, flags: number, scope: number, ifindex: number): Buffer {
  return Buffer.concat([Buffer.from([family, prefix, flags, scope]), u32(ifindex)]);
}

/** One notification as it arrives on a socket in RTNLGRP_IPV4_IFADDR / RTNLGRP_IPV6_IFADDR (seq 0, from the kernel). */
function notification(type: number, payload: Buffer) {
  const [message] = decodeMessages(encodeMessage({ type, flags: 0, seq: 0, pid: 0, payload }));
  return message!;
}

const cacheinfo = tlv(IFA_CACHEINFO, Buffer.alloc(16, 0xff));

describe('address notifications', littleEndianOnly, () => {
  test('`ip addr del 198.51.100.200/24 dev eth0` of a secondary address: removed, with its interface, prefix and label', () => {
    const vip = 'c6 33 64 c8';
    const payload = Buffer.concat([
      ifaddrmsg(AF_INET, 24, 0x01, 0, 2),
      tlv(IFA_ADDRESS, vip),
      tlv(IFA_LOCAL, vip),
      tlv(IFA_LABEL, cString('eth0')),
      tlv(IFA_FLAGS, u32(0x01)),
      cacheinfo,
    ]);
    assert.deepEqual(decodeAddressEvent(notification(RTM_DELADDR, payload)), {
      kind: 'removed',
      address: {
        ifindex: 2,
        family: 4,
        address: '198.51.100.200',
        prefix: 24,
        label: 'eth0',
        scope: 'global',
        secondary: true,
        tentative: false,
        dadFailed: false,
        flags: 0x01,
      },
    });
  });

  test('an IPv6 deletion names the address by IFA_ADDRESS alone, in its canonical form', () => {
    const payload = Buffer.concat([
      ifaddrmsg(AF_INET6, 64, 0x82, 0, 7),
      tlv(IFA_ADDRESS, '2001 0db8 0000 0000 0000 0000 0000 0200'),
      cacheinfo,
      tlv(IFA_FLAGS, u32(0x82)),
    ]);
    const event = decodeAddressEvent(notification(RTM_DELADDR, payload));
    assert.equal(event?.kind, 'removed');
    assert.deepEqual(event.kind === 'removed' && [event.address.ifindex, event.address.address, event.address.prefix], [
      7,
      '2001:db8::200',
      64,
    ]);
  });

  test('RTM_NEWADDR is an address added; the same bytes as a removal but for the type', () => {
    const payload = Buffer.concat([ifaddrmsg(AF_INET, 32, 0, 0, 3), tlv(IFA_LOCAL, 'cb 00 71 0a')]);
    const event = decodeAddressEvent(notification(RTM_NEWADDR, payload));
    assert.equal(event?.kind, 'added');
    assert.equal(event.kind === 'added' && event.address.address, '203.0.113.10');
  });

  test('other messages and other families are no address event', () => {
    const ipv4 = Buffer.concat([ifaddrmsg(AF_INET, 32, 0, 0, 3), tlv(IFA_LOCAL, 'cb 00 71 0a')]);
    assert.equal(decodeAddressEvent(notification(RTM_NEWROUTE, ipv4)), undefined);
    const mpls = Buffer.concat([ifaddrmsg(28, 20, 0, 0, 3), tlv(IFA_LOCAL, '00 01 40 00')]);
    assert.equal(decodeAddressEvent(notification(RTM_DELADDR, mpls)), undefined);
  });

  test('a VIP as vigild adds it decodes back to the same address (the request and the notification share a layout)', () => {
    const request = addressRequest({ ifindex: 4, address: '2001:db8::200', prefix: 64, label: 'ignored' }, 'add', {
      skipDad: true,
    });
    const decoded = decodeAddress(notification(RTM_NEWADDR, request));
    assert.deepEqual(decoded && [decoded.ifindex, decoded.family, decoded.address, decoded.prefix, decoded.flags], [
      4,
      6,
      '2001:db8::200',
      64,
      0x02,
    ]);
  });
});

describe('link notifications', littleEndianOnly, () => {
  test('RTM_NEWLINK is a link that changed; an address message is not a link event', () => {
    // struct ifinfomsg: family, pad, type, index 2, flags IFF_UP|IFF_RUNNING|IFF_LOWER_UP, change.
    const ifinfomsg = Buffer.concat([Buffer.from([0, 0, 1, 0]), u32(2), u32(0x10041), u32(0)]);
    const event = decodeLinkEvent(notification(RTM_NEWLINK, Buffer.concat([ifinfomsg, tlv(3, cString('eth0'))])));
    assert.equal(event?.kind, 'changed');
    assert.deepEqual(event.kind === 'changed' && [event.link.name, event.link.up, event.link.lowerUp], [
      'eth0',
      true,
      true,
    ]);
    assert.equal(decodeLinkEvent(notification(RTM_DELADDR, ifaddrmsg(AF_INET, 32, 0, 0, 2))), undefined);
  });
});
