/**
 * keepalived's `auth_type AH`: a VRRPv2 message behind an IP Authentication Header (RFC 2338
 * §5.3.6.3, RFC 2402) whose ICV is HMAC-MD5-96 (RFC 2403) keyed with the 8-byte auth_pass field,
 * without any IPsec security association. What keepalived 2.2.7 puts on the wire:
 * - the whole IPv4 datagram is built here, since the ICV covers the IP header: TOS CS6, the
 *   sender's own IP id, TTL 255, protocol 51, then 24 bytes of AH, then the VRRP message (whose
 *   auth type is 2 and auth data zero);
 * - SPI = the sender's IPv4 address (no SA negotiates one); next header 112; length 4 words;
 * - the sequence number counts per instance and is shared with what it accepts (AhSequence);
 * - the ICV is over IP header + AH + VRRP with TOS, fragment offset, header checksum and the ICV
 *   itself zeroed, and also the TTL when the instance has unicast peers.
 * Pure: no sockets.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseIp } from '../inet/address.js';
import { internetChecksum } from '../inet/checksum.js';
import { IPPROTO_AH, IPPROTO_VRRP, VRRP_TTL } from '../inet/vrrp-wire.js';

const IPV4_HEADER_LENGTH = 20;
const AH_LENGTH = 24;
/** RFC 2402 §2.2: the AH length in 32-bit words, minus 2. */
const AH_LENGTH_FIELD = AH_LENGTH / 4 - 2;
const ICV_OFFSET = 12;
const ICV_LENGTH = 12;
/** keepalived keys the HMAC with its 8-byte auth_pass field, zero-padded. */
const KEY_LENGTH = 8;
const TOS_CS6 = 0xc0;
/** keepalived stops counting here (and would resign mastership); 136 years of 1-second adverts. */
const LAST_SEQUENCE = 0xfffffffe;

/** The HMAC key of an auth_pass: its bytes, zero-padded to the 8-byte field (the config has cut it to 8). */
export function ahKey(password: string): Buffer {
  const key = Buffer.alloc(KEY_LENGTH);
  key.write(password, 'utf8');
  return key;
}

export interface AhSendFields {
  source: string;
  destination: string;
  /** The IPv4 identification: the sender's own, never 0 (the kernel would replace a 0, and the ICV covers it). */
  id: number;
  sequence: number;
  /** The instance has unicast peers: the TTL may change on the way, so it is left out of the ICV. */
  unicast: boolean;
  /** unicast_ttl; unset, 255. */
  ttl?: number;
}

function ipv4Bytes(address: string): Uint8Array {
  const ip = parseIp(address);
  if (ip?.family !== 4) throw new RangeError(`${JSON.stringify(address)} is not an IPv4 address`);
  return ip.bytes;
}

/** HMAC-MD5-96 over the datagram with the mutable fields and the ICV zeroed. */
function icv(datagram: Uint8Array, headerLength: number, key: Buffer, unicast: boolean): Buffer {
  const zeroed = Buffer.from(datagram);
  zeroed[1] = 0; // TOS
  zeroed.writeUInt16BE(0, 6); // flags and fragment offset
  zeroed.writeUInt16BE(0, 10); // header checksum
  if (unicast) zeroed[8] = 0;
  zeroed.fill(0, headerLength + ICV_OFFSET, headerLength + ICV_OFFSET + ICV_LENGTH);
  return createHmac('md5', key).update(zeroed).digest().subarray(0, ICV_LENGTH);
}

/**
 * The IPv4 datagram carrying VRRP `message` behind AH, as keepalived sends it (for a raw socket
 * with IP_HDRINCL). The header checksum is filled in too, though the kernel rewrites it.
 */
export function sealAdvert(message: Uint8Array, fields: AhSendFields, key: Buffer): Buffer {
  const source = ipv4Bytes(fields.source);
  const datagram = Buffer.alloc(IPV4_HEADER_LENGTH + AH_LENGTH + message.length);
  datagram[0] = 0x45;
  datagram[1] = TOS_CS6;
  datagram.writeUInt16BE(datagram.length, 2);
  datagram.writeUInt16BE(fields.id, 4);
  datagram[8] = fields.ttl ?? VRRP_TTL;
  datagram[9] = IPPROTO_AH;
  datagram.set(source, 12);
  datagram.set(ipv4Bytes(fields.destination), 16);
  const ah = IPV4_HEADER_LENGTH;
  datagram[ah] = IPPROTO_VRRP;
  datagram[ah + 1] = AH_LENGTH_FIELD;
  datagram.set(source, ah + 4);
  datagram.writeUInt32BE(fields.sequence, ah + 8);
  datagram.set(message, ah + AH_LENGTH);
  icv(datagram, IPV4_HEADER_LENGTH, key, fields.unicast).copy(datagram, ah + ICV_OFFSET);
  datagram.writeUInt16BE(internetChecksum(datagram.subarray(0, IPV4_HEADER_LENGTH)), 10);
  return datagram;
}

/** A received AH datagram taken apart, not yet authenticated (that needs the instance's key). */
export interface AhEnvelope {
  /** The whole IPv4 datagram, header included: the ICV covers it. */
  datagram: Buffer;
  spi: number;
  sequence: number;
  /** The VRRP message after the AH header. */
  message: Buffer;
}

/**
 * Splits a received IPv4 datagram with protocol AH into AH fields and the VRRP message; undefined
 * for AH that does not carry VRRP with a 96-bit ICV (someone else's IPsec: keepalived ignores it).
 */
export function openEnvelope(datagram: Buffer): AhEnvelope | undefined {
  const headerLength = (datagram[0]! & 0x0f) * 4;
  if (datagram.length < headerLength + AH_LENGTH) return undefined;
  const ah = datagram.subarray(headerLength);
  if (ah[0] !== IPPROTO_VRRP || ah[1] !== AH_LENGTH_FIELD) return undefined;
  return { datagram, spi: ah.readUInt32BE(4), sequence: ah.readUInt32BE(8), message: ah.subarray(AH_LENGTH) };
}

export type AhVerdict = { ok: true } | { ok: false; reason: 'auth_mismatch' | 'ah_replayed'; detail: string };

/**
 * keepalived's checks of a received AH advert, in its order: the ICV under `key`, then SPI =
 * source address, then a sequence number above any sent or accepted (`sequence` moves on when
 * it is). Nothing of a datagram whose ICV fails is believed, so the detail quotes none of it.
 */
export function verifyEnvelope(envelope: AhEnvelope, key: Buffer, unicast: boolean, sequence: AhSequence): AhVerdict {
  const { datagram } = envelope;
  const headerLength = (datagram[0]! & 0x0f) * 4;
  const expected = icv(datagram, headerLength, key, unicast);
  const received = datagram.subarray(headerLength + ICV_OFFSET, headerLength + ICV_OFFSET + ICV_LENGTH);
  if (!timingSafeEqual(expected, received))
    return {
      ok: false,
      reason: 'auth_mismatch',
      detail: 'wrong IPsec AH HMAC-MD5 value: a different auth_pass, or the packet changed on the way',
    };
  if (envelope.spi !== datagram.readUInt32BE(12)) {
    const spi = [...datagram.subarray(headerLength + 4, headerLength + 8)].join('.');
    return { ok: false, reason: 'auth_mismatch', detail: `IPsec AH SPI ${spi} is not the source address` };
  }
  if (!sequence.accept(envelope.sequence))
    return {
      ok: false,
      reason: 'ah_replayed',
      detail: `IPsec AH sequence number ${envelope.sequence} already seen (last ${sequence.last})`,
    };
  return { ok: true };
}

/**
 * keepalived's one AH sequence counter per instance: it numbers the adverts sent and remembers
 * the highest accepted, so a backup that takes over goes on from the master's numbers, and every
 * advert must carry a number above it. A restarted router starts again from 0, and so accepts
 * the others' adverts while theirs are refused until it has heard one (keepalived forces an
 * AH instance to start as BACKUP for that).
 */
export class AhSequence {
  #last = 0;

  get last(): number {
    return this.#last;
  }

  /** The number of the next advert sent. */
  next(): number {
    this.#last = Math.min(this.#last + 1, LAST_SEQUENCE);
    return this.#last;
  }

  /** Whether a received number is new; if it is, it is remembered. */
  accept(sequence: number): boolean {
    if (sequence <= this.#last) return false;
    this.#last = sequence;
    return true;
  }

  /**
   * A master that hears a lower-priority advert goes on above its number, as keepalived does:
   * that router took over and counted on while it could not hear us.
   */
  overtake(sequence: number): void {
    this.#last = Math.min(sequence + 1, LAST_SEQUENCE);
  }
}
