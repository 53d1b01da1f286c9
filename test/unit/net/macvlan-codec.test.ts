// The macvlan requests of use_vmac, byte for byte what `ip link add link vvm-b name vrrp.7
// address 00:00:5e:00:01:07 type macvlan mode private`, `ip link set vrrp.7 up` and `ip link
// del vrrp.7` send (strace -xx of iproute2 6.1), and a macvlan as a link dump reports it.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import {
  decodeLink,
  linkDeleteRequest,
  linkUpRequest,
  macvlanRequest,
  RTM_NEWLINK,
} from '../../../src/net/rtnetlink-codec.js';
import { cString, nest, tlv, u32 } from '../../helpers/netlink-bytes.js';

const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('macvlan requests', littleEndianOnly, () => {
  test('creating one is what iproute2 sends, attribute for attribute', () => {
    const payload = macvlanRequest({ name: 'vrrp.7', parentIndex: 2, mac: '00:00:5e:00:01:07', mode: 1 });
    const expected = hex(`
      00 00 0000 00000000 00000000 00000000
      0a00 0100 00005e000107 0000
      0800 0500 02000000
      0b00 0300 767272702e3700 00
      1c00 1200
        0b00 0100 6d6163766c616e 00
        0c00 0200 0800 0100 01000000`);
    assert.deepEqual(payload, expected);
  });

  test('bringing one up sets IFF_UP in flags and change; deleting names it by index', () => {
    assert.deepEqual(linkUpRequest(4), hex('00 00 0000 04000000 01000000 01000000'));
    assert.deepEqual(linkDeleteRequest(4), hex('00 00 0000 04000000 00000000 00000000'));
  });

  test('names the kernel would refuse are refused before sending', () => {
    const spec = { parentIndex: 2, mac: '00:00:5e:00:01:07', mode: 1 };
    assert.throws(() => macvlanRequest({ ...spec, name: 'a-name-of-16-byt' }), /1-15 bytes/);
    assert.throws(() => macvlanRequest({ ...spec, name: 'vrrp.7', mac: '00:00:5e:00:01' }), /not a MAC/);
  });
});

/** A link as RTM_NEWLINK reports it: ifinfomsg (index 4, up and running), then `attributes`. */
const linkFrom = (...attributes: Buffer[]) =>
  decodeLink({
    type: RTM_NEWLINK,
    flags: 0,
    seq: 0,
    pid: 0,
    payload: Buffer.concat([hex('00 00 0100 04000000 43100100 00000000'), ...attributes]),
  });

describe('a macvlan in a link dump', littleEndianOnly, () => {
  test('reports its lower device, kind and mode', () => {
    const link = linkFrom(
      tlv(3, cString('vrrp.7')),
      tlv(1, '00005e000107'),
      tlv(5, u32(2)),
      nest(18, tlv(1, cString('macvlan')), nest(2, tlv(1, u32(1)), tlv(2, u32(0)))),
    );
    assert.equal(link.name, 'vrrp.7');
    assert.equal(link.mac, '00:00:5e:00:01:07');
    assert.equal(link.parentIndex, 2);
    assert.equal(link.kind, 'macvlan');
    assert.equal(link.macvlanMode, 1);
  });

  test('a veth has a kind and no macvlan mode', () => {
    const link = linkFrom(tlv(3, cString('eth0')), nest(18, tlv(1, cString('veth'))));
    assert.equal(link.kind, 'veth');
    assert.equal(link.macvlanMode, undefined);
  });
});
