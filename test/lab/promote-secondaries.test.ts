// promote_secondaries in a running vigild, on a real kernel: two VIPs in one subnet that eth0 has
// no other address in, so the first is the subnet's primary and the second its secondary. When
// the first one's instance goes away, the kernel deletes the second with it, unless the
// interface's promote_secondaries is on: then the second is promoted and never leaves. vigild
// turns it on while an instance asks for it, and off again at stop.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import { AddressMonitor } from './address-monitor.js';

const FIRST = '203.0.113.10';
const SECOND = '203.0.113.11';
// VI_A (adverts every 0.1 s) is master after 0.3 s, so its VIP is the subnet's primary; VI_B (1 s) follows 3 s later.
const instance = (
  name: string,
  vrid: number,
  advertInt: number,
  vip: string,
  promote: boolean,
) => `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority 100
  advert_int ${advertInt}
  version 3
  ${promote ? 'promote_secondaries' : ''}
  virtual_ipaddress {
    ${vip}/24 dev eth0
  }
}
`;
const both = (promote: boolean) => instance('VI_A', 61, 0.1, FIRST, promote) + instance('VI_B', 62, 1, SECOND, promote);

describe('promote_secondaries in a running vigild', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  let daemon: DaemonProcess;
  let monitor: AddressMonitor;
  const sysctl = () =>
    lab.exec('r1', ['cat', '/proc/sys/net/ipv4/conf/eth0/promote_secondaries']).then(({ stdout }) => stdout.trim());
  const holds = async (address: string) =>
    (await lab.exec('r1', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout.includes(` ${address}/`);

  /** Starts vigild with both instances, waits for both VIPs, then reloads without VI_A; returns when. */
  const dropFirst = async (promote: boolean): Promise<number> => {
    daemon = new DaemonProcess({ netns: lab.ns('r1') });
    daemon.writeConfig(both(promote));
    await daemon.start();
    await pollUntil(
      async () => (await holds(FIRST)) && (await holds(SECOND)),
      () => `both VIPs on eth0:\n${daemon.log.slice(-2000)}`,
    );
    const since = Date.now();
    daemon.writeConfig(instance('VI_B', 62, 1, SECOND, promote));
    const reload = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(reload.code, 0, reload.stderr);
    await pollUntil(
      async () => !(await holds(FIRST)),
      () => `${FIRST} still on eth0`,
    );
    return since;
  };

  before(async () => {
    await lab.up(1);
    monitor = new AddressMonitor(lab, 'r1');
    await monitor.ready(lab, 'r1');
  });
  afterEach(async () => daemon?.cleanup());
  after(async () => {
    monitor.stop();
    await lab.down();
  });

  test('without it, the kernel takes the second VIP with the first (and vigild puts it back)', async () => {
    assert.equal(await sysctl(), '0', "the namespace's default");
    const since = await dropFirst(false);
    await waitFor('the second VIP deleted', () => monitor.deletions(SECOND, since) > 0);
    await pollUntil(
      () => holds(SECOND),
      () => `${SECOND} not put back`,
    );
  });

  test('with it, vigild turns it on, the second VIP is promoted and never leaves, and a stop turns it off', async () => {
    const since = await dropFirst(true);
    assert.equal(await sysctl(), '1');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(monitor.deletions(SECOND, since), 0, `${SECOND} was deleted`);
    assert.ok(await holds(SECOND));
    await daemon.stop();
    assert.equal(await sysctl(), '0');
    assert.match(daemon.log, /promote_secondaries on eth0: 1/);
  });
});
