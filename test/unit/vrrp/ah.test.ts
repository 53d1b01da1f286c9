import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IPPROTO_AH } from '../../../src/inet/vrrp-wire.js';
import { type AhEnvelope, AhSequence, ahKey, openEnvelope, sealAdvert, verifyEnvelope } from '../../../src/vrrp/ah.js';
import { fixture } from '../../helpers/paths.js';
import { readPcap } from '../../helpers/pcap.js';

const ETHERNET_HEADER_LENGTH = 14;
const KEY = ahKey('secret12');

/** The IPv4 datagrams of keepalived's AH adverts in the golden capture (auth_pass secret12). */
const goldenDatagrams = (): Buffer[] =>
  readPcap(fixture('vrrp', 'v2-auth-ah.pcap')).flatMap((frame) =>
    frame.ip?.viaAh ? [frame.bytes.subarray(ETHERNET_HEADER_LENGTH)] : [],
  );

function envelopeOf(datagram: Buffer): AhEnvelope {
  const envelope = openEnvelope(datagram);
  assert.ok(envelope, 'an AH datagram carrying VRRP');
  return envelope;
}

const verify = (datagram: Buffer, key = KEY, unicast = false, sequence = new AhSequence()) =>
  verifyEnvelope(envelopeOf(datagram), key, unicast, sequence);

/** `datagram` with some bytes changed, as a router on the way or an attacker would. */
function changed(datagram: Buffer, edit: (d: Buffer) => void): Buffer {
  const copy = Buffer.from(datagram);
  edit(copy);
  return copy;
}

describe("keepalived's auth_type AH", () => {
  const golden = goldenDatagrams();

  it('the capture holds four AH adverts: SPI = the sender, sequence numbers counting from 1', () => {
    assert.equal(golden.length, 4);
    for (const datagram of golden) assert.equal(datagram[9], IPPROTO_AH);
    const envelopes = golden.map(envelopeOf);
    assert.deepEqual(
      envelopes.map((e) => e.sequence),
      [1, 2, 3, 4],
    );
    for (const e of envelopes) assert.equal(e.spi, 0xc000020b, 'SPI 192.0.2.11');
  });

  it('vigil seals each advert byte-for-byte as keepalived did, ICV and IP header included', () => {
    for (const datagram of golden) {
      const { sequence, message } = envelopeOf(datagram);
      const fields = { source: '192.0.2.11', destination: '224.0.0.18', id: datagram.readUInt16BE(4), sequence };
      assert.deepEqual(sealAdvert(message, { ...fields, unicast: false }, KEY), datagram);
    }
  });

  it("keepalived's adverts verify under its auth_pass, and under no other", () => {
    for (const datagram of golden) assert.deepEqual(verify(datagram), { ok: true });
    const wrong = verify(golden[0]!, ahKey('secret13'));
    assert.equal(wrong.ok, false);
    assert.equal(!wrong.ok && wrong.reason, 'auth_mismatch');
    assert.doesNotMatch(!wrong.ok ? wrong.detail : '', /secret/, 'keys stay out of the log');
  });

  it('an advert changed on the way fails, but for the fields routers may change', () => {
    const [first] = golden;
    const vrrpPriority = 20 + 24 + 2;
    assert.equal(verify(changed(first!, (d) => d.writeUInt8(255, vrrpPriority))).ok, false, 'priority raised');
    assert.equal(verify(changed(first!, (d) => d.writeUInt32BE(0xc000020c, 12))).ok, false, 'another source');
    const remarked = changed(first!, (d) => {
      d[1] = 0; // TOS
      d.writeUInt16BE(0x4000, 6); // don't fragment
      d.writeUInt16BE(0, 10); // header checksum
    });
    assert.deepEqual(verify(remarked), { ok: true });
    // The TTL counts only for multicast: there it must be 255 anyway, while unicast peers may be routed.
    const routed = changed(first!, (d) => d.writeUInt8(254, 8));
    assert.equal(verify(routed).ok, false);
    const { sequence, message } = envelopeOf(first!);
    const unicast = sealAdvert(
      message,
      { source: '192.0.2.11', destination: '192.0.2.12', id: 1, sequence, unicast: true },
      KEY,
    );
    assert.deepEqual(
      verify(
        changed(unicast, (d) => d.writeUInt8(64, 8)),
        KEY,
        true,
      ),
      { ok: true },
    );
  });

  it('a sequence number seen before is a replay, and is refused', () => {
    const sequence = new AhSequence();
    assert.deepEqual(verify(golden[1]!, KEY, false, sequence), { ok: true });
    for (const datagram of [golden[1]!, golden[0]!]) {
      const replay = verify(datagram, KEY, false, sequence);
      assert.equal(!replay.ok && replay.reason, 'ah_replayed');
    }
    assert.deepEqual(verify(golden[3]!, KEY, false, sequence), { ok: true }, 'numbers may skip (lost adverts)');
    assert.equal(sequence.last, 4);
  });

  it('AH for anything but VRRP is not ours', () => {
    assert.equal(openEnvelope(changed(golden[0]!, (d) => d.writeUInt8(6, 20))), undefined, 'TCP behind AH');
    assert.equal(openEnvelope(golden[0]!.subarray(0, 40)), undefined, 'cut short');
  });
});

describe('AhSequence: one counter for what an instance sends and hears', () => {
  it('a backup that takes over numbers on from the master it heard', () => {
    const sequence = new AhSequence();
    assert.equal(sequence.accept(41), true);
    assert.equal(sequence.next(), 42);
    assert.equal(sequence.next(), 43);
    assert.equal(sequence.accept(43), false, 'our own number, or the old master restarted');
  });

  it('a master hearing a lower priority numbers above it', () => {
    const sequence = new AhSequence();
    sequence.next();
    sequence.overtake(500);
    assert.equal(sequence.next(), 502);
  });
});
