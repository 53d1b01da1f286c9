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

  test('vigild sends with unicast_ttl 64 to keepalived, which takes only 64: one master; at 255 keepalived drops them', async () => {
    const { vigild, keepalived } = mixed;
    await keepalived.start(config(keepalived, vigild, LOW, { accept: 64 }));
    await vigild.start(config(vigild, keepalived, HIGH, {}));
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'MASTER'],
    ]);
    assert.match(keepalived.log, /TTL\/HL 255 not in range 64 - 64/);
    await vigild.stop();
    await vigild.start(config(vigild, keepalived, HIGH, { send: 64 }));
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'BACKUP'],
    ]);
  });

  test('keepalived sends with unicast_ttl 64 to vigild, which takes only 64: one master; at 255 vigild drops them as bad_ttl', async () => {
    const { vigild, keepalived } = mixed;
    await vigild.start(config(vigild, keepalived, LOW, { accept: 64 }));
    await keepalived.start(config(keepalived, vigild, HIGH, {}));
    await waitForStates([
      [keepalived, 'MASTER'],
      [vigild, 'MASTER'],
    ]);
    assert.ok(((await vigild.instance()).counters.drops.bad_ttl ?? 0) > 0, 'vigild counted bad_ttl');
    await keepalived.stop();
    await keepalived.start(config(keepalived, vigild, HIGH, { send: 64 }));
    await waitForStates([
      [keepalived, 'MASTER'],
      [vigild, 'BACKUP'],
    ]);
  });
});
