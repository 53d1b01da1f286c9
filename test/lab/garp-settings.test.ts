// The global_defs GARP keywords, as the wire shows them (tcpdump in the lab, tshark decoding):
// vrrp_min_garp makes a new master announce its VIP once, not keepalived's default 5 + 5 after
// 5 s; vrrp_garp_lower_prio_repeat and _delay shape the answer to a lower-priority master.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable, macOf, NET4 } from '../../lab/lab.js';
import { VigildRouter, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { VRRP_MULTICAST } from '../../src/inet/vrrp-wire.js';
import { type Advertisement, encodeAdvertisement } from '../../src/vrrp/packet.js';
import { skipWithout } from '../helpers/needs.js';
import { NetAgent } from '../integration/net/namespaces.js';
import { captureUnavailable, decodeFields, PacketCapture } from './capture.js';

const skip = await skipWithout(labUnavailable, captureUnavailable);

const VRID = 52;
const VIP = '198.51.100.201';
const CONFIG = `global_defs {
  vrrp_min_garp
  vrrp_garp_lower_prio_repeat 2
  vrrp_garp_lower_prio_delay 1
}
${vrrpConfig({ version: 3, vrid: VRID, priority: 150, advertInt: 1, vip: `${VIP}/24` })}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GARP settings of global_defs, on the wire', { skip }, () => {
  const lab = new Lab();
  const r1 = new VigildRouter(lab, 'r1');
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-garp-'));
  const file = path.join(dir, 'r1.pcap');
  let agent: NetAgent | undefined;
  /** When the lower-priority advert went out, in seconds since the epoch (as tshark gives times). */
  let answeredAt = 0;

  before(async () => {
    await lab.up(1);
    const capture = await PacketCapture.start(lab, 'r1', file);
    try {
      await r1.start(CONFIG);
      await waitForStates([[r1, 'MASTER']]);
      // Past the 5 s at which keepalived's default would send its second burst.
      await sleep(6000);
      agent = await NetAgent.start(lab.ns('client'));
      const socket = await agent.call<number>('vrrp.open', { name: 'eth0', family: 4 });
      const source = `${NET4}.100`;
      const advert: Advertisement = { version: 3, vrid: VRID, priority: 50, addresses: [VIP], advertIntervalCs: 100 };
      const payload = encodeAdvertisement(advert, { family: 4, source, destination: VRRP_MULTICAST[4] });
      answeredAt = Date.now() / 1000;
      await agent.call('vrrp.send', { handle: socket, payload: payload.toString('hex'), source });
      await sleep(2000);
    } finally {
      await capture.stop();
    }
  });

  after(async () => {
    await agent?.stop();
    await r1.cleanup();
    await lab.down();
    rmSync(dir, { recursive: true, force: true });
  });

  const garpTimes = async () =>
    (await decodeFields(file, `arp.isgratuitous && eth.src == ${macOf('r1')}`, ['frame.time_epoch'])).map((f) =>
      Number(f['frame.time_epoch'][0]),
    );

  test('vrrp_min_garp: one gratuitous ARP on becoming master, none 5 s later', async () => {
    const before = (await garpTimes()).filter((t) => t < answeredAt);
    assert.equal(before.length, 1, `gratuitous ARPs before the lower-priority advert: ${before.length}`);
  });

  test('a lower-priority master gets 2 gratuitous ARPs at once and 2 more 1 s later', async () => {
    const answers = (await garpTimes()).filter((t) => t >= answeredAt).map((t) => t - answeredAt);
    const soon = answers.filter((t) => t < 0.5);
    const later = answers.filter((t) => t >= 0.5);
    assert.equal(soon.length, 2, `at once: ${answers.map((t) => t.toFixed(3)).join(', ')}`);
    assert.equal(later.length, 2, `later: ${answers.map((t) => t.toFixed(3)).join(', ')}`);
    // The second burst waits out garp_lower_prio_delay; a busy 2-core host may be late, not early.
    for (const t of later) assert.ok(t > 0.9 && t < 1.8, `second burst at ${t.toFixed(3)} s`);
  });
});
