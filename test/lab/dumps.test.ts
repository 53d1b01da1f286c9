// vigild's dumps against Debian's keepalived 2.2.7's, for the same keepalived.conf: each daemon
// gets keepalived's signals (SIGUSR1 data, SIGUSR2 stats, its JSON signal), and the files it
// writes are read field by field. Names and order must be keepalived's throughout; values must
// agree except where noted below with the reason.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { KeepalivedRouter, keepalivedUnavailable } from '../../lab/keepalived.js';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { waitUntil } from '../../lab/processes.js';
import { VigildRouter, waitForStates } from '../../lab/routers.js';
import { nativeConstants } from '../../src/net/native.js';
import { skipWithout } from '../helpers/needs.js';
import { assertSameFields, dataFields, jsonFields, statsFields } from './dump-compare.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

/** keepalived's number for its JSON signal (36 on Debian's build). */
function jsonSignal(): number {
  const { status, stdout } = spawnSync('keepalived', ['--signum=JSON'], { encoding: 'utf8' });
  return status === 0 ? Number(stdout.trim()) : nativeConstants().SIGRTMIN + 2;
}

const instance = (name: string, vrid: number, priority: number, extra: string[]) => `vrrp_instance ${name} {
    state BACKUP
    interface eth0
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 1
${extra.map((line) => `    ${line}\n`).join('')}}
`;

/** A VRRPv3 instance tracking its interface and refreshing its GARPs, and a VRRPv2 one with a password and nopreempt. */
const config = (priority: number) =>
  instance('VI_1', 51, priority, [
    'version 3',
    'garp_master_refresh 10',
    'track_interface {',
    '    eth0',
    '}',
    'virtual_ipaddress {',
    '    198.51.100.200/24 dev eth0',
    '}',
  ]) +
  instance('VI_2', 52, priority, [
    'version 2',
    'nopreempt',
    'authentication {',
    '    auth_type PASS',
    '    auth_pass secret',
    '}',
    'virtual_ipaddress {',
    '    198.51.100.201/24',
    '}',
  ]);

/** An IPv6 instance and a unicast one whose peer never answers. */
const IPV6_AND_UNICAST =
  instance('VI_6', 61, 150, ['version 3', 'virtual_ipaddress {', '    2001:db8::200/64', '}']) +
  instance('VI_U', 62, 150, [
    'version 2',
    'unicast_src_ip 198.51.100.11',
    'unicast_peer {',
    '    198.51.100.99',
    '}',
    'virtual_ipaddress {',
    '    198.51.100.202/24',
    '}',
  ]);

type Router = VigildRouter | KeepalivedRouter;

/** Waits until every router has each instance in `state`. */
async function allIn(routers: Router[], state: 'MASTER' | 'BACKUP', instances = ['VI_1', 'VI_2']): Promise<void> {
  for (const instance of instances)
    await waitForStates(
      routers.map((r) => [r, state]),
      { instance },
    );
}

/**
 * Sends `signal` and reads the file it makes the router write (a fresh one, not a leftover).
 * keepalived renames its new file into place before it writes to it, so a reader may catch it
 * empty or half written (vigild writes first and renames then): the file is read once its size
 * has held still for 200 ms.
 */
async function dumpOf(router: Router, signal: NodeJS.Signals | number, file: string): Promise<string> {
  const path = router.dumpFile(file);
  rmSync(path, { force: true });
  router.signal(signal);
  let size = -1;
  await waitUntil(`${router.kind} to write ${file}`, async () => {
    const now = existsSync(path) ? statSync(path).size : -1;
    const settled = now > 0 && now === size;
    size = now;
    if (!settled) await new Promise((r) => setTimeout(r, 200));
    return settled;
  });
  return readFileSync(path, 'utf8');
}

/**
 * Values that differ and should:
 * - times (Last transition, Read timeout, last_transition): each daemon's own moments;
 * - adverts sent: vigild sends each advert again half an interval later (see vrrp/instance
 *   scheduleEcho) and counts every frame, keepalived counts one per interval;
 * - adverts received: how many arrived before the signal, a matter of timing;
 * - higher_prio_send_advert: on by default in vigil, off in keepalived (docs/keepalived-compat.md).
 */
const MAY_DIFFER = [
  /Send advert after receive higher priority advert$/,
  /higher_prio_send_advert$/,
  /\/Last transition$/,
  /\/Read timeout$/,
  /\/last_transition$/,
  /\/Advertisements\/(Sent|Received)$/,
  /\/advert_(sent|rcvd)$/,
];

async function compareDumps(vigild: VigildRouter, keepalived: KeepalivedRouter, mayDiffer = MAY_DIFFER): Promise<void> {
  const both = async (signal: NodeJS.Signals | number, file: string) =>
    Promise.all([dumpOf(vigild, signal, file), dumpOf(keepalived, signal, file)]);
  const [vData, kData] = await both('SIGUSR1', 'keepalived.data');
  assertSameFields('keepalived.data', dataFields(vData), dataFields(kData), mayDiffer);
  const [vStats, kStats] = await both('SIGUSR2', 'keepalived.stats');
  assertSameFields('keepalived.stats', statsFields(vStats), statsFields(kStats), mayDiffer);
  const [vJson, kJson] = await both(jsonSignal(), 'keepalived.json');
  assertSameFields('keepalived.json', jsonFields(vJson), jsonFields(kJson), mayDiffer);
}

describe("dumps: vigild's and keepalived's, field by field", { skip }, () => {
  // Each MASTER alone on its own lab, so that both are in the same state with the same address.
  const vigildLab = new Lab();
  const keepalivedLab = new Lab();
  // One lab where both are BACKUP of a third router, a keepalived at a higher priority.
  const sharedLab = new Lab();
  const routers: Router[] = [];
  const router = <R extends Router>(r: R): R => {
    routers.push(r);
    return r;
  };

  before(() => Promise.all([vigildLab.up(1), keepalivedLab.up(1), sharedLab.up(3)]));
  after(async () => {
    await Promise.all(routers.map((r) => r.stop()));
    await Promise.all(routers.map((r) => r.cleanup()));
    await Promise.all([vigildLab.down(), keepalivedLab.down(), sharedLab.down()]);
  });

  test('as MASTER: the same fields in the same order, the same values', async (t) => {
    const vigild = router(new VigildRouter(vigildLab, 'r1'));
    const keepalived = router(new KeepalivedRouter(keepalivedLab, 'r1'));
    await Promise.all([vigild.start(config(150)), keepalived.start(config(150))]);
    // The next test runs on the same nodes.
    t.after(() => Promise.all([vigild.stop(), keepalived.stop()]));
    await allIn([vigild, keepalived], 'MASTER');
    await compareDumps(vigild, keepalived);
  });

  test('IPv6 and unicast instances as MASTER: the same fields, the same values', async () => {
    const vigild = router(new VigildRouter(vigildLab, 'r1'));
    const keepalived = router(new KeepalivedRouter(keepalivedLab, 'r1'));
    await Promise.all([vigild.start(IPV6_AND_UNICAST), keepalived.start(IPV6_AND_UNICAST)]);
    await allIn([vigild, keepalived], 'MASTER', ['VI_6', 'VI_U']);
    await compareDumps(vigild, keepalived);
  });

  test('as BACKUP of the same master: the same master address and priority', async () => {
    const master = router(new KeepalivedRouter(sharedLab, 'r3'));
    await master.start(config(200));
    await allIn([master], 'MASTER');
    const vigild = router(new VigildRouter(sharedLab, 'r1'));
    const keepalived = router(new KeepalivedRouter(sharedLab, 'r2'));
    await Promise.all([vigild.start(config(100)), keepalived.start(config(100))]);
    await allIn([vigild, keepalived], 'BACKUP');
    // Long enough for both to have heard the master's adverts (its address and priority).
    await new Promise((r) => setTimeout(r, 2500));
    // On one LAN the two are two nodes, each advertising from its own address.
    await compareDumps(vigild, keepalived, [...MAY_DIFFER, /\/Using src_ip$/]);
  });
});
