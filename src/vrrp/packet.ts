/**
 * The VRRP advertisement codec: version 2 (RFC 3768, IPv4 only) and version 3 (RFC 5798, IPv4 and
 * IPv6). It works on the VRRP message alone, which is what a raw IPPROTO_VRRP socket sends and
 * receives; the IP header fields that matter (addresses for the v3 checksum, TTL) travel alongside.
 * Pure: no sockets, timers or processes.
 */
import { isUtf8 } from 'node:buffer';
import { type Family, parseIp } from '../inet/address.js';
import { internetChecksum } from '../inet/checksum.js';
import { IPPROTO_VRRP, VRRP_TTL } from '../inet/vrrp-wire.js';

export type { Family };

const TYPE_ADVERTISEMENT = 1;
const HEADER_LENGTH = 8;
/** VRRPv2 ends with 8 bytes of authentication data; VRRPv3 has none. */
const V2_AUTH_DATA_LENGTH = 8;
const V2_AUTH_NONE = 0;
const V2_AUTH_PASS = 1;
/** RFC 2338's IP Authentication Header type: the message travels behind AH (see ah.ts), its auth data zero. */
const V2_AUTH_AH = 2;
/** VRRPv3's Max Adver Int is the low 12 bits of its 16-bit field; the top 4 are reserved. */
const V3_MAX_INTERVAL_CS = 0x0fff;
const CENTISECONDS_PER_SECOND = 100;

export interface Advertisement {
  version: 2 | 3;
  /** Virtual router id, 1-255. */
  vrid: number;
  /** 1-254 for a backup-capable router, 255 for the address owner, 0 for a master that is stopping. */
  priority: number;
  /** Canonical text (IPv4 dotted quad, IPv6 per RFC 5952), all of the packet's IP family. */
  addresses: string[];
  /** The (Max) Advertisement Interval in centiseconds; VRRPv2 carries whole seconds, so there it is a multiple of 100. */
  advertIntervalCs: number;
  /** VRRPv2 simple text password (auth type 1), at most 8 bytes of UTF-8; absent for auth type 0 and in VRRPv3. */
  password?: string;
  /** VRRPv2 auth type 2: keepalived's `auth_type AH`, the message behind an IPsec AH header (ah.ts). */
  ah?: true;
}

/** The IP header fields a VRRP message is sent with. */
export interface IpHeader {
  family: Family;
  source: string;
  destination: string;
}

/** The IP header fields a VRRP message was received with. */
export interface ReceivedIpHeader extends IpHeader {
  /** The IPv4 TTL or the IPv6 hop limit. */
  ttl: number;
}

/** Every reason a received advert is dropped: one counter each. */
export const DROP_REASONS = [
  // The packet on its own (decodeAdvertisement).
  'too_short',
  'bad_length',
  'bad_version',
  'bad_type',
  'bad_checksum',
  'bad_vrid',
  'bad_auth_type',
  'bad_interval',
  // The packet against the receiving instance (checkAgainstInstance). The TTL is checked here,
  // not on its own, because unicast peers may send with any (keepalived sends 64 over IPv6).
  'bad_ttl',
  'version_mismatch',
  'vrid_mismatch',
  'local_is_owner',
  // keepalived's authtype_mismatch: AH, PASS or none, not what the instance uses.
  'auth_type_mismatch',
  // keepalived's auth_failure: a wrong password, AH ICV or AH SPI; or an AH sequence number seen before.
  'auth_mismatch',
  'ah_replayed',
  'interval_mismatch',
  'address_mismatch',
  // check_unicast_src: from a source that is not one of the unicast peers.
  'unknown_unicast_source',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface Drop {
  ok: false;
  reason: DropReason;
  /** One line for the log: what was received and what was expected. */
  detail: string;
}

export type DecodeResult = { ok: true; advert: Advertisement } | Drop;

const drop = (reason: DropReason, detail: string): Drop => ({ ok: false, reason, detail });

const addressLength = (family: Family): number => (family === 4 ? 4 : 16);

/**
 * The bytes of an address that must be of `family`.
 * @throws RangeError naming `what` otherwise (a caller's bug)
 */
export function addressBytes(text: string, family: Family, what: string): Uint8Array {
  const ip = parseIp(text);
  if (!ip || ip.family !== family)
    throw new RangeError(`${what} ${JSON.stringify(text)} is not an IPv${family} address`);
  return ip.bytes;
}

function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  // Written out in full and canonicalised by inet/address, so decoded addresses compare equal
  // to configured ones.
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return parseIp(groups.join(':'))!.address;
}

// Shared with ICMP echo (check/), so it lives below both.
export { internetChecksum };

/**
 * The checksum of an upper-layer message over the IPv4 (RFC 768) or IPv6 (RFC 8200 §8.1)
 * pseudo-header and the message. Shared with the unsolicited Neighbor Advertisement builder.
 */
export function pseudoHeaderChecksum(ip: IpHeader, protocol: number, message: Uint8Array): number {
  const source = addressBytes(ip.source, ip.family, 'source address');
  const destination = addressBytes(ip.destination, ip.family, 'destination address');
  const pseudoHeader = Buffer.alloc(ip.family === 4 ? 12 : 40);
  pseudoHeader.set(source, 0);
  pseudoHeader.set(destination, source.length);
  if (ip.family === 4) {
    pseudoHeader[9] = protocol;
    pseudoHeader.writeUInt16BE(message.length, 10);
  } else {
    pseudoHeader.writeUInt32BE(message.length, 32);
    pseudoHeader[39] = protocol;
  }
  return internetChecksum(Buffer.concat([pseudoHeader, message]));
}

/**
 * VRRPv2 sums the message alone. VRRPv3 adds the pseudo-header for both IP families (RFC 5798
 * §5.2.8 cites only the IPv6 one, but keepalived, Wireshark and the captures include the IPv4 one).
 */
function vrrpChecksum(version: 2 | 3, ip: IpHeader, message: Uint8Array): number {
  return version === 2 ? internetChecksum(message) : pseudoHeaderChecksum(ip, IPPROTO_VRRP, message);
}

function messageLength(version: 2 | 3, family: Family, addressCount: number): number {
  return HEADER_LENGTH + addressCount * addressLength(family) + (version === 2 ? V2_AUTH_DATA_LENGTH : 0);
}

const isByte = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 255;

/** Refuses what cannot go on the wire; the config layer has already ruled these out, so reaching one is a bug. */
function assertEncodable(advert: Advertisement, ip: IpHeader): void {
  const refuse = (why: string): never => {
    throw new RangeError(`cannot encode VRRPv${advert.version} advert for VRID ${advert.vrid}: ${why}`);
  };
  if (advert.version === 2 && ip.family === 6) refuse('VRRPv2 carries IPv4 only');
  if (!isByte(advert.vrid) || advert.vrid === 0) refuse('VRID must be 1-255');
  if (!isByte(advert.priority)) refuse(`priority ${advert.priority} is not 0-255`);
  if (advert.addresses.length > 255) refuse(`${advert.addresses.length} addresses, at most 255 fit`);
  const interval = advert.advertIntervalCs;
  if (advert.version === 2) {
    const seconds = interval / CENTISECONDS_PER_SECOND;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 255)
      refuse(`interval ${interval} cs is not a whole 1-255 seconds`);
    if (advert.password !== undefined && advert.ah) refuse('a password and AH exclude each other');
    if (advert.password !== undefined && Buffer.byteLength(advert.password) > V2_AUTH_DATA_LENGTH) {
      refuse(`password is ${Buffer.byteLength(advert.password)} bytes, at most ${V2_AUTH_DATA_LENGTH} fit`);
    }
  } else {
    if (!Number.isInteger(interval) || interval < 1 || interval > V3_MAX_INTERVAL_CS)
      refuse(`interval ${interval} cs is not 1-${V3_MAX_INTERVAL_CS}`);
    if (advert.password !== undefined || advert.ah) refuse('VRRPv3 has no authentication');
  }
}

/**
 * The VRRP message for `advert`, checksum filled in, as sent from `ip.source` to `ip.destination`.
 * @throws RangeError when a field cannot be encoded (a caller's bug, never a peer's doing)
 */
export function encodeAdvertisement(advert: Advertisement, ip: IpHeader): Buffer {
  assertEncodable(advert, ip);
  const message = Buffer.alloc(messageLength(advert.version, ip.family, advert.addresses.length));
  message[0] = (advert.version << 4) | TYPE_ADVERTISEMENT;
  message[1] = advert.vrid;
  message[2] = advert.priority;
  message[3] = advert.addresses.length;
  if (advert.version === 2) {
    message[4] = advert.ah ? V2_AUTH_AH : advert.password === undefined ? V2_AUTH_NONE : V2_AUTH_PASS;
    message[5] = advert.advertIntervalCs / CENTISECONDS_PER_SECOND;
    // Zero-padded to the 8-byte field, as keepalived sends it.
    if (advert.password !== undefined) message.write(advert.password, message.length - V2_AUTH_DATA_LENGTH, 'utf8');
  } else {
    message.writeUInt16BE(advert.advertIntervalCs, 4);
  }
  advert.addresses.forEach((address, i) => {
    message.set(addressBytes(address, ip.family, 'virtual address'), HEADER_LENGTH + i * addressLength(ip.family));
  });
  message.writeUInt16BE(vrrpChecksum(advert.version, ip, message), 6);
  return message;
}

const hex16 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/**
 * Decodes and checks a received VRRP message on its own (RFC 5798 §7.1, RFC 3768 §7.1):
 * completeness, version, type, checksum, a VRID of 1-255, v2 auth type, a non-zero interval (RFC 9568
 * erratum 8301). The TTL is the receiving instance's check (checkAgainstInstance).
 * Never throws for any `message` bytes: every defect is a Drop with its reason.
 * @throws RangeError only when `ip.source` or `ip.destination` is not an address of `ip.family` (a caller's bug)
 */
export function decodeAdvertisement(message: Uint8Array, ip: IpHeader): DecodeResult {
  if (message.length < HEADER_LENGTH)
    return drop('too_short', `${message.length} bytes, shorter than the ${HEADER_LENGTH}-byte header`);

  const version = message[0]! >> 4;
  const type = message[0]! & 0x0f;
  if (version !== 2 && version !== 3) return drop('bad_version', `version ${version}, expected 2 or 3`);
  if (version === 2 && ip.family === 6)
    return drop('bad_version', 'VRRPv2 over IPv6: version 2 is defined for IPv4 only');
  if (type !== TYPE_ADVERTISEMENT)
    return drop('bad_type', `type ${type}, expected ${TYPE_ADVERTISEMENT} (advertisement)`);

  const count = message[3]!;
  const expectedLength = messageLength(version, ip.family, count);
  if (message.length !== expectedLength) {
    return drop(
      message.length < expectedLength ? 'too_short' : 'bad_length',
      `${message.length} bytes, but ${count} IPv${ip.family} address${count === 1 ? '' : 'es'} make a VRRPv${version} message of ${expectedLength}`,
    );
  }

  // A message that includes its own checksum sums to zero; on a mismatch the expected value is
  // worth logging, since a wrong pseudo-header (unicast peers, NAT) shows up here.
  if (vrrpChecksum(version, ip, message) !== 0) {
    const zeroed = Buffer.from(message);
    zeroed.writeUInt16BE(0, 6);
    const received = (message[6]! << 8) | message[7]!;
    return drop(
      'bad_checksum',
      `checksum ${hex16(received)}, expected ${hex16(vrrpChecksum(version, ip, zeroed))} for ${ip.source} > ${ip.destination}`,
    );
  }

  const vrid = message[1]!;
  if (vrid === 0) return drop('bad_vrid', 'VRID 0: virtual router ids are 1-255');
  const advert: Advertisement = { version, vrid, priority: message[2]!, addresses: [], advertIntervalCs: 0 };
  if (version === 2) {
    const authType = message[4]!;
    if (authType !== V2_AUTH_NONE && authType !== V2_AUTH_PASS && authType !== V2_AUTH_AH)
      return drop('bad_auth_type', `auth type ${authType}, expected 0 (none), 1 (simple text password) or 2 (AH)`);
    advert.advertIntervalCs = message[5]! * CENTISECONDS_PER_SECOND;
    if (authType === V2_AUTH_AH) advert.ah = true;
    if (authType === V2_AUTH_PASS) {
      // The sender zero-pads the password to 8 bytes; only that padding is removed.
      let end = message.length;
      while (end > message.length - V2_AUTH_DATA_LENGTH && message[end - 1] === 0) end--;
      const password = message.subarray(message.length - V2_AUTH_DATA_LENGTH, end);
      // Configured passwords are text, so bytes that are not UTF-8 can match none of them.
      if (!isUtf8(password)) return drop('auth_mismatch', 'the simple text password is not UTF-8 text');
      advert.password = Buffer.from(password).toString('utf8');
    }
  } else {
    advert.advertIntervalCs = ((message[4]! << 8) | message[5]!) & V3_MAX_INTERVAL_CS;
  }
  // A zero interval would make every backup's Master_Down_Interval zero, and all of them master at once.
  if (advert.advertIntervalCs === 0) return drop('bad_interval', 'advertisement interval 0');

  const size = addressLength(ip.family);
  for (let i = 0; i < count; i++) {
    const at = HEADER_LENGTH + i * size;
    advert.addresses.push(addressText(message.subarray(at, at + size)));
  }
  return { ok: true, advert };
}

/** What a receiving instance is configured with, for the receive checks that need it. */
export interface ReceivingInstance {
  version: 2 | 3;
  vrid: number;
  /** Its own configured priority: 255 makes it the address owner, which ignores other routers' adverts. */
  priority: number;
  /** Compared for VRRPv2 only; a VRRPv3 backup adopts the master's interval instead (RFC 5798 §6.4.2). */
  advertIntervalCs: number;
  /** Canonical text, as inet/address formats it. */
  addresses: readonly string[];
  /** VRRPv2 simple text password; absent for no authentication. */
  password?: string;
  /** VRRPv2 `auth_type AH`: the advert must say auth type 2 (the AH header itself is checked before, with ah.ts). */
  ah?: boolean;
  /** It has unicast peers: their adverts may arrive with any TTL / hop limit. */
  unicast: boolean;
}

/**
 * Something to log about an advert that is nonetheless processed. `reason` is its kind, fixed
 * whatever the sender put in the advert, so that the log can count it without keeping the text.
 */
export interface AdvertWarning {
  reason: 'address_mismatch_from_owner';
  /** One line for the log. */
  detail: string;
}

export type InstanceCheck = { ok: true; warning?: AdvertWarning } | Drop;

const listText = (addresses: readonly string[]): string => `[${addresses.join(', ')}]`;

function describeAuth(auth: { password?: string; ah?: boolean }): string {
  if (auth.ah) return 'IPsec AH';
  return auth.password === undefined ? 'no authentication' : 'a simple text password';
}

/**
 * The receive checks of RFC 5798 §7.1 / RFC 3768 §7.1 that depend on the receiving instance: TTL,
 * VRID, address ownership, v2 authentication and interval, and the address list, for `advert`
 * received with `ip`.
 *
 * The TTL / hop limit must be 255, so that a routed packet cannot pose as a neighbour, except
 * for an instance with unicast peers: keepalived neither sends its unicast IPv6 adverts with 255
 * nor checks the TTL of unicast adverts ("MUST verify that the IPv4 TTL/IPv6 HL is 255 (but not
 * if unicast)"), and unicast peers may sit a route apart.
 *
 * A differing address list is dropped, as those sections require, unless the sender is the
 * address owner (priority 255); then it is processed with a warning to log. keepalived drops such
 * adverts too.
 */
export function checkAgainstInstance(
  advert: Advertisement,
  ip: Pick<ReceivedIpHeader, 'family' | 'ttl'>,
  instance: ReceivingInstance,
): InstanceCheck {
  if (!instance.unicast && ip.ttl !== VRRP_TTL) {
    return drop(
      'bad_ttl',
      `${ip.family === 4 ? 'TTL' : 'hop limit'} ${ip.ttl}, expected ${VRRP_TTL}: the packet was routed or not sent as VRRP`,
    );
  }
  if (advert.version !== instance.version)
    return drop('version_mismatch', `VRRPv${advert.version} advert, the instance runs VRRPv${instance.version}`);
  if (advert.vrid !== instance.vrid)
    return drop('vrid_mismatch', `VRID ${advert.vrid}, the instance has ${instance.vrid}`);
  if (instance.priority === 255)
    return drop(
      'local_is_owner',
      `this router owns the addresses of VRID ${instance.vrid} (priority 255) and ignores other routers' adverts`,
    );

  if (advert.version === 2) {
    if (describeAuth(advert) !== describeAuth(instance)) {
      return drop(
        'auth_type_mismatch',
        `advert uses ${describeAuth(advert)}, the instance is configured with ${describeAuth(instance)}`,
      );
    }
    // The password itself is not logged: it is a secret, however weak.
    if (advert.password !== instance.password) return drop('auth_mismatch', 'wrong simple text password');
    if (advert.advertIntervalCs !== instance.advertIntervalCs) {
      const seconds = (cs: number): number => cs / CENTISECONDS_PER_SECOND;
      return drop(
        'interval_mismatch',
        `advert interval ${seconds(advert.advertIntervalCs)} s, the instance has ${seconds(instance.advertIntervalCs)} s`,
      );
    }
  }

  const advertised = [...advert.addresses].sort();
  const configured = [...instance.addresses].sort();
  if (advertised.length !== configured.length || advertised.some((address, i) => address !== configured[i])) {
    const detail = `advert lists ${listText(advert.addresses)}, the instance has ${listText(instance.addresses)}`;
    return advert.priority === 255
      ? {
          ok: true,
          warning: { reason: 'address_mismatch_from_owner', detail: `${detail}; accepted from the address owner` },
        }
      : drop('address_mismatch', detail);
  }
  return { ok: true };
}
