// What two vigild routers put on the wire while they elect, fail over on SIGTERM and stop, with
// VRRPv3 over IPv4 and IPv6 and VRRPv2 with a password running side by side, captured at the
// client and read back by tshark: Wireshark's dissectors, which share no code with vigil's, must
// decode every advert, gratuitous ARP and unsolicited NA as sent, find every checksum good and
// raise no expert entry beyond the one a VIP moving between MACs is bound to cause.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ipv4Of, Lab, labUnavailable, macOf, type NodeName } from '../../lab/lab.js';
import {
  type InstanceSpec,
  type RouterState,
  VigildRouter,
  vipAddress,
  vipFamily,
  vrrpConfig,
  waitForStates,
} from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import {
  CHECKSUM_GOOD,
  captureUnavailable,
  decodeFields,
  expertEntries,
  expertSummary,
  PacketCapture,
} from './capture.js';

const skip = await skipWithout(labUnavailable, captureUnavailable);

const INSTANCES = [
  { name: 'VI_V3', version: 3, vrid: 51, advertInt: 0.5, vip: '198.51.100.200/24' },
  { name: 'VI_V2', version: 2, vrid: 52, advertInt: 1, vip: '198.51.100.201/24', authPass: 'secret12' },
  { name: 'VI_V6', version: 3, vrid: 53, advertInt: 0.5, vip: '2001:db8::200/64' },
] as const satisfies readonly Omit<InstanceSpec, 'priority'>[];

const ROUTERS = ['r1', 'r2'] as const satisfies readonly NodeName[];
const PRIORITY: Record<(typeof ROUTERS)[number], number> = { r1: 150, r2: 100 };

const nodeOfMac = (mac: string): NodeName | undefined => ROUTERS.find((node) => macOf(node) === mac);

describe('on the wire, as tshark decodes it: two vigild routers elect, fail over and stop', { skip }, () => {
  const lab = new Lab();
  const routers = { r1: new VigildRouter(lab, 'r1'), r2: new VigildRouter(lab, 'r2') };
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-wire-'));
  const file = path.join(dir, 'client.pcap');

  const everyInstanceIn = async (states: [VigildRouter, RouterState][]) => {
    for (const { name } of INSTANCES) await waitForStates(states, { instance: name });
  };
  const clientReachesEveryVip = async () => {
    for (const { vip } of INSTANCES) await lab.exec('client', ['ping', '-c', '1', '-W', '1', vipAddress(vip)]);
  };

  before(async () => {
    await lab.up(2);
    const capture = await PacketCapture.start(lab, 'client', file);
    try {
      const start = (node: (typeof ROUTERS)[number]) =>
        routers[node].start(vrrpConfig(...INSTANCES.map((instance) => ({ ...instance, priority: PRIORITY[node] }))));
      // r1 first and alone until it is master, so that the story below has one order only.
      await start('r1');
      await everyInstanceIn([[routers.r1, 'MASTER']]);
      await start('r2');
      await everyInstanceIn([
        [routers.r1, 'MASTER'],
        [routers.r2, 'BACKUP'],
      ]);
      await clientReachesEveryVip();
      await routers.r1.stop();
      await everyInstanceIn([
        [routers.r1, 'DOWN'],
        [routers.r2, 'MASTER'],
      ]);
      await clientReachesEveryVip();
      await routers.r2.stop();
    } finally {
      await capture.stop();
    }
  });

  after(async () => {
    await Promise.all([routers.r1.cleanup(), routers.r2.cleanup()]);
    await lab.down();
    rmSync(dir, { recursive: true, force: true });
  });

  const decodeAdverts = async () =>
    (
      await decodeFields(file, 'vrrp', [
        'frame.number',
        'eth.src',
        'ip.src',
        'ip.dst',
        'ip.ttl',
        'ip.checksum.status',
        'ip.dsfield.dscp',
        'ipv6.src',
        'ipv6.dst',
        'ipv6.hlim',
        'ipv6.tclass.dscp',
        'vrrp.version',
        'vrrp.type',
        'vrrp.virt_rtr_id',
        'vrrp.prio',
        'vrrp.addr_count',
        'vrrp.ip_addr',
        'vrrp.ipv6_addr',
        'vrrp.adver_int',
        'vrrp.short_adver_int',
        'vrrp.auth_type',
        'vrrp.auth_string',
        'vrrp.checksum.status',
      ])
    ).map((f) => ({
      ...f,
      node: nodeOfMac(f['eth.src'][0]!),
      vrid: Number(f['vrrp.virt_rtr_id'][0]),
      priority: Number(f['vrrp.prio'][0]),
    }));

  test('every VRRP advert decodes as configured, from a router, with TTL 255 and a good checksum', async () => {
    const adverts = await decodeAdverts();
    for (const instance of INSTANCES) {
      const mine = adverts.filter((a) => a.vrid === instance.vrid);
      assert.ok(mine.length > 0, `no adverts for VRID ${instance.vrid}`);
      for (const advert of mine) {
        const where = `frame ${advert['frame.number']} (VRID ${instance.vrid})`;
        assert.ok(advert.node, `${where}: sent from ${advert['eth.src']}, not a router's MAC`);
        assert.deepEqual(advert['vrrp.checksum.status'], [CHECKSUM_GOOD], `${where}: VRRP checksum`);
        assert.deepEqual(advert['vrrp.version'], [String(instance.version)], `${where}: version`);
        assert.deepEqual(advert['vrrp.type'], ['1'], `${where}: type advertisement`);
        assert.deepEqual(advert['vrrp.addr_count'], ['1'], `${where}: address count`);
        if (vipFamily(instance.vip) === 6) {
          assert.deepEqual(advert['vrrp.ipv6_addr'], [vipAddress(instance.vip)], `${where}: addresses`);
          assert.match(advert['ipv6.src'][0]!, /^fe80::/, `${where}: IPv6 adverts come from the link-local address`);
          assert.deepEqual(advert['ipv6.dst'], ['ff02::12'], `${where}: destination`);
          assert.deepEqual(advert['ipv6.hlim'], ['255'], `${where}: hop limit`);
        } else {
          assert.deepEqual(advert['vrrp.ip_addr'], [vipAddress(instance.vip)], `${where}: addresses`);
          assert.deepEqual(advert['ip.src'], [ipv4Of(advert.node)], `${where}: source`);
          assert.deepEqual(advert['ip.dst'], ['224.0.0.18'], `${where}: destination`);
          assert.deepEqual(advert['ip.ttl'], ['255'], `${where}: TTL`);
          assert.deepEqual(advert['ip.checksum.status'], [CHECKSUM_GOOD], `${where}: IPv4 header checksum`);
        }
        if (instance.version === 2) {
          assert.deepEqual(advert['vrrp.adver_int'], [String(instance.advertInt)], `${where}: interval in seconds`);
          assert.deepEqual(advert['vrrp.auth_type'], ['1'], `${where}: simple text password`);
          assert.deepEqual(advert['vrrp.auth_string'], [instance.authPass], `${where}: password`);
        } else {
          assert.deepEqual(
            advert['vrrp.short_adver_int'],
            [String(instance.advertInt * 100)],
            `${where}: interval in centiseconds`,
          );
        }
      }
    }
  });

  test('the adverts tell the story: r1 at 150, its priority 0 on SIGTERM, r2 at 100, its priority 0', async () => {
    const adverts = await decodeAdverts();
    for (const { vrid } of INSTANCES) {
      const story: string[] = [];
      for (const { node, priority } of adverts.filter((a) => a.vrid === vrid)) {
        const chapter = `${node} ${priority}`;
        if (story.at(-1) !== chapter) story.push(chapter);
      }
      assert.deepEqual(story, ['r1 150', 'r1 0', 'r2 100', 'r2 0'], `VRID ${vrid}`);
    }
  });

  test('adverts are marked DSCP CS6 (network control), as keepalived marks them', async () => {
    // otherwise delay them into a false failover. // So that queues which honour DSCP keep them ahead of the traffic whose congestion would
    const CS6 = '48';
    for (const advert of await decodeAdverts()) {
      assert.deepEqual(
        [...advert['ip.dsfield.dscp'], ...advert['ipv6.tclass.dscp']],
        [CS6],
        `frame ${advert['frame.number']}`,
      );
    }
  });

  test('gratuitous ARPs announce each IPv4 VIP, from r1 and then from r2, as broadcast requests', async () => {
    const garps = await decodeFields(file, 'arp.isgratuitous', [
      'frame.number',
      'eth.src',
      'eth.dst',
      'arp.opcode',
      'arp.src.hw_mac',
      'arp.src.proto_ipv4',
    ]);
    for (const { vip } of INSTANCES.filter((i) => vipFamily(i.vip) === 4)) {
      const forVip = garps.filter((g) => g['arp.src.proto_ipv4'][0] === vipAddress(vip));
      const senders = [...new Set(forVip.map((g) => nodeOfMac(g['eth.src'][0]!)))];
      assert.deepEqual(senders, ['r1', 'r2'], `gratuitous ARPs for ${vip}`);
      for (const garp of forVip) {
        assert.deepEqual(garp['eth.dst'], ['ff:ff:ff:ff:ff:ff'], `frame ${garp['frame.number']}: broadcast`);
        assert.deepEqual(garp['arp.opcode'], ['1'], `frame ${garp['frame.number']}: a request`);
        assert.deepEqual(garp['arp.src.hw_mac'], garp['eth.src'], `frame ${garp['frame.number']}: sender MAC`);
      }
    }
  });

  test('unsolicited NAs announce the IPv6 VIP, from r1 and then from r2, with Override set and a good checksum', async () => {
    const nas = await decodeFields(file, 'icmpv6.type == 136 && icmpv6.nd.na.flag.s == 0', [
      'frame.number',
      'eth.src',
      'ipv6.src',
      'ipv6.dst',
      'ipv6.hlim',
      'icmpv6.nd.na.target_address',
      'icmpv6.nd.na.flag.o',
      'icmpv6.opt.linkaddr',
      'icmpv6.checksum.status',
    ]);
    const vip = vipAddress(INSTANCES.find((i) => vipFamily(i.vip) === 6)!.vip);
    assert.deepEqual([...new Set(nas.map((na) => nodeOfMac(na['eth.src'][0]!)))], ['r1', 'r2']);
    for (const na of nas) {
      const where = `frame ${na['frame.number']}`;
      assert.deepEqual(na['icmpv6.checksum.status'], [CHECKSUM_GOOD], `${where}: ICMPv6 checksum`);
      assert.deepEqual(na['icmpv6.nd.na.target_address'], [vip], `${where}: target`);
      assert.deepEqual(na['ipv6.src'], [vip], `${where}: sent from the VIP`);
      assert.deepEqual(na['ipv6.dst'], ['ff02::1'], `${where}: to all nodes`);
      assert.deepEqual(na['ipv6.hlim'], ['255'], `${where}: hop limit`);
      assert.deepEqual(na['icmpv6.nd.na.flag.o'], ['1'], `${where}: Override`);
      assert.deepEqual(na['icmpv6.opt.linkaddr'], na['eth.src'], `${where}: target link-layer address`);
    }
  });

  test('tshark finds nothing malformed and no bad checksum: its only expert entries are the VIPs changing MAC', async () => {
    // tshark's ARP dissector remembers which MAC had an address and warns when another claims
    // it: exactly what a failover is, so those warnings, for the VIPs only, are expected.
    const movedVip = new Set(
      INSTANCES.filter((i) => vipFamily(i.vip) === 4).map(
        (i) => `Duplicate IP address configured (${vipAddress(i.vip)})`,
      ),
    );
    const unexpected = (await expertEntries(file)).filter((entry) => !movedVip.has(entry.message));
    assert.deepEqual(unexpected, [], await expertSummary(file));
  });
});
