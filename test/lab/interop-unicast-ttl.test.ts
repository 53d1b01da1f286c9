// unicast_ttl and a unicast peer's min_ttl / max_ttl between vigild and Debian's keepalived 2.2.7:
// a router that accepts its peer's adverts only at TTL 64 hears them when the peer sends with
// unicast_ttl 64, and not at the default 255 (then both are MASTER). Both ways round.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { ipv4Of, labUnavailable } from '../../lab/lab.js';
import { type LabRouter, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import { HIGH, LOW, MixedLab } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

/** `router` unicasting to `peer`; `sendTtl`: its unicast_ttl; `acceptTtl`: the only TTL it takes from the peer. */
const config = (router: LabRouter, peer: LabRouter, priority: number, ttl: { send?: number; accept?: number }) =>
  vrrpConfig({
    version: 3,
    vrid: 59,
    advertInt: 0.5,
    priority,
    vip: '198.51.100.209/24',
    unicast: {
      source: ipv4Of(router.node),
      peers: [`${ipv4Of(peer.node)}${ttl.accept ? ` min_ttl ${ttl.accept} max_ttl ${ttl.accept}` : ''}`],
      ttl: ttl.send,
    },
  });

describe('interop with keepalived: unicast_ttl against min_ttl / max_ttl', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();

  /**
   * `receiver` takes `sender`'s adverts at TTL 64 only: at the default 255 it drops them (and says
   * so as `dropped` checks) and both are MASTER; with unicast_ttl 64 on the sender, one master.
   */
  const scenario = async (sender: LabRouter, receiver: LabRouter, dropped: () => Promise<void>) => {
    await receiver.start(config(receiver, sender, LOW, { accept: 64 }));
    await sender.start(config(sender, receiver, HIGH, {}));
    await waitForStates([
      [sender, 'MASTER'],
      [receiver, 'MASTER'],
    ]);
    await dropped();
    await sender.stop();
    await sender.start(config(sender, receiver, HIGH, { send: 64 }));
    await waitForStates([
      [sender, 'MASTER'],
      [receiver, 'BACKUP'],
    ]);
  };

  test('vigild sends with unicast_ttl 64 to keepalived, which takes only 64: one master; at 255 keepalived drops them', () =>
    scenario(mixed.vigild, mixed.keepalived, async () =>
      assert.match(mixed.keepalived.log, /TTL\/HL 255 not in range 64 - 64/),
    ));

  test('keepalived sends with unicast_ttl 64 to vigild, which takes only 64: one master; at 255 vigild drops them as bad_ttl', () =>
    scenario(mixed.keepalived, mixed.vigild, async () =>
      assert.ok(((await mixed.vigild.instance()).counters.drops.bad_ttl ?? 0) > 0, 'vigild counted bad_ttl'),
    ));
});
