// The IPVS sync daemon requests and replies (linux/ip_vs.h), and which daemons a director wants.
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { IPVS_GENL_VERSION } from '../../../src/ipvs/codec.js';
import { decodeSyncDaemon, runsAs, syncDaemonRequest, wantedRoles } from '../../../src/ipvs/sync-daemon.js';
import { encodeGenericPayload } from '../../../src/net/genetlink.js';
import { cString, nest, tlv, u16, u32 } from '../../helpers/netlink-bytes.js';

const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };
/** A nest as vigil sends it: NLA_F_NESTED set. */
const sent = (type: number, ...children: Buffer[]) => tlv(type | 0x8000, Buffer.concat(children));
const payload = (command: number, ...attributes: Buffer[]) =>
  Buffer.concat([Buffer.from([command, IPVS_GENL_VERSION, 0, 0]), ...attributes]).toString('hex');

describe('IPVS sync daemon requests', littleEndianOnly, () => {
  test('start: IPVS_CMD_NEW_DAEMON with the state, interface and sync id, and only the options given', () => {
    const request = syncDaemonRequest.start('master', { interface: 'eth0', syncId: 51 });
    assert.equal(request.operation, 'start the master IPVS sync daemon on eth0, sync id 51');
    assert.equal(
      encodeGenericPayload(request.command, IPVS_GENL_VERSION, request.attributes).toString('hex'),
      payload(9, sent(3, tlv(1, u32(1)), tlv(2, cString('eth0')), tlv(3, u32(51)))),
    );
    const full = syncDaemonRequest.start('backup', {
      interface: 'eth1',
      syncId: 7,
      maxlen: 1400,
      port: 9000,
      ttl: 2,
      group: '239.1.2.3',
    });
    assert.equal(
      encodeGenericPayload(full.command, IPVS_GENL_VERSION, full.attributes).toString('hex'),
      payload(
        9,
        sent(
          3,
          tlv(1, u32(2)),
          tlv(2, cString('eth1')),
          tlv(3, u32(7)),
          tlv(4, u16(1400)),
          tlv(5, 'ef010203'),
          tlv(7, u16(9000)),
          tlv(8, '02'),
        ),
      ),
    );
  });

  test('stop: IPVS_CMD_DEL_DAEMON with the state alone; list: a GET_DAEMON dump', () => {
    const stop = syncDaemonRequest.stop({ role: 'backup', interface: 'eth0', syncId: 51 });
    assert.equal(
      encodeGenericPayload(stop.command, IPVS_GENL_VERSION, stop.attributes).toString('hex'),
      payload(10, sent(3, tlv(1, u32(2)))),
    );
    assert.equal(syncDaemonRequest.list().command, 11);
  });

  test('decodes what GET_DAEMON reports, an IPv6 group too; an all-zero group is none', () => {
    const reply = (...daemon: Buffer[]) => ({ command: 11, version: 1, attributes: nest(3, ...daemon) });
    assert.deepEqual(
      decodeSyncDaemon(
        reply(
          tlv(1, u32(1)),
          tlv(2, cString('eth0')),
          tlv(3, u32(51)),
          tlv(4, u16(1472)),
          tlv(5, '00000000'),
          tlv(7, u16(8848)),
          tlv(8, '01'),
        ),
      ),
      { role: 'master', interface: 'eth0', syncId: 51, maxlen: 1472, port: 8848, ttl: 1 },
    );
    const group6 = Buffer.from('ff020000000000000000000000000051', 'hex');
    assert.deepEqual(decodeSyncDaemon(reply(tlv(1, u32(2)), tlv(2, cString('eth0')), tlv(3, u32(0)), tlv(6, group6))), {
      role: 'backup',
      interface: 'eth0',
      syncId: 0,
      group: 'ff02::51',
    });
    assert.throws(() => decodeSyncDaemon(reply(tlv(1, u32(3)))), /state, interface and sync id are required/);
  });
});

describe('which sync daemons a director wants', () => {
  test('following an instance: the master daemon while it is MASTER, else the backup one; following none: both', () => {
    assert.deepEqual(wantedRoles(true, true), ['master']);
    assert.deepEqual(wantedRoles(true, false), ['backup']);
    assert.deepEqual(wantedRoles(false, false), ['master', 'backup']);
  });

  test('a running daemon is ours when it has our settings; what the kernel leaves out or defaults does not count against it', () => {
    const ours = { interface: 'eth0', syncId: 51 };
    assert.ok(runsAs({ role: 'master', interface: 'eth0', syncId: 51, port: 8848, ttl: 1 }, ours));
    assert.ok(!runsAs({ role: 'master', interface: 'eth0', syncId: 52 }, ours));
    assert.ok(!runsAs({ role: 'master', interface: 'eth1', syncId: 51 }, ours));
    assert.ok(!runsAs({ role: 'master', interface: 'eth0', syncId: 51, port: 8848 }, { ...ours, port: 9000 }));
  });
});
