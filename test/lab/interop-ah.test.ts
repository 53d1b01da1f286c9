// vigild and Debian's keepalived 2.2.7 with `auth_type AH` (keepalived's IPsec AH form of VRRPv2)
// on one segment: each authenticates the other's AH adverts (keepalived logs no rejection, vigild
// counts no drop), one is master, and either takes over from the other on SIGTERM, its AH
// sequence numbers going on from the other's; over multicast and between unicast peers. A wrong
// key splits them, and vigild says why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { labUnavailable } from '../../lab/lab.js';
import { skipWithout } from '../helpers/needs.js';
import { bothWays, electFailOverAndPreempt, expectSplitByWrongPass, MixedLab, type VirtualRouter } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

const V2_AH: VirtualRouter = {
  version: 2,
  vrid: 54,
  advertInt: 1,
  vip: '198.51.100.202/24',
  authType: 'AH',
  authPass: 'secret12',
};

describe('interop with keepalived: VRRPv2 with IPsec AH, advert 1 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  bothWays(mixed, V2_AH);

  // Unicast leaves the TTL out of the ICV: both sides must agree on that too.
  test('unicast peers: keepalived is master, vigild takes over on SIGTERM, keepalived preempts back', (t) =>
    electFailOverAndPreempt(t, mixed, 'keepalived', { ...V2_AH, vrid: 55, unicast: true }));

  test('a wrong key: neither believes the other, so both are MASTER, and vigild counts auth_mismatch', async () => {
    await expectSplitByWrongPass(mixed, V2_AH, 'wrongpw1', /IPSEC-AH : invalid IPSEC HMAC-MD5 value/);
    assert.match(mixed.vigild.log, /wrong IPsec AH HMAC-MD5 value/);
  });
});
