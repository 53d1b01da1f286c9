// vigild and Debian's keepalived 2.2.7 as unicast peers (unicast_src_ip / unicast_peer): the
// same election, failover and preemption as over multicast, with adverts sent router to router.
// A capture on vigild's router, read back by tshark, holds vigild to unicast: every advert it
// sends goes from its unicast_src_ip to its peer, and none to 224.0.0.18 or ff02::12, which
// the election alone would not notice (keepalived would simply ignore them).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { ipv4Of, ipv6Of, labUnavailable, macOf } from '../../lab/lab.js';
import { vipFamily } from '../../lab/routers.js';
import { VRRP_MULTICAST } from '../../src/inet/vrrp-wire.js';
import { skipWithout } from '../helpers/needs.js';
import { captureUnavailable, decodeFields, PacketCapture } from './capture.js';
import { bothWays, electFailOverAndPreempt, MixedLab, type Scenario, type VirtualRouter } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable, captureUnavailable);

/** electFailOverAndPreempt with vigild's router (r1) captured, then every VRRP frame on it checked. */
const unicastOnly: Scenario = async (t, mixed, masterKind, virtualRouter) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-unicast-'));
  const file = path.join(dir, 'r1.pcap');
  try {
    const capture = await PacketCapture.start(mixed.lab, mixed.vigild.node, file);
    try {
      await electFailOverAndPreempt(t, mixed, masterKind, virtualRouter);
    } finally {
      await capture.stop();
    }
    const adverts = await assertVigildUnicastOnly(file, mixed, virtualRouter);
    t.diagnostic(`vigild sent ${adverts} adverts, every one unicast to its peer`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Returns how many adverts vigild sent. */
async function assertVigildUnicastOnly(file: string, mixed: MixedLab, virtualRouter: VirtualRouter): Promise<number> {
  const { vigild, keepalived } = mixed;
  const family = vipFamily(virtualRouter.vip);
  const ip = family === 6 ? 'ipv6' : 'ip';
  const addressOf = family === 6 ? ipv6Of : ipv4Of;
  const frames = await decodeFields(file, 'vrrp', ['eth.src', `${ip}.src`, `${ip}.dst`, 'vrrp.prio']);
  // Sorted by sender's MAC, so that an advert from another MAC (a VMAC, say) cannot slip by.
  const routerMacs = [macOf(vigild.node), macOf(keepalived.node)];
  const strangers = frames.filter((f) => !routerMacs.includes(f['eth.src'][0]!));
  assert.deepEqual(strangers, [], 'VRRP frames from neither router');
  const sent = frames
    .filter((f) => f['eth.src'][0] === macOf(vigild.node))
    .map((f) => `${f[`${ip}.src`][0]} > ${f[`${ip}.dst`][0]} priority ${f['vrrp.prio'][0]}`);
  // Elected at the higher priority, vigild advertises as master and resigns with priority 0 on
  // SIGTERM; at the lower one it takes over when keepalived stops.
  assert.ok(sent.length >= 3, `vigild sent only ${sent.length} adverts:\n${sent.join('\n')}`);
  const multicast = sent.filter((line) => line.includes(`> ${VRRP_MULTICAST[family]} `));
  assert.deepEqual(multicast, [], `vigild multicast adverts despite unicast_peer`);
  const unicast = `${addressOf(vigild.node)} > ${addressOf(keepalived.node)} `;
  assert.deepEqual(
    sent.filter((line) => !line.startsWith(unicast)),
    [],
    `every advert vigild sends goes ${unicast}(unicast_src_ip to unicast_peer)`,
  );
  return sent.length;
}

describe('interop with keepalived: VRRPv3 unicast peers over IPv4, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(
    mixed,
    {
      version: 3,
      vrid: 61,
      advertInt: 0.5,
      vip: '198.51.100.210/24',
      unicast: true,
    } satisfies VirtualRouter,
    {},
    unicastOnly,
  );
});

describe('interop with keepalived: VRRPv3 unicast peers over IPv6, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  // Two traps, each making two masters if fallen into: keepalived sends unicast IPv6 adverts with
  // hop limit 64 (255 for multicast only) and checks none on unicast; and once vigild holds the
  // VIP, the kernel would choose the VIP as the source of vigild's unicast adverts, whose checksum
  // covers unicast_src_ip, and keepalived's kernel would drop them (IPV6_CHECKSUM).
  bothWays(
    mixed,
    {
      version: 3,
      vrid: 62,
      advertInt: 0.5,
      vip: '2001:db8::210/64',
      unicast: true,
    } satisfies VirtualRouter,
    {},
    unicastOnly,
  );
});
