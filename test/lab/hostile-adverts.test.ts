// A neighbour on the LAN sending valid adverts it has no business sending, with real packets: a
// vigild master answers a flood of lower-priority adverts with a bounded number of adverts and
// gratuitous ARPs (not one of each per advert), a real resignation and a real higher priority
// still take over during such a flood, and 20,000 address-owner adverts with 20,000 different
// address lists leave a few lines in the log and the daemon's memory where it was.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Lab, labUnavailable, macOf, NET4 } from '../../lab/lab.js';
import { VigildRouter, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { VRRP_MULTICAST } from '../../src/inet/vrrp-wire.js';
import { type Advertisement, encodeAdvertisement } from '../../src/vrrp/packet.js';
import { skipWithout } from '../helpers/needs.js';
import { NetAgent } from '../integration/net/namespaces.js';
import { captureUnavailable, decodeFields, PacketCapture } from './capture.js';

const run = promisify(execFile);
const skip = await skipWithout(labUnavailable, captureUnavailable);

const VRID = 51;
const VIP = '198.51.100.200';
const instance = (priority: number) =>
  // No second gratuitous-ARP burst 5 s after taking over: only answers are ARPs in the counts,
  // one round each (keepalived's default is garp_master_repeat's 5).
  `global_defs {\n  vrrp_garp_master_delay 0\n  vrrp_garp_lower_prio_repeat 1\n}\n${vrrpConfig({ version: 3, vrid: VRID, priority, advertInt: 1, vip: `${VIP}/24` })}`;
/** The hostile sources: addresses of the client, so its kernel sends from them. */
const SOURCES = [101, 102, 103].map((octet) => `${NET4}.${octet}`);

describe('hostile adverts from a neighbour, with real packets', { skip }, () => {
  const lab = new Lab();
  const r1 = new VigildRouter(lab, 'r1');
  const r2 = new VigildRouter(lab, 'r2');
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-hostile-'));
  let agent: NetAgent;
  let socket: number;

  /** Sends the adverts, from their sources, evenly over `durationMs`, in slices of 10 ms. */
  const flood = async (adverts: { advert: Advertisement; source: string }[], durationMs: number) => {
    const slices = Math.max(1, Math.round(durationMs / 10));
    const perSlice = Math.ceil(adverts.length / slices);
    const start = Date.now();
    for (let slice = 0; slice * perSlice < adverts.length; slice++) {
      await Promise.all(
        adverts.slice(slice * perSlice, (slice + 1) * perSlice).map(({ advert, source }) => {
          const destination = VRRP_MULTICAST[4];
          const payload = encodeAdvertisement(advert, { family: 4, source, destination }).toString('hex');
          return agent.call('vrrp.send', { handle: socket, payload, source });
        }),
      );
      const due = start + (slice + 1) * 10;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  };
  const lowerPriority = (count: number, priority = 50) =>
    Array.from({ length: count }, (_, i) => ({
      advert: { version: 3, vrid: VRID, priority, addresses: [VIP], advertIntervalCs: 100 } as Advertisement,
      source: SOURCES[i % SOURCES.length]!,
    }));

  before(async () => {
    await lab.up(2);
    for (const source of SOURCES) await lab.exec('client', ['ip', 'addr', 'add', `${source}/24`, 'dev', 'eth0']);
    agent = await NetAgent.start(lab.ns('client'));
    socket = await agent.call<number>('vrrp.open', { name: 'eth0', family: 4 });
    await r1.start(instance(150));
    await waitForStates([[r1, 'MASTER']]);
    await r2.start(instance(100));
    await waitForStates([
      [r1, 'MASTER'],
      [r2, 'BACKUP'],
    ]);
  });

  after(async () => {
    await agent?.stop();
    await Promise.all([r1.cleanup(), r2.cleanup()]);
    await lab.down();
    rmSync(dir, { recursive: true, force: true });
  });

  test('3,000 lower-priority adverts in a second from three sources: the master answers a few, not 3,000', async (t) => {
    const file = path.join(dir, 'r1.pcap');
    const capture = await PacketCapture.start(lab, 'r1', file);
    const before = (await r1.instance()).counters;
    const start = Date.now();
    let floodMs = 0;
    try {
      await flood(lowerPriority(3000), 1000);
      floodMs = Date.now() - start;
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await capture.stop();
    }
    const received = (await r1.instance()).counters.advertsReceived - before.advertsReceived;
    const fromR1 = `eth.src == ${macOf('r1')}`;
    const adverts = (await decodeFields(file, `vrrp && ${fromR1}`, ['frame.number'])).length;
    const garps = (await decodeFields(file, `arp.isgratuitous && ${fromR1}`, ['frame.number'])).length;
    // Its own regular adverts included: without a flood it sends two a second (advert and repeat).
    const perHostile = (adverts + garps) / received;
    t.diagnostic(
      `r1 received ${received} hostile adverts in ${floodMs} ms and sent ${adverts} adverts and ${garps} gratuitous ARPs (${perHostile.toFixed(4)} per hostile advert)`,
    );
    // A busy host paces the flood slower and drops some at the socket: most must arrive all the same.
    assert.ok(received > 1500, `r1 counted ${received} of the 3,000 adverts`);
    // Per advert interval the flood touches: at most three answers, each an advert and an ARP,
    // and the repeat of the last; besides, the regular adverts before and after the flood.
    const intervals = Math.ceil(floodMs / 1000) + 1;
    assert.ok(adverts <= intervals * (3 + 1) + 4, `${adverts} adverts in ${intervals} intervals`);
    assert.ok(garps <= intervals * 3, `${garps} gratuitous ARPs in ${intervals} intervals`);
    assert.equal(await r1.state(), 'MASTER');
    assert.equal(await r2.state(), 'BACKUP');
  });

  test('during such a flood, a resignation still hands over in skew time and a higher priority still preempts', async (t) => {
    const flooding = flood(lowerPriority(10_000), 10_000);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const stopped = Date.now();
      await r1.stop();
      // r2 (priority 100) takes over after its skew time, 0.61 s, not Master_Down_Interval (3.61 s).
      await waitForStates([[r2, 'MASTER']], { timeoutMs: 2000 });
      const handover = Date.now() - stopped;
      t.diagnostic(`r2 took over ${handover} ms after r1 was stopped`);
      assert.ok(handover < 2000, `r2 took over ${handover} ms after r1 resigned`);
      // r1 back at 150 preempts r2 after its Master_Down_Interval, and r2 steps down at its first advert.
      await r1.start(instance(150));
      await waitForStates([
        [r1, 'MASTER'],
        [r2, 'BACKUP'],
      ]);
    } finally {
      await flooding;
    }
  });

  test('20,000 owner adverts, each with other addresses: a few log lines, and memory stays flat', async (t) => {
    const owner = Array.from({ length: 20_000 }, (_, i) => ({
      advert: {
        version: 3,
        vrid: VRID,
        priority: 255,
        addresses: [`203.0.113.${i & 255}`, `${NET4}.${i >> 8}`],
        advertIntervalCs: 100,
      } as Advertisement,
      source: SOURCES[0]!,
    }));
    const linesOf = (router: VigildRouter) => router.log.split('\n').length;
    const lines = linesOf(r1);
    const rss = await residentKiB(lab.ns('r1'));
    const received = (await r1.instance()).counters.advertsReceived;
    await flood(owner, 5000);
    // The owner fell silent: r1 takes the VIP back after Master_Down_Interval.
    await waitForStates([[r1, 'MASTER']]);
    const counted = (await r1.instance()).counters.advertsReceived - received;
    const added = linesOf(r1) - lines;
    const grown = (await residentKiB(lab.ns('r1'))) - rss;
    t.diagnostic(`r1 received ${counted} owner adverts; its log grew by ${added} lines, its RSS by ${grown} KiB`);
    assert.ok(counted > 10_000, `r1 counted ${counted} of the 20,000 adverts`);
    assert.ok(
      added <= 6,
      `${added} new log lines:\n${r1.log
        .split('\n')
        .slice(lines - 1, lines + 9)
        .join('\n')}`,
    );
    assert.ok(grown < 8 * 1024, `RSS grew by ${grown} KiB`);
  });
});

/** VmRSS of the vigild in `ns`, in KiB. */
async function residentKiB(ns: string): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'pids', ns]);
  for (const pid of stdout.split('\n').filter(Boolean)) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vigild')) continue;
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  }
  throw new Error(`no vigild in ${ns}`);
}
