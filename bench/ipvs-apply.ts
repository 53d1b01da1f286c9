// Time to program 1,000 services × 10 destinations into a real IPVS kernel from scratch, and to
// apply a 1 % change, beside `ipvsadm -R` of the same table in the same guest. Runs inside the
// IPVS guest (timings there are ~20x the host's: compare only within one run).
// Usage: npm run bench:ipvs   (boots the guest via test/vm/ipvs-vm.sh)
import { execFileSync, spawnSync } from 'node:child_process';
import { applyAll, IpvsKernel } from '../src/ipvs/kernel.js';
import { type Ownership, reconcile, type ServiceEntry } from '../src/ipvs/reconcile.js';

const SERVICES = 1000;
const DESTINATIONS = 10;

function table(changed: number): ServiceEntry[] {
  return Array.from({ length: SERVICES }, (_, s) => ({
    key: {
      kind: 'addr' as const,
      family: 4 as const,
      protocol: 'tcp' as const,
      address: `198.51.100.${1 + (s % 250)}`,
      port: 1000 + Math.floor(s / 250) * 1000 + (s % 250),
    },
    settings: {
      scheduler: 'wrr',
      persistenceTimeout: 0,
      persistencePrefix: 32,
      onePacket: false,
      schedulerFlag1: false,
      schedulerFlag2: false,
    },
    destinations: Array.from({ length: DESTINATIONS }, (_, d) => ({
      address: `203.0.113.${d + 1}`,
      port: 80,
      forward: 'route' as const,
      weight: s * DESTINATIONS + d < changed ? 5 : 1,
      upperThreshold: 0,
      lowerThreshold: 0,
    })),
  }));
}

async function timeApply(
  kernel: IpvsKernel,
  desired: ServiceEntry[],
  owned: Ownership,
): Promise<{ ms: number; operations: number; owned: Ownership }> {
  const start = performance.now();
  const plan = reconcile(desired, await kernel.table(), owned);
  for (const result of await applyAll(kernel, plan.operations)) if (result.status === 'rejected') throw result.reason;
  return { ms: performance.now() - start, operations: plan.operations.length, owned: plan.owned };
}

function ipvsadmRules(entries: ServiceEntry[]): string {
  return entries
    .flatMap((s) => {
      const key = s.key.kind === 'addr' ? `${s.key.address}:${s.key.port}` : '';
      return [
        `-A -t ${key} -s ${s.settings.scheduler}`,
        ...s.destinations.map((d) => `-a -t ${key} -r ${d.address}:${d.port} -g -w ${d.weight}`),
      ];
    })
    .join('\n');
}

if (process.env.VIGIL_IPVS_VM !== '1') {
  // On the host: run this same file inside the guest.
  const vm = spawnSync('bash', ['test/vm/ipvs-vm.sh', `exec node ${process.argv[1]}`], { stdio: 'inherit' });
  process.exit(vm.status ?? 1);
}

const kernel = await IpvsKernel.open();
const none: Ownership = { services: new Set(), destinations: new Map() };
const scratch = await timeApply(kernel, table(0), none);
const change = await timeApply(kernel, table(SERVICES * DESTINATIONS * 0.01), scratch.owned);
const removal = await timeApply(kernel, [], change.owned);
kernel.close();

const rules = ipvsadmRules(table(0));
let start = performance.now();
execFileSync('ipvsadm', ['-R'], { input: rules });
const restoreMs = performance.now() - start;
start = performance.now();
execFileSync('ipvsadm', ['-C']);
const clearMs = performance.now() - start;

const entries = SERVICES * (DESTINATIONS + 1);
console.log(
  `ipvs-apply: ${SERVICES} services × ${DESTINATIONS} destinations (${entries} entries), inside the IPVS guest (TCG: ~20x slower than native)`,
);
console.log(`vigild from scratch   ${scratch.ms.toFixed(0).padStart(7)} ms  ${scratch.operations} operations`);
console.log(
  `vigild 1 % change     ${change.ms.toFixed(0).padStart(7)} ms  ${change.operations} operations (${((100 * change.operations) / entries).toFixed(2)} % of entries)`,
);
console.log(`vigild remove own     ${removal.ms.toFixed(0).padStart(7)} ms  ${removal.operations} operations`);
console.log(`ipvsadm -R (same)     ${restoreMs.toFixed(0).padStart(7)} ms  (ipvsadm -C ${clearMs.toFixed(0)} ms)`);
