import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, type VrrpInstance } from '../../../src/config/index.js';
import { parseIp } from '../../../src/inet/address.js';
import { IPPROTO_VRRP } from '../../../src/inet/vrrp-wire.js';
import {
  type Advertisement,
  checkAgainstInstance,
  type DecodeResult,
  DROP_REASONS,
  type DropReason,
  decodeAdvertisement,
  encodeAdvertisement,
  type IpHeader,
  internetChecksum,
  pseudoHeaderChecksum,
  type ReceivedIpHeader,
  type ReceivingInstance,
} from '../../../src/vrrp/packet.js';
import { fixture } from '../../helpers/paths.js';
import { type Frame, type IpFields, readPcap } from '../../helpers/pcap.js';
import { prng } from '../../helpers/prng.js';

interface VrrpFrame {
  number: number;
  payload: Buffer;
  ip: IpFields;
}

const vrrpFrames = (capture: string): VrrpFrame[] =>
  readPcap(fixture('vrrp', `${capture}.pcap`)).flatMap((frame: Frame) =>
    frame.ip?.protocol === IPPROTO_VRRP ? [{ number: frame.number, payload: frame.payload, ip: frame.ip }] : [],
  );

const received = (ip: IpFields): ReceivedIpHeader => ({
  family: ip.family,
  source: ip.source,
  destination: ip.destination,
  ttl: ip.ttl,
});

function decoded(result: DecodeResult, label: string): Advertisement {
  if (!result.ok) assert.fail(`${label}: dropped as ${result.reason}: ${result.detail}`);
  return result.advert;
}

function assertDrop(
  result: { ok: boolean; reason?: DropReason; detail?: string },
  reason: DropReason,
  label: string = reason,
): void {
  assert.equal(result.ok, false, `${label}: expected a ${reason} drop, got ${JSON.stringify(result)}`);
  assert.equal(result.reason, reason, `${label}: ${result.detail}`);
  assert.ok(result.detail && result.detail.length > 0, `${label}: a drop says why`);
}

/** The receiving side of an instance as the daemon will build it from the parsed configuration. */
function receivingInstance(instance: VrrpInstance): ReceivingInstance {
  return {
    version: instance.version,
    vrid: instance.vrid,
    priority: instance.priority,
    advertIntervalCs: Math.round(instance.advertInt * 100),
    addresses: instance.vips.map((vip) => vip.address),
    ...(instance.auth?.type === 'PASS' && { password: instance.auth.password }),
    ah: instance.auth?.type === 'AH',
    unicast: instance.unicastPeers.length > 0,
  };
}

function goldenInstance(capture: string): ReceivingInstance {
  const result = loadConfig(fixture('vrrp', `golden-${capture}.conf`));
  assert.ok(result.config, `golden-${capture}.conf: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  assert.equal(result.config.instances.length, 1);
  return receivingInstance(result.config.instances[0]!);
}

interface Golden {
  capture: string;
  vrrpFrames: number;
  advert: Omit<Advertisement, 'priority'>;
}

// What keepalived was configured to send (the golden-*.conf files), written out here by hand so
// that the codec is checked against the captures rather than against itself.
const GOLDEN: Golden[] = [
  { capture: 'v2', vrrpFrames: 4, advert: { version: 2, vrid: 51, advertIntervalCs: 100, addresses: ['192.0.2.200'] } },
  {
    capture: 'v2-auth-pass',
    vrrpFrames: 4,
    advert: { version: 2, vrid: 51, advertIntervalCs: 100, addresses: ['192.0.2.200'], password: 'secret12' },
  },
  {
    capture: 'v2-3vips',
    vrrpFrames: 4,
    advert: {
      version: 2,
      vrid: 51,
      advertIntervalCs: 100,
      addresses: ['192.0.2.200', '192.0.2.201', '198.51.100.200'],
    },
  },
  {
    capture: 'v3-ipv4',
    vrrpFrames: 4,
    advert: { version: 3, vrid: 51, advertIntervalCs: 100, addresses: ['192.0.2.200'] },
  },
  {
    capture: 'v3-ipv4-adv0.1',
    vrrpFrames: 13,
    advert: { version: 3, vrid: 51, advertIntervalCs: 10, addresses: ['192.0.2.200'] },
  },
  {
    capture: 'v3-ipv4-3vips',
    vrrpFrames: 4,
    advert: {
      version: 3,
      vrid: 51,
      advertIntervalCs: 100,
      addresses: ['192.0.2.200', '192.0.2.201', '198.51.100.200'],
    },
  },
  {
    capture: 'v3-ipv6',
    vrrpFrames: 4,
    advert: { version: 3, vrid: 52, advertIntervalCs: 100, addresses: ['2001:db8::200'] },
  },
  {
    capture: 'v3-ipv6-2vips',
    vrrpFrames: 4,
    advert: { version: 3, vrid: 52, advertIntervalCs: 100, addresses: ['fe80::200', '2001:db8::200'] },
  },
];

describe('golden captures from keepalived 2.2.7', () => {
  for (const golden of GOLDEN) {
    describe(golden.capture, () => {
      const frames = vrrpFrames(golden.capture);

      it('decodes every advert: priority 150, and 0 in the last one, sent on SIGTERM', () => {
        assert.equal(frames.length, golden.vrrpFrames);
        frames.forEach((frame, i) => {
          const advert = decoded(decodeAdvertisement(frame.payload, received(frame.ip)), `frame ${frame.number}`);
          const priority = i === frames.length - 1 ? 0 : 150;
          assert.deepEqual(advert, { ...golden.advert, priority }, `frame ${frame.number}`);
        });
      });

      it('re-encodes every advert byte for byte, checksum included', () => {
        for (const frame of frames) {
          const advert = decoded(decodeAdvertisement(frame.payload, received(frame.ip)), `frame ${frame.number}`);
          assert.deepEqual(encodeAdvertisement(advert, frame.ip), frame.payload, `frame ${frame.number}`);
        }
      });

      it('passes the instance checks of the configuration that produced it', () => {
        const instance = goldenInstance(golden.capture);
        for (const frame of frames) {
          const advert = decoded(decodeAdvertisement(frame.payload, received(frame.ip)), `frame ${frame.number}`);
          assert.deepEqual(
            checkAgainstInstance(advert, received(frame.ip), instance),
            { ok: true },
            `frame ${frame.number}`,
          );
        }
      });
    });
  }

  it('v2-auth-ah: behind the AH header, each advert says auth type 2 and is byte-for-byte what vigil sends', () => {
    const frames = vrrpFrames('v2-auth-ah');
    assert.equal(frames.length, 4);
    for (const frame of frames) {
      assert.ok(frame.ip.viaAh, `frame ${frame.number} carries AH`);
      const advert = decoded(decodeAdvertisement(frame.payload, received(frame.ip)), `frame ${frame.number}`);
      assert.equal(advert.ah, true);
      assert.equal(advert.password, undefined, 'the auth data is zero, not a password');
      assert.deepEqual(encodeAdvertisement(advert, frame.ip), frame.payload);
      assert.deepEqual(checkAgainstInstance(advert, received(frame.ip), goldenInstance('v2-auth-ah')), { ok: true });
    }
  });

  const failovers: {
    capture: string;
    vrrpFrames: number;
    runs: [source: string, priority: number, count: number][];
  }[] = [
    {
      // r1 stops (its priority-0 advert), r2 takes over, r1 returns and preempts.
      capture: 'failover-v2-term',
      vrrpFrames: 20,
      runs: [
        ['192.0.2.11', 150, 2],
        ['192.0.2.11', 0, 1],
        ['192.0.2.12', 100, 14],
        ['192.0.2.11', 150, 3],
      ],
    },
    {
      // r1 partitioned, r2 takes over at 0.1 s adverts, and r1 wins back after the heal.
      capture: 'failover-v3-partition-heal-no-garp',
      vrrpFrames: 137,
      runs: [
        ['192.0.2.11', 150, 15],
        ['192.0.2.12', 100, 76],
        ['192.0.2.11', 150, 46],
      ],
    },
  ];
  for (const failover of failovers) {
    it(`${failover.capture}: decodes and re-encodes the adverts of both routers`, () => {
      const frames = vrrpFrames(failover.capture);
      assert.equal(frames.length, failover.vrrpFrames);
      const runs: [string, number, number][] = [];
      for (const frame of frames) {
        const advert = decoded(decodeAdvertisement(frame.payload, received(frame.ip)), `frame ${frame.number}`);
        assert.equal(advert.vrid, 51);
        assert.deepEqual(advert.addresses, ['192.0.2.200']);
        assert.deepEqual(encodeAdvertisement(advert, frame.ip), frame.payload, `frame ${frame.number}`);
        const last = runs.at(-1);
        if (last && last[0] === frame.ip.source && last[1] === advert.priority) last[2]++;
        else runs.push([frame.ip.source, advert.priority, 1]);
      }
      assert.deepEqual(runs, failover.runs);
    });
  }
});

// One advert of each shape to corrupt, with the IP header it was received with.
const V2 = vrrpFrames('v2')[0]!;
const V2_PASS = vrrpFrames('v2-auth-pass')[0]!;
const V3 = vrrpFrames('v3-ipv4')[0]!;
const V3_IPV6 = vrrpFrames('v3-ipv6')[0]!;
const SAMPLES = { v2: V2, 'v2 PASS': V2_PASS, 'v3 IPv4': V3, 'v3 IPv6': V3_IPV6 };

/** Makes the checksum of `message` right for its version, as received with `ip`. */
function repairChecksum(message: Buffer, ip: IpHeader): Buffer {
  if (message.length < 8) return message;
  message.writeUInt16BE(0, 6);
  const checksum = message[0]! >> 4 === 3 ? pseudoHeaderChecksum(ip, IPPROTO_VRRP, message) : internetChecksum(message);
  message.writeUInt16BE(checksum, 6);
  return message;
}

/** Applies `edit` to a copy of the sample's payload and, unless told not to, repairs its checksum, so that only the edit is wrong. */
function corrupt(
  sample: VrrpFrame,
  /** Edits the copy in place, or returns a new message. */
  edit: (message: Buffer) => unknown,
  { fixChecksum = true } = {},
): Buffer {
  const copy = Buffer.from(sample.payload);
  const edited = edit(copy);
  const message = Buffer.isBuffer(edited) ? edited : copy;
  return fixChecksum ? repairChecksum(message, sample.ip) : message;
}

const decodeAs = (sample: VrrpFrame, message: Buffer, ip: Partial<ReceivedIpHeader> = {}): DecodeResult =>
  decodeAdvertisement(message, { ...received(sample.ip), ...ip });

describe('checksums', () => {
  it('VRRPv3 over IPv4 covers the pseudo-header: the same bytes from another destination fail', () => {
    assertDrop(decodeAs(V3, V3.payload, { destination: '192.0.2.12' }), 'bad_checksum');
    assertDrop(decodeAs(V3, V3.payload, { source: '192.0.2.13' }), 'bad_checksum');
  });

  it('VRRPv3 over IPv6 covers the pseudo-header', () => {
    assertDrop(decodeAs(V3_IPV6, V3_IPV6.payload, { source: 'fe80::1' }), 'bad_checksum');
  });

  it('VRRPv2 covers the message alone: the IP addresses do not enter it', () => {
    decoded(decodeAs(V2, V2.payload, { source: '198.51.100.1', destination: '198.51.100.2' }), 'v2 from elsewhere');
  });

  it('a bad checksum is logged with the one expected', () => {
    const message = corrupt(
      V3,
      (m) => {
        m[7]! ^= 0xff;
      },
      { fixChecksum: false },
    );
    const result = decodeAs(V3, message);
    assertDrop(result, 'bad_checksum');
    assert.match(!result.ok ? result.detail : '', /checksum 0xd3fc, expected 0xd303/);
  });

  it('a flipped bit anywhere in a sample is caught by the checksum or an earlier check', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      for (let at = 0; at < sample.payload.length; at++) {
        const message = corrupt(
          sample,
          (m) => {
            m[at]! ^= 0x01;
          },
          { fixChecksum: false },
        );
        const result = decodeAs(sample, message);
        assert.equal(result.ok, false, `${name}, byte ${at}`);
      }
    }
  });
});

describe('corrupted adverts are dropped with their reason', () => {
  it('versions other than 2 and 3, and version 2 over IPv6', () => {
    for (const version of [0, 1, 4, 15]) {
      assertDrop(
        decodeAs(
          V2,
          corrupt(V2, (m) => {
            m[0] = (version << 4) | 1;
          }),
        ),
        'bad_version',
        `version ${version}`,
      );
    }
    const v2OverIpv6 = corrupt(V3_IPV6, (m) => {
      m[0] = 0x21;
    });
    assertDrop(decodeAs(V3_IPV6, v2OverIpv6), 'bad_version', 'VRRPv2 over IPv6');
  });

  it('types other than 1 (advertisement)', () => {
    for (const type of [0, 2, 15]) {
      assertDrop(
        decodeAs(
          V3,
          corrupt(V3, (m) => {
            m[0] = 0x30 | type;
          }),
        ),
        'bad_type',
        `type ${type}`,
      );
    }
  });

  it('every truncation of every sample', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      for (let length = 0; length < sample.payload.length; length++) {
        assertDrop(decodeAs(sample, sample.payload.subarray(0, length)), 'too_short', `${name} cut to ${length} bytes`);
      }
    }
  });

  it('an address count that disagrees with the length', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      assertDrop(
        decodeAs(
          sample,
          corrupt(sample, (m) => void m[3]!++),
        ),
        'too_short',
        `${name}: count one too many`,
      );
      assertDrop(
        decodeAs(
          sample,
          corrupt(sample, (m) => void m[3]!--),
        ),
        'bad_length',
        `${name}: count one too few`,
      );
      assertDrop(
        decodeAs(
          sample,
          corrupt(sample, (m) => Buffer.concat([m, Buffer.alloc(4)])),
        ),
        'bad_length',
        `${name}: 4 bytes extra`,
      );
    }
  });

  it('a damaged checksum', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      assertDrop(
        decodeAs(
          sample,
          corrupt(
            sample,
            (m) => {
              m[6]! ^= 0x80;
            },
            { fixChecksum: false },
          ),
        ),
        'bad_checksum',
        name,
      );
    }
  });

  it('VRID 0', () => {
    assertDrop(
      decodeAs(
        V3,
        corrupt(V3, (m) => {
          m[1] = 0;
        }),
      ),
      'bad_vrid',
    );
  });

  it('VRRPv2 unknown auth types', () => {
    for (const type of [3, 254])
      assertDrop(
        decodeAs(
          V2,
          corrupt(V2, (m) => {
            m[4] = type;
          }),
        ),
        'bad_auth_type',
        `auth type ${type}`,
      );
  });

  it('an advertisement interval of 0', () => {
    assertDrop(
      decodeAs(
        V2,
        corrupt(V2, (m) => {
          m[5] = 0;
        }),
      ),
      'bad_interval',
      'VRRPv2',
    );
    assertDrop(
      decodeAs(
        V3,
        corrupt(V3, (m) => void m.writeUInt16BE(0, 4)),
      ),
      'bad_interval',
      'VRRPv3',
    );
    // The reserved bits do not make an interval.
    assertDrop(
      decodeAs(
        V3,
        corrupt(V3, (m) => void m.writeUInt16BE(0xf000, 4)),
      ),
      'bad_interval',
      'VRRPv3, reserved bits only',
    );
  });
});

describe('fields receivers ignore', () => {
  it('VRRPv3: the 4 reserved bits before Max Adver Int', () => {
    const advert = decoded(
      decodeAs(
        V3,
        corrupt(V3, (m) => {
          m[4]! |= 0xf0;
        }),
      ),
      'reserved bits set',
    );
    assert.equal(advert.advertIntervalCs, 100);
  });

  it('VRRPv2: the authentication data of auth type 0', () => {
    const advert = decoded(
      decodeAs(
        V2,
        corrupt(V2, (m) => void m.write('junkjunk', 12)),
      ),
      'auth data with auth type 0',
    );
    assert.equal(advert.password, undefined);
  });

  it('VRRPv2 PASS: a password that is not UTF-8 matches no configured one', () => {
    assertDrop(
      decodeAs(
        V2_PASS,
        corrupt(V2_PASS, (m) => {
          m[12] = 0xff;
        }),
      ),
      'auth_mismatch',
    );
  });

  it('VRRPv2 PASS: only the zero padding is taken off the password', () => {
    const padded = decoded(
      decodeAs(
        V2_PASS,
        corrupt(V2_PASS, (m) => void m.write('ab\0\0cd\0\0', 12, 'latin1')),
      ),
      'inner zeros',
    );
    assert.equal(padded.password, 'ab\0\0cd');
    assert.deepEqual(encodeAdvertisement(padded, V2_PASS.ip).subarray(12), Buffer.from('ab\0\0cd\0\0', 'latin1'));
  });
});

describe('checks against the receiving instance', () => {
  const v2Instance: ReceivingInstance = {
    version: 2,
    vrid: 51,
    priority: 100,
    advertIntervalCs: 100,
    addresses: ['192.0.2.200'],
    unicast: false,
  };
  const v3Instance: ReceivingInstance = { ...v2Instance, version: 3 };
  const v2Advert = decoded(decodeAs(V2, V2.payload), 'v2');
  const passAdvert = decoded(decodeAs(V2_PASS, V2_PASS.payload), 'v2 PASS');
  const v3Advert = decoded(decodeAs(V3, V3.payload), 'v3');
  const v3Ipv6Advert = decoded(decodeAs(V3_IPV6, V3_IPV6.payload), 'v3 IPv6');
  const v3Ipv6Instance: ReceivingInstance = { ...v3Instance, vrid: 52, addresses: ['2001:db8::200'] };
  /** Received as sent: TTL / hop limit 255. */
  const ip4 = { family: 4, ttl: 255 } as const;
  const ip6 = { family: 6, ttl: 255 } as const;

  it('TTL or hop limit other than 255 from the peers of a multicast instance', () => {
    assertDrop(checkAgainstInstance(v2Advert, { ...ip4, ttl: 254 }, v2Instance), 'bad_ttl', 'IPv4 TTL 254');
    assertDrop(
      checkAgainstInstance(v3Ipv6Advert, { ...ip6, ttl: 254 }, v3Ipv6Instance),
      'bad_ttl',
      'IPv6 hop limit 254',
    );
    const ttl1 = checkAgainstInstance(v3Advert, { ...ip4, ttl: 1 }, v3Instance);
    assertDrop(ttl1, 'bad_ttl', 'TTL 1');
    assert.equal(!ttl1.ok && ttl1.detail, 'TTL 1, expected 255: the packet was routed or not sent as VRRP');
  });

  it('any TTL or hop limit from unicast peers, as keepalived sends IPv6 unicast adverts with 64 and checks none', () => {
    assert.deepEqual(checkAgainstInstance(v3Ipv6Advert, { ...ip6, ttl: 64 }, { ...v3Ipv6Instance, unicast: true }), {
      ok: true,
    });
    assert.deepEqual(checkAgainstInstance(v3Advert, { ...ip4, ttl: 1 }, { ...v3Instance, unicast: true }), {
      ok: true,
    });
    assert.deepEqual(checkAgainstInstance(v2Advert, { ...ip4, ttl: 63 }, { ...v2Instance, unicast: true }), {
      ok: true,
    });
  });

  it('the TTL is not judged before the instance is known: decoding accepts any', () => {
    for (const ttl of [0, 1, 64, 254]) {
      for (const sample of [V2, V3_IPV6]) {
        const ip: ReceivedIpHeader = { ...received(sample.ip), ttl };
        decoded(decodeAdvertisement(sample.payload, ip), `IPv${ip.family}, TTL ${ttl}`);
      }
    }
  });

  it('accepts a matching advert', () => {
    assert.deepEqual(checkAgainstInstance(v2Advert, ip4, v2Instance), { ok: true });
    assert.deepEqual(checkAgainstInstance(passAdvert, ip4, { ...v2Instance, password: 'secret12' }), { ok: true });
    assert.deepEqual(checkAgainstInstance(v3Advert, ip4, v3Instance), { ok: true });
  });

  it('another VRRP version', () => {
    assertDrop(checkAgainstInstance(v2Advert, ip4, v3Instance), 'version_mismatch');
    assertDrop(checkAgainstInstance(v3Advert, ip4, v2Instance), 'version_mismatch');
  });

  it('another VRID', () => {
    assertDrop(checkAgainstInstance(v2Advert, ip4, { ...v2Instance, vrid: 52 }), 'vrid_mismatch');
    assertDrop(checkAgainstInstance(v3Advert, ip4, { ...v3Instance, vrid: 1 }), 'vrid_mismatch');
  });

  it('this router owns the addresses (priority 255)', () => {
    assertDrop(checkAgainstInstance(v2Advert, ip4, { ...v2Instance, priority: 255 }), 'local_is_owner');
  });

  it('VRRPv2 authentication: wrong password, password missing, password unexpected', () => {
    const wrong = checkAgainstInstance(passAdvert, ip4, { ...v2Instance, password: 'secret13' });
    assertDrop(wrong, 'auth_mismatch', 'wrong password');
    assert.doesNotMatch(!wrong.ok ? wrong.detail : '', /secret/, 'passwords stay out of the log');
    assertDrop(
      checkAgainstInstance(passAdvert, ip4, { ...v2Instance, password: 'secret1' }),
      'auth_mismatch',
      'a prefix of the password',
    );
    // keepalived counts another kind of authentication as a type mismatch (authtype_mismatch).
    assertDrop(
      checkAgainstInstance(v2Advert, ip4, { ...v2Instance, password: 'secret12' }),
      'auth_type_mismatch',
      'password missing',
    );
    assertDrop(checkAgainstInstance(passAdvert, ip4, v2Instance), 'auth_type_mismatch', 'password unexpected');
    assertDrop(checkAgainstInstance(passAdvert, ip4, { ...v2Instance, ah: true }), 'auth_type_mismatch', 'PASS at AH');
    assertDrop(
      checkAgainstInstance({ ...v2Advert, ah: true }, ip4, v2Instance),
      'auth_type_mismatch',
      'auth type 2 at no authentication',
    );
  });

  it('VRRPv2 interval must match; VRRPv3 adopts the master interval', () => {
    assertDrop(checkAgainstInstance(v2Advert, ip4, { ...v2Instance, advertIntervalCs: 200 }), 'interval_mismatch');
    assert.deepEqual(checkAgainstInstance(v3Advert, ip4, { ...v3Instance, advertIntervalCs: 10 }), { ok: true });
  });

  it('a different address list is dropped, unless the address owner sent it', () => {
    const other = { ...v2Instance, addresses: ['192.0.2.201'] };
    assertDrop(checkAgainstInstance(v2Advert, ip4, other), 'address_mismatch', 'another address');
    assertDrop(
      checkAgainstInstance(v2Advert, ip4, { ...v2Instance, addresses: ['192.0.2.200', '192.0.2.201'] }),
      'address_mismatch',
      'one missing',
    );
    const fromOwner = checkAgainstInstance({ ...v2Advert, priority: 255 }, ip4, other);
    assert.equal(fromOwner.ok, true);
    assert.equal(fromOwner.ok && fromOwner.warning?.reason, 'address_mismatch_from_owner');
    assert.match(
      fromOwner.ok ? (fromOwner.warning?.detail ?? '') : '',
      /advert lists \[192\.0\.2\.200\], the instance has \[192\.0\.2\.201\]/,
    );
  });

  it('the order of the addresses does not matter', () => {
    const sample = vrrpFrames('v3-ipv4-3vips')[0]!;
    const advert = decoded(decodeAs(sample, sample.payload), '3 VIPs');
    const instance = { ...v3Instance, addresses: ['198.51.100.200', '192.0.2.201', '192.0.2.200'] };
    assert.deepEqual(checkAgainstInstance(advert, ip4, instance), { ok: true });
  });
});

describe('encodeAdvertisement refuses what cannot go on the wire', () => {
  const ipv4 = { family: 4 as const, source: '192.0.2.11', destination: '224.0.0.18' };
  const ipv6 = { family: 6 as const, source: 'fe80::1', destination: 'ff02::12' };
  const base: Advertisement = {
    version: 2,
    vrid: 51,
    priority: 150,
    advertIntervalCs: 100,
    addresses: ['192.0.2.200'],
  };
  const cases: [string, Advertisement, typeof ipv4 | typeof ipv6][] = [
    ['VRRPv2 over IPv6', { ...base, addresses: ['2001:db8::1'] }, ipv6],
    ['VRID 0', { ...base, vrid: 0 }, ipv4],
    ['VRID 256', { ...base, vrid: 256 }, ipv4],
    ['priority 256', { ...base, priority: 256 }, ipv4],
    ['priority 1.5', { ...base, priority: 1.5 }, ipv4],
    ['VRRPv2 interval of 1.5 s', { ...base, advertIntervalCs: 150 }, ipv4],
    ['VRRPv2 interval of 256 s', { ...base, advertIntervalCs: 25600 }, ipv4],
    ['VRRPv3 interval 0', { ...base, version: 3, advertIntervalCs: 0 }, ipv4],
    ['VRRPv3 interval 4096 cs', { ...base, version: 3, advertIntervalCs: 4096 }, ipv4],
    ['VRRPv3 with a password', { ...base, version: 3, password: 'secret12' }, ipv4],
    ['a 9-byte password', { ...base, password: 'secret123' }, ipv4],
    ['a password of 8 characters but 10 bytes', { ...base, password: 'pässwörd' }, ipv4],
    ['256 addresses', { ...base, addresses: new Array<string>(256).fill('192.0.2.200') }, ipv4],
    ['an IPv6 address in an IPv4 advert', { ...base, addresses: ['2001:db8::1'] }, ipv4],
    ['an unparsable address', { ...base, addresses: ['192.0.2.300'] }, ipv4],
    ['an IPv6 source for IPv4', { ...base, version: 3 }, { ...ipv4, source: 'fe80::1' }],
  ];
  for (const [label, advert, ip] of cases) {
    it(label, () => assert.throws(() => encodeAdvertisement(advert, ip), RangeError));
  }
});

describe('seeded fuzz', () => {
  const random = prng(0x7a11);
  const int = (below: number): number => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const headers: ReceivedIpHeader[] = [
    { family: 4, source: '192.0.2.11', destination: '224.0.0.18', ttl: 255 },
    { family: 6, source: 'fe80::ff:fe00:b', destination: 'ff02::12', ttl: 255 },
  ];
  const randomIp = (family: 4 | 6): string =>
    family === 4
      ? Array.from({ length: 4 }, () => int(256)).join('.')
      : Array.from({ length: 8 }, () => int(0x10000).toString(16)).join(':');
  const instance: ReceivingInstance = {
    version: 3,
    vrid: 51,
    priority: 100,
    advertIntervalCs: 100,
    addresses: ['192.0.2.200'],
    unicast: false,
  };

  /** Decoding must answer for any bytes, and whatever it accepts must survive a round trip. */
  function check(message: Buffer, ip: ReceivedIpHeader, label: string): DropReason | 'ok' {
    let result: DecodeResult;
    try {
      result = decodeAdvertisement(message, ip);
    } catch (err) {
      assert.fail(`${label} threw: ${String(err)}\n${message.toString('hex')}`);
    }
    if (!result.ok) {
      assert.ok(DROP_REASONS.includes(result.reason), label);
      return result.reason;
    }
    const again = decodeAdvertisement(encodeAdvertisement(result.advert, ip), ip);
    assert.deepEqual(again, result, label);
    checkAgainstInstance(result.advert, ip, { ...instance, version: result.advert.version });
    return 'ok';
  }

  /** Runs `count` cases and checks that they reached past the first checks: a fuzz that only ever fails at byte 0 proves little. */
  function fuzz(
    count: number,
    makeCase: (i: number) => [Buffer, ReceivedIpHeader],
    atLeast: (DropReason | 'ok')[],
  ): void {
    const seen = new Set<DropReason | 'ok'>();
    for (let i = 0; i < count; i++) seen.add(check(...makeCase(i), `case #${i}`));
    for (const outcome of atLeast)
      assert.ok(seen.has(outcome), `no case ended in ${outcome}; seen: ${[...seen].join(', ')}`);
  }

  it('never throws on random bytes', () => {
    fuzz(2000, () => [Buffer.from(Array.from({ length: int(72) }, () => int(256))), pick(headers)], [
      'too_short',
      'bad_version',
    ]);
  });

  it('never throws on random messages of a plausible shape, checksum right or not', () => {
    fuzz(3000, () => {
      const ip = pick(headers);
      const version = ip.family === 6 ? 3 : pick([2, 3]);
      const count = int(5);
      const length =
        8 + count * (ip.family === 4 ? 4 : 16) + (version === 2 ? 8 : 0) + (random() < 0.1 ? int(9) - 4 : 0);
      const message = Buffer.from(Array.from({ length: Math.max(length, 0) }, () => int(256)));
      if (message.length > 0) message[0] = (version << 4) | (random() < 0.9 ? 1 : int(16));
      if (message.length > 3) message[3] = count;
      if (version === 2 && message.length > 4 && random() < 0.8) message[4] = int(3);
      return [random() < 0.8 ? repairChecksum(message, ip) : message, ip];
    }, ['ok', 'bad_type', 'bad_length', 'too_short', 'bad_checksum', 'bad_vrid', 'bad_auth_type', 'auth_mismatch']);
  });

  it('never throws on mutated captures, checksum repaired or not', () => {
    const samples = Object.values(SAMPLES);
    fuzz(2000, () => {
      const sample = pick(samples);
      const message = corrupt(
        sample,
        (m) => {
          for (let edits = 1 + int(4); edits > 0; edits--) m[int(m.length)] = int(256);
          return random() < 0.2 ? m.subarray(0, int(m.length + 1)) : m;
        },
        { fixChecksum: random() < 0.7 },
      );
      return [message, { ...received(sample.ip), ttl: random() < 0.9 ? 255 : int(256) }];
    }, ['ok', 'bad_version', 'bad_type', 'too_short', 'bad_checksum']);
  });

  it('round-trips random valid adverts', () => {
    for (let i = 0; i < 1000; i++) {
      const ip = pick(headers);
      const version = ip.family === 6 ? 3 : pick([2, 3] as const);
      const advert: Advertisement = {
        version,
        vrid: 1 + int(255),
        priority: int(256),
        addresses: Array.from({ length: int(8) }, () => parseIp(randomIp(ip.family))!.address),
        advertIntervalCs: version === 2 ? (1 + int(255)) * 100 : 1 + int(4095),
        ...(version === 2 &&
          random() < 0.5 && {
            password: Array.from({ length: int(9) }, () => String.fromCharCode(33 + int(94))).join(''),
          }),
      };
      assert.deepEqual(
        decoded(decodeAdvertisement(encodeAdvertisement(advert, ip), ip), `advert #${i}`),
        advert,
        `advert #${i}`,
      );
    }
  });
});
