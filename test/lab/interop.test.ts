// vigild and Debian's keepalived 2.2.7 as the two routers of one virtual router over multicast:
// each accepts the other's adverts (keepalived logs no rejection, vigild counts no drop), the
// higher priority is the one master, and either takes over from the other on SIGTERM with the
// client following the VIP. Every scenario is played both ways round.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { labUnavailable } from '../../lab/lab.js';
import { vipAddress, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import {
  bothWays,
  configFor,
  expectSoleMaster,
  expectSplitByWrongPass,
  HIGH,
  LOW,
  MixedLab,
  type VirtualRouter,
} from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

const V3_IPV4: VirtualRouter = { version: 3, vrid: 51, advertInt: 0.5, vip: '198.51.100.200/24' };
const V2_PASS: VirtualRouter = { version: 2, vrid: 52, advertInt: 1, vip: '198.51.100.201/24', authPass: 'secret12' };
const V3_IPV6: VirtualRouter = { version: 3, vrid: 53, advertInt: 0.5, vip: '2001:db8::200/64' };

describe('interop with keepalived: VRRPv3 over IPv4, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(mixed, V3_IPV4);
});

describe('interop with keepalived: VRRPv2 with a simple password, advert 1 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(mixed, V2_PASS);

  test('a wrong password: neither accepts the other, so both are MASTER, and vigild counts auth_mismatch', () =>
    expectSplitByWrongPass(mixed, V2_PASS, 'wrongpw1', /received an invalid passwd/));

  // keepalived ends the line at a `!` glued to a word, so its password is `ab`; vigild must read
  // the same, or each drops the other's adverts and both are MASTER (issue 14).
  test('`auth_pass ab!cd`: both read the password as `ab` and elect one master, vigild warning where it was cut', async () => {
    const cut: VirtualRouter = { ...V2_PASS, authPass: 'ab!cd' };
    await Promise.all([
      mixed.vigild.start(configFor(cut, mixed.vigild, mixed.keepalived, HIGH)),
      mixed.keepalived.start(configFor(cut, mixed.keepalived, mixed.vigild, LOW)),
    ]);
    await expectSoleMaster(mixed.lab, mixed.vigild, [mixed.keepalived, 'BACKUP'], vipAddress(cut.vip));
    await mixed.assertAcceptedEachOther();
    assert.match(mixed.vigild.log, /:\d+:\d+: warning: `!` in the middle of a word starts a comment/);
  });

  // A router that only elects (its notify scripts do the work): keepalived runs it with a warning.
  test('no virtual_ipaddress: vigild and keepalived elect one master, and keepalived takes over on SIGTERM', async () => {
    const bare = (priority: number) =>
      `vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 59\n  priority ${priority}\n  advert_int 1\n}\n`;
    await Promise.all([mixed.vigild.start(bare(HIGH)), mixed.keepalived.start(bare(LOW))]);
    await waitForStates([
      [mixed.vigild, 'MASTER'],
      [mixed.keepalived, 'BACKUP'],
    ]);
    await mixed.assertAcceptedEachOther();
    assert.match(mixed.vigild.log, /has no `virtual_ipaddress`: it elects a master/);
    await mixed.vigild.stop();
    await waitForStates([[mixed.keepalived, 'MASTER']]);
  });
});

describe('interop with keepalived: VRRPv3 over IPv6, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(mixed, V3_IPV6);
});
