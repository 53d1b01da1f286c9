// vigild and Debian's keepalived 2.2.7 as unicast peers (unicast_src_ip / unicast_peer): the
// same election, failover and preemption as over multicast, with adverts sent router to router.
import { describe } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { labUnavailable } from '../../lab/lab.js';
import { skipWithout } from '../helpers/needs.js';
import { bothWays, MixedLab, type VirtualRouter } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

describe('interop with keepalived: VRRPv3 unicast peers over IPv4, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(mixed, {
    version: 3,
    vrid: 61,
    advertInt: 0.5,
    vip: '198.51.100.210/24',
    unicast: true,
  } satisfies VirtualRouter);
});

describe('interop with keepalived: VRRPv3 unicast peers over IPv6, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  // Two traps, each making two masters if fallen into: keepalived sends unicast IPv6 adverts with
  // hop limit 64 (255 for multicast only) and checks none on unicast; and once vigild holds the
  // VIP, the kernel would choose the VIP as the source of vigild's unicast adverts, whose checksum
  // covers unicast_src_ip, and keepalived's kernel would drop them (IPV6_CHECKSUM).
  bothWays(mixed, {
    version: 3,
    vrid: 62,
    advertInt: 0.5,
    vip: '2001:db8::210/64',
    unicast: true,
  } satisfies VirtualRouter);
});
