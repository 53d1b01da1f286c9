// vigild and Debian's keepalived 2.2.7 on a multicast group of their own instead of 224.0.0.18 /
// ff02::12: `mcast_dst_ip` in the instance, or `vrrp_mcast_group4` in global_defs. Each hears the
// other there (the VRRPv3 checksum covers the group), elects one master and fails over each way.
// Routers on different groups do not hear each other at all: the group is part of the virtual router.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { labUnavailable } from '../../lab/lab.js';
import { vipAddress, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import {
  bothWays,
  configFor,
  electFailOverAndPreempt,
  expectSoleMaster,
  HIGH,
  LOW,
  MixedLab,
  type VirtualRouter,
} from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

const V3_GROUP: VirtualRouter = {
  version: 3,
  vrid: 57,
  advertInt: 0.5,
  vip: '198.51.100.207/24',
  multicastGroup: '224.0.0.19',
};
const V3_IPV6_GROUP: VirtualRouter = {
  version: 3,
  vrid: 58,
  advertInt: 0.5,
  vip: '2001:db8::207/64',
  multicastGroup: 'ff02::13',
};
const GLOBAL_GROUP = 'global_defs {\n    vrrp_mcast_group4 224.0.0.19\n}\n';

describe('interop with keepalived: VRRPv3 to mcast_dst_ip 224.0.0.19, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(mixed, V3_GROUP);

  test('IPv6, mcast_dst_ip ff02::13: keepalived is master, vigild takes over on SIGTERM, keepalived preempts back', (t) =>
    electFailOverAndPreempt(t, mixed, 'keepalived', V3_IPV6_GROUP));

  test('vrrp_mcast_group4: vigild on 224.0.0.19 and keepalived on 224.0.0.18 do not hear each other; on one group, one master', async () => {
    const { vigild, keepalived, lab } = mixed;
    const shared = { ...V3_GROUP, multicastGroup: undefined };
    await vigild.start(GLOBAL_GROUP + configFor(shared, vigild, keepalived, HIGH));
    await keepalived.start(configFor(shared, keepalived, vigild, LOW));
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'MASTER'],
    ]);
    assert.equal((await vigild.instance()).counters.advertsReceived, 0, 'vigild heard the standard group');

    await keepalived.stop();
    await keepalived.start(GLOBAL_GROUP + configFor(shared, keepalived, vigild, LOW));
    // The client's entry for the VIP is whichever master announced last during the split; a steady master announces no more.
    await lab.exec('client', ['ip', 'neigh', 'flush', 'to', vipAddress(shared.vip)]);
    await expectSoleMaster(lab, vigild, [keepalived, 'BACKUP'], vipAddress(shared.vip));
    await mixed.assertAcceptedEachOther();
  });
});
