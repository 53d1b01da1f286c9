// use_vmac in the lab: vigild (r1) and Debian's keepalived 2.2.7 (r2), both with the RFC 5798
// virtual MAC on a private macvlan. The vmacs look alike in `ip -d link`, the adverts leave from
// 00:00:5e:00:01:VRID (or, with vmac_xmit_base, from eth0's own MAC), the client's neighbour
// entry for the VIP never changes across failovers either way, and a stop deletes the vmac;
// for IPv6, 00:00:5e:00:02:VRID and the same link-local address on both.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { type Lab, labUnavailable, macOf, type NodeName } from '../../lab/lab.js';
import { type LabRouter, pollUntil, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import { captureUnavailable, decodeFields, PacketCapture } from './capture.js';
import { HIGH, LOW, MixedLab } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable, captureUnavailable);

const VRID = 61;
const VIP = '198.51.100.210';
const VMAC = '00:00:5e:00:01:3d';
const VMAC_NAME = `vrrp.${VRID}`;

const config = (priority: number, extra: string[] = ['use_vmac'], vip = `${VIP}/24`) =>
  vrrpConfig({ version: 3, vrid: VRID, priority, advertInt: 0.5, vip }).replace(
    'interface eth0\n',
    `interface eth0\n${extra.map((line) => `    ${line}\n`).join('')}`,
  );

interface LinkShape {
  name: string;
  kind?: string;
  mode?: string;
  mac: string;
  parent?: string;
  flags: string[];
}

/** The parts of `ip -d -j link` this test reads. */
interface IpLink {
  ifname: string;
  address: string;
  link?: string;
  flags: string[];
  linkinfo?: { info_kind?: string; info_data?: { mode?: string } };
}

/** What `ip -d link` says of `name` in `node`: undefined when there is no such link. */
async function linkShape(lab: Lab, node: NodeName, name: string): Promise<LinkShape | undefined> {
  const { stdout } = await lab.exec(node, ['ip', '-d', '-j', 'link', 'show']);
  const link = (JSON.parse(stdout) as IpLink[]).find((l) => l.ifname === name);
  if (!link) return undefined;
  return {
    name: link.ifname,
    kind: link.linkinfo?.info_kind,
    mode: link.linkinfo?.info_data?.mode,
    mac: link.address,
    parent: link.link,
    flags: [...link.flags].sort(),
  };
}

const addressesOn = async (lab: Lab, node: NodeName, dev: string): Promise<string[]> => {
  const { stdout } = await lab.exec(node, ['ip', '-j', '-4', 'addr', 'show', 'dev', dev]);
  return (JSON.parse(stdout) as { addr_info: { local: string }[] }[]).flatMap((l) => l.addr_info.map((a) => a.local));
};

/**
 * The routers know the client's MAC for good: otherwise a master asks for it from eth0 with the
 * VIP as sender address (the reply's source), and the client's entry for the VIP takes eth0's
 * MAC. keepalived's vmacs do the same; that is the kernel's ARP, not VRRP's.
 */
async function pinClientNeighbour(lab: Lab): Promise<void> {
  for (const node of ['r1', 'r2'] as const)
    await lab.exec(node, [
      'ip',
      'neigh',
      'replace',
      '198.51.100.100',
      'lladdr',
      macOf('client'),
      'dev',
      'eth0',
      'nud',
      'permanent',
    ]);
}

/** The MAC the client has for the VIP after pinging it. */
async function clientMacOfVip(lab: Lab): Promise<string | undefined> {
  await lab.exec('client', ['ping', '-c', '1', '-W', '1', VIP]);
  const { stdout } = await lab.exec('client', ['ip', '-j', 'neigh', 'show', VIP]);
  return (JSON.parse(stdout) as { lladdr?: string }[])[0]?.lladdr;
}

async function expectMaster(lab: Lab, master: LabRouter, other: [LabRouter, 'BACKUP' | 'DOWN']): Promise<void> {
  await waitForStates([[master, 'MASTER'], other]);
  await pollUntil(
    async () => (await addressesOn(lab, master.node, VMAC_NAME)).includes(VIP),
    () => `${VIP} is not on ${master.node}'s ${VMAC_NAME}`,
    2000,
  );
}

/** The source MACs of the VRRP adverts the client sees from `source` while `during` runs. */
async function advertMacs(lab: Lab, source: string, during: () => Promise<void>): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vvm-cap-'));
  try {
    const capture = await PacketCapture.start(lab, 'client', path.join(dir, 'adverts.pcap'));
    await during();
    await capture.stop();
    const rows = await decodeFields(capture.file, `vrrp && ip.src == ${source}`, ['eth.src']);
    return [...new Set(rows.flatMap((r) => r['eth.src']))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('use_vmac with keepalived on one segment', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  const { lab } = mixed;

  test('same vmac shape, adverts from the virtual MAC, one neighbour entry across failover each way', async () => {
    const { vigild, keepalived } = mixed;
    await pinClientNeighbour(lab);
    const macs = await advertMacs(lab, '198.51.100.11', async () => {
      await Promise.all([vigild.start(config(HIGH)), keepalived.start(config(LOW))]);
      await expectMaster(lab, vigild, [keepalived, 'BACKUP']);
      await pause(700);
    });
    assert.deepEqual(macs, [VMAC], "vigild's adverts carry the virtual MAC");

    const ours = await linkShape(lab, 'r1', VMAC_NAME);
    const theirs = await linkShape(lab, 'r2', VMAC_NAME);
    assert.deepEqual(ours, {
      name: VMAC_NAME,
      kind: 'macvlan',
      mode: 'private',
      mac: VMAC,
      parent: 'eth0',
      flags: ours?.flags,
    });
    assert.deepEqual(ours, theirs, "vigild's vmac is keepalived's, as `ip -d link` shows them");
    assert.equal(await clientMacOfVip(lab), VMAC);

    await vigild.stop();
    await expectMaster(lab, keepalived, [vigild, 'DOWN']);
    assert.equal(await linkShape(lab, 'r1', VMAC_NAME), undefined, 'vigild deleted its vmac on stop');
    assert.equal(await clientMacOfVip(lab), VMAC, 'the client reaches keepalived at the same MAC');

    await vigild.start(config(LOW));
    await waitForStates([[vigild, 'BACKUP']]);
    await keepalived.stop();
    await expectMaster(lab, vigild, [keepalived, 'DOWN']);
    assert.equal(await clientMacOfVip(lab), VMAC, 'the client reaches vigild at the same MAC');
  });

  test('after a SIGKILL the next vigild takes its vmac back, and its stop deletes it', async () => {
    const { vigild } = mixed;
    await vigild.start(config(HIGH));
    await expectMaster(lab, vigild, [mixed.keepalived, 'DOWN']);
    const before = await linkShape(lab, 'r1', VMAC_NAME);
    await vigild.kill();
    assert.deepEqual(await linkShape(lab, 'r1', VMAC_NAME), before, 'a killed vigild leaves its vmac');
    await vigild.start(config(HIGH));
    await expectMaster(lab, vigild, [mixed.keepalived, 'DOWN']);
    await vigild.stop();
    assert.equal(await linkShape(lab, 'r1', VMAC_NAME), undefined);
  });

  test('vmac_xmit_base: adverts leave from eth0 and its MAC, the VIP is still on the vmac', async () => {
    const { vigild } = mixed;
    const macs = await advertMacs(lab, '198.51.100.11', async () => {
      await vigild.start(config(HIGH, ['use_vmac', 'vmac_xmit_base']));
      await expectMaster(lab, vigild, [mixed.keepalived, 'DOWN']);
      await pause(700);
    });
    assert.deepEqual(macs, [macOf('r1')]);
    assert.equal(await clientMacOfVip(lab), VMAC);
  });

  test('IPv6: the vmac has 00:00:5e:00:02:VRID and the deprecated link-local address keepalived gives its own', async () => {
    const { vigild, keepalived } = mixed;
    const vip6 = '2001:db8::210';
    await pinClientNeighbour(lab);
    await Promise.all([
      vigild.start(config(HIGH, ['use_vmac'], `${vip6}/64`)),
      keepalived.start(config(LOW, ['use_vmac'], `${vip6}/64`)),
    ]);
    await waitForStates([
      [vigild, 'MASTER'],
      [keepalived, 'BACKUP'],
    ]);
    const ours = await linkShape(lab, 'r1', VMAC_NAME);
    assert.equal(ours?.mac, '00:00:5e:00:02:3d');
    assert.deepEqual(ours, await linkShape(lab, 'r2', VMAC_NAME));
    const linkLocal = async (node: NodeName) => {
      const { stdout } = await lab.exec(node, ['ip', '-j', '-6', 'addr', 'show', 'dev', VMAC_NAME, 'scope', 'link']);
      return (JSON.parse(stdout) as { addr_info: { preferred_life_time: number; prefixlen: number }[] }[]).flatMap(
        (l) => l.addr_info.flatMap((a) => (a.prefixlen ? [`/${a.prefixlen} preferred ${a.preferred_life_time}`] : [])),
      );
    };
    assert.deepEqual(await linkLocal('r1'), ['/64 preferred 0']);
    assert.deepEqual(await linkLocal('r1'), await linkLocal('r2'));
    await lab.exec('client', ['ping', '-c', '1', '-W', '1', vip6]);
    const { stdout } = await lab.exec('client', ['ip', '-j', '-6', 'neigh', 'show', vip6]);
    assert.equal((JSON.parse(stdout) as { lladdr?: string }[])[0]?.lladdr, '00:00:5e:00:02:3d');
  });
});
