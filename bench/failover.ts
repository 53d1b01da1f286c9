// Failover as a client sees it, vigild beside keepalived in the same run and the same lab:
//   - SIGTERM of the master: the longest a client asking the VIP every 10 ms waited for an answer
//     (VipProbe.longestWaitSince: a probe the busy host did not schedule asked nothing, and
//     that is no outage);
//   - kill -9 of the master (every process on the node): the time until the client's neighbour
//     entry for the VIP points at the backup (the killed daemon leaves its VIP, and the node's
//     kernel keeps answering, so replies alone would hide the failover);
//   - vigild's planned moves, which keepalived has no command for: `vigil failover` on the master
//     (hand-off) and `vigil failover --take` on the backup (take-over), measured as for SIGTERM, printed beside keepalived's SIGTERM (its way to move the VIP);
// at VRRPv3 advert_int 0.1 and VRRPv2 advert_int 1, median of RUNS; then each daemon's CPU and
// RSS running 100 instances at 1 s adverts as master. Prints figures; asserts nothing.
// Usage: node dist/bench/failover.js [RUNS]   (root; keepalived from Debian)

import path from 'node:path';
import { KeepalivedRouter, keepalivedUnavailable } from '../lab/keepalived.js';
import { Lab, labUnavailable, macOf } from '../lab/lab.js';
import { VipProbe, waitForVipAt } from '../lab/probe.js';
import { type Usage, usageOver } from '../lab/proc-usage.js';
import { vigil } from '../lab/processes.js';
import { type InstanceSpec, type LabRouter, VigildRouter, vrrpConfig, waitForStates } from '../lab/routers.js';

const runs = Number(process.argv[2] ?? 3);
const VIP = '198.51.100.200';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type Kind = 'vigild' | 'keepalived';
type How = 'SIGTERM' | 'kill -9' | 'hand-off' | 'take-over';
/** The ways to move the VIP that only vigild has; keepalived's figure beside them is its SIGTERM. */
const OPERATOR_MOVES: How[] = ['hand-off', 'take-over'];
const makeRouter = (kind: Kind, lab: Lab, node: 'r1' | 'r2'): LabRouter =>
  kind === 'vigild' ? new VigildRouter(lab, node) : new KeepalivedRouter(lab, node);

interface Scenario {
  label: string;
  version: 2 | 3;
  advertInt: number;
}
const SCENARIOS: Scenario[] = [
  { label: 'v3 advert_int 0.1', version: 3, advertInt: 0.1 },
  { label: 'v2 advert_int 1', version: 2, advertInt: 1 },
];

/** Kills every process in the node's namespace, as a crash of the daemon would. */
async function killAll(lab: Lab, node: 'r1'): Promise<void> {
  await lab.exec('sw', ['sh', '-c', `kill -9 $(ip netns pids ${lab.ns(node)}) 2>/dev/null; true`]);
}

/** The operator's command for `how`, against the node's vigild. */
async function operatorMove(router: LabRouter, how: How): Promise<void> {
  const socket = path.join((router as VigildRouter).dir, 'vigil.sock');
  const args = how === 'take-over' ? ['failover', '--take'] : ['failover'];
  const result = await vigil([...args, '--socket', socket]);
  if (result.code !== 0) throw new Error(`vigil ${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
}

async function oneFailover(kind: Kind, scenario: Scenario, how: How): Promise<number> {
  const lab = new Lab();
  const [r1, r2] = [makeRouter(kind, lab, 'r1'), makeRouter(kind, lab, 'r2')];
  const spec = (priority: number): InstanceSpec => ({
    version: scenario.version,
    vrid: 51,
    priority,
    advertInt: scenario.advertInt,
    vip: `${VIP}/24`,
  });
  try {
    await lab.up(2);
    await Promise.all([r1.start(vrrpConfig(spec(150))), r2.start(vrrpConfig(spec(100)))]);
    await waitForStates([
      [r1, 'MASTER'],
      [r2, 'BACKUP'],
    ]);
    if (how === 'kill -9') {
      await lab.exec('client', ['ping', '-c', '1', '-W', '1', VIP]);
      const killedAt = Date.now();
      await killAll(lab, 'r1');
      return await waitForVipAt(lab, 'client', VIP, macOf('r2'), killedAt, 10_000);
    }
    const probe = new VipProbe(lab, 'client', VIP);
    try {
      await sleep(300);
      const stoppedAt = Date.now();
      if (how === 'hand-off') await operatorMove(r1, how);
      else if (how === 'take-over') await operatorMove(r2, how);
      else await r1.stop();
      await waitForStates([[r2, 'MASTER']]);
      await sleep(300 + 3 * scenario.advertInt * 1000);
      return probe.longestWaitSince(stoppedAt);
    } finally {
      probe.stop();
    }
  } finally {
    await Promise.all([r1.cleanup(), r2.cleanup()]);
    await lab.down();
  }
}

/** CPU (percent of one core, over `seconds`) and RSS of every process in the node's namespace. */
async function usage(lab: Lab, node: 'r1', seconds: number): Promise<Usage> {
  const pids = async () =>
    (await lab.exec('sw', ['ip', 'netns', 'pids', lab.ns(node)])).stdout
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  return usageOver(pids, seconds);
}

async function hundredInstances(kind: Kind): Promise<Usage> {
  const lab = new Lab();
  const router = makeRouter(kind, lab, 'r1');
  try {
    await lab.up(1);
    const instances = Array.from(
      { length: 100 },
      (_, i): InstanceSpec => ({
        name: `VI_${i + 1}`,
        version: 3,
        vrid: i + 1,
        priority: 150,
        advertInt: 1,
        vip: `203.0.113.${i + 1}/24`,
      }),
    );
    await router.start(vrrpConfig(...instances));
    await waitForStates([[router, 'MASTER']], { instance: 'VI_100', timeoutMs: 20_000 });
    await sleep(2000);
    return await usage(lab, 'r1', 20);
  } finally {
    await router.cleanup();
    await lab.down();
  }
}

const unavailable = (await labUnavailable()) ?? (await keepalivedUnavailable());
if (unavailable) throw new Error(`bench/failover: ${unavailable}`);

console.log(`failover: client-seen, median of ${runs} (ms)`);
console.log(`${'scenario'.padEnd(20)}${'how'.padEnd(11)}${'vigild'.padStart(9)}${'keepalived'.padStart(12)}`);
const figuresText = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');
for (const scenario of SCENARIOS) {
  /** keepalived's SIGTERM, the figure its users compare a planned move with. */
  let keepalivedStop: number[] = [];
  for (const how of ['SIGTERM', 'kill -9', ...OPERATOR_MOVES] as How[]) {
    const operatorMove = OPERATOR_MOVES.includes(how);
    const figures: Record<Kind, number[]> = { vigild: [], keepalived: operatorMove ? keepalivedStop : [] };
    for (let i = 0; i < runs; i++) {
      figures.vigild.push(await oneFailover('vigild', scenario, how));
      if (!operatorMove) figures.keepalived.push(await oneFailover('keepalived', scenario, how));
    }
    if (how === 'SIGTERM') keepalivedStop = figures.keepalived;
    const keepalivedLabel = operatorMove ? 'keepalived SIGTERM' : 'keepalived';
    console.log(
      `${scenario.label.padEnd(20)}${how.padEnd(11)}${median(figures.vigild).toFixed(0).padStart(9)}${median(figures.keepalived).toFixed(0).padStart(12)}   (vigild ${figuresText(figures.vigild)}, ${keepalivedLabel} ${figuresText(figures.keepalived)})`,
    );
  }
}

console.log('\n100 VRRPv3 instances at 1 s adverts, as master, over 20 s');
for (const kind of ['vigild', 'keepalived'] as const) {
  const { cpu, rssMiB } = await hundredInstances(kind);
  console.log(`${kind.padEnd(12)} CPU ${cpu.toFixed(2)} % of a core   RSS ${rssMiB.toFixed(1)} MiB`);
}
