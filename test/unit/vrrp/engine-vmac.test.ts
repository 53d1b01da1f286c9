// use_vmac in the engine: the instance's adverts come and go on its vmac (on its interface with
// vmac_xmit_base), its VIPs are added and announced there, and its source stays the interface's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VrrpEngine } from '../../../src/vrrp/engine.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { configWith } from '../../helpers/vrrp-instance.js';

async function placesWith(extra: string) {
  const used: string[] = [];
  const engine = new VrrpEngine(configWith('eth0', extra), {
    openSocket: (ifname) => {
      used.push(`socket ${ifname}`);
      return { send: () => undefined, close: () => undefined };
    },
    primaryAddress: (ifname) => {
      used.push(`source ${ifname}`);
      return '198.51.100.11';
    },
    addresses: (ifname) => {
      used.push(`vips ${ifname}`);
      return { add: async () => undefined, remove: async () => undefined };
    },
    announcer: (ifname) => {
      used.push(`announce ${ifname}`);
      return { announce: () => undefined };
    },
    vmacOf: (instance) => (instance.vmac ? 'vrrp.51' : undefined),
    clock: new FakeClock(),
    observer: { transition: () => undefined, problem: () => undefined },
  });
  engine.start();
  await engine.stop();
  return used.sort();
}

describe('VRRP engine with use_vmac', () => {
  test('adverts and VIPs on the vmac, the source address from the interface', async () => {
    assert.deepEqual(await placesWith('use_vmac'), [
      'announce vrrp.51',
      'socket vrrp.51',
      'source eth0',
      'vips vrrp.51',
    ]);
  });

  test('vmac_xmit_base: adverts on the interface, VIPs still on the vmac', async () => {
    assert.deepEqual(await placesWith('use_vmac\n  vmac_xmit_base'), [
      'announce vrrp.51',
      'socket eth0',
      'source eth0',
      'vips vrrp.51',
    ]);
  });

  test('without use_vmac, everything on the interface', async () => {
    assert.deepEqual(await placesWith(''), ['announce eth0', 'socket eth0', 'source eth0', 'vips eth0']);
  });
});
