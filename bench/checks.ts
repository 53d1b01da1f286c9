// Health checks at scale in a real vigild: N real servers with an HTTP_GET (or TCP_CHECK) each
// at delay_loop D, answered from another lab node (10 % of them refusing), and beside them a
// VRRP instance at advert_int 0.1 as master. Over a steady window after warm-up it prints the
// daemon's CPU (all threads, and its main thread, where VRRP runs), its peak RSS, checks per
// second, how late each server's checks come against its schedule (the gap between two of its
// connections, less delay_loop), and the VRRP advert jitter: how far each gap between adverts
// as they leave vigild's node (kernel-timestamped by tcpdump there) is from half of advert_int, since vigild sends each
// advert again half an interval later (src/vrrp/instance.ts). NAT, because its real servers
// are ports of one address. Prints figures; asserts nothing.
// Usage: npm run bench:checks [-- SERVERS [SECONDS [DELAY_LOOP [http|tcp]]]]   (root; tcpdump)
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { refusedPort } from '../lab/check-responder.js';
import { ipv4Of, Lab, labUnavailable } from '../lab/lab.js';
import { repoRoot } from '../lab/paths.js';
import { cpuSeconds, rssMiB } from '../lab/proc-usage.js';
import { waitFor } from '../lab/processes.js';
import { VigildRouter, vrrpConfig, waitForStates } from '../lab/routers.js';
import { withTeardown } from '../lab/teardown.js';

const servers = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 20);
const delayLoop = Number(process.argv[4] ?? 1);
const kind = process.argv[5] === 'tcp' ? 'TCP_CHECK' : 'HTTP_GET';
const FIRST_PORT = 20_000;
const ADVERT_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(address: string): string {
  const check =
    kind === 'HTTP_GET'
      ? 'HTTP_GET {\n      url {\n        path /health\n        status_code 200\n      }\n      connect_timeout 2\n      retry 1\n      delay_before_retry 1\n    }'
      : 'TCP_CHECK {\n      connect_timeout 2\n      retry 1\n      delay_before_retry 1\n    }';
  const realServers = Array.from(
    { length: servers },
    (_, i) => `  real_server ${address} ${FIRST_PORT + i} {\n    weight 1\n    ${check}\n  }`,
  );
  const vrrp = vrrpConfig({
    version: 3,
    vrid: 51,
    priority: 150,
    advertInt: ADVERT_MS / 1000,
    vip: '198.51.100.200/24',
  });
  return `${vrrp}\nvirtual_server 198.51.100.200 80 {\n  delay_loop ${delayLoop}\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${realServers.join('\n')}\n}\n`;
}

/** Lines of a child's stdout, as they come. */
function lines(child: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: child.stdout! }).on('line', onLine);
}

/** The host's CPU time by kind (/proc/stat, in ticks): how busy the whole machine was, and how much its hypervisor took. */
function hostCpu(): { busy: number; steal: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq!;
  return { busy, steal: steal!, total: busy + idle! + iowait! + steal! };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const spread = (sorted: readonly number[]) =>
  `p50 ${percentile(sorted, 50).toFixed(1)}  p99 ${percentile(sorted, 99).toFixed(1)}  max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)}`;

interface Window {
  connections: number;
  seconds: number;
  lateness: number[];
}

async function main(lab: Lab, router: VigildRouter): Promise<void> {
  await lab.up(1);
  const address = ipv4Of('client');
  const responder = lab.spawn('client', [
    process.execPath,
    `${repoRoot}/dist/lab/check-responder.js`,
    address,
    String(FIRST_PORT),
    String(servers),
    kind === 'HTTP_GET' ? 'http' : 'tcp',
    String(delayLoop * 1000),
  ]);
  const reports: Record<string, unknown>[] = [];
  lines(responder, (line) => reports.push(JSON.parse(line)));
  await waitFor('the responder to listen', () => reports.length > 0, 60_000);

  const adverts: number[] = [];
  const capture = lab.spawn('r1', ['tcpdump', '-i', 'eth0', '-n', '-tt', '-l', '--immediate-mode', 'ip proto 112']);
  lines(capture, (line) => adverts.push(Number(line.split(' ')[0]) * 1000));

  const startedAt = performance.now();
  await router.start(config(address));
  await waitForStates([[router, 'MASTER']], { timeoutMs: 30_000 });
  const pid = router.pid!;
  console.log(`vigild started and master in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  // Every server's first check comes within its warmup (delay_loop); a few more loops settle it.
  await sleep((delayLoop * 3 + 2) * 1000);

  const hostBefore = hostCpu();
  const before = { all: cpuSeconds(pid), main: cpuSeconds(pid, pid), responder: cpuSeconds(responder.pid!) };
  const firstAdvert = adverts.length;
  responder.kill('SIGUSR1');
  const t0 = performance.now();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, rssMiB(pid))), 250);
  await sleep(seconds * 1000);
  clearInterval(sampler);
  const elapsed = (performance.now() - t0) / 1000;
  const hostAfter = hostCpu();
  const after = { all: cpuSeconds(pid), main: cpuSeconds(pid, pid), responder: cpuSeconds(responder.pid!) };
  // The window's adverts only: the status read below is not part of it.
  const lastAdvert = adverts.length;
  responder.kill('SIGUSR2');
  const window = await waitFor(
    'the responder report',
    () => reports.find((r) => 'lateness' in r) as Window | undefined,
  );
  const statusStarted = performance.now();
  const status = await router.status();
  const statusMs = performance.now() - statusStarted;
  // How long the status read held up the adverts (its own adverts, after the window's).
  await sleep(500);
  const statusGap = Math.max(
    0,
    ...adverts.slice(lastAdvert - 1).flatMap((at, i, all) => (i === 0 ? [] : [at - all[i - 1]!])),
  );
  const rs = status?.virtualServers.flatMap((vs) => vs.realServers) ?? [];

  const gaps = adverts
    .slice(firstAdvert, lastAdvert)
    .flatMap((at, i, all) => (i === 0 ? [] : [Math.abs(at - all[i - 1]! - ADVERT_MS / 2)]));
  const share = (cpu: number) => `${((cpu / elapsed) * 100).toFixed(1)} %`;
  const refused = Array.from({ length: servers }, (_, i) => i).filter(refusedPort).length;
  console.log(
    `checks: ${servers} real servers with ${kind}, delay_loop ${delayLoop} s, ${refused} refusing; a VRRP instance at advert_int ${ADVERT_MS / 1000} as master; ${elapsed.toFixed(0)} s window`,
  );
  console.log(
    `  connections/s answered   ${(window.connections / window.seconds).toFixed(0)} (schedule: about ${((servers - refused) / delayLoop).toFixed(0)}, plus ${(refused / delayLoop).toFixed(0)} refused)`,
  );
  console.log(
    `  verdicts                 ${rs.filter((r) => r.health === 'up').length} up, ${rs.filter((r) => r.health === 'down').length} down (expected ${servers - refused} and ${refused})`,
  );
  const latencies = rs.flatMap((r) => (r.lastCheck ? [r.lastCheck.latencyMs] : [])).sort((a, b) => a - b);
  console.log(`  check latency ms         ${spread(latencies)}  (each server's last check, from vigil status)`);
  console.log(
    `  vigild CPU               ${share(after.all - before.all)} of a core; main thread (VRRP, API) ${share(after.main - before.main)}`,
  );
  console.log(`  vigild RSS               ${rss.toFixed(0)} MiB peak`);
  console.log(
    `  lateness ms              ${spread(window.lateness)}  (a server's check against delay_loop after its last)`,
  );
  console.log(
    `  advert jitter ms         ${spread(gaps.sort((a, b) => a - b))}  (${gaps.length} gaps; |gap - ${ADVERT_MS / 2} ms|)`,
  );
  console.log(
    `  vigil status            ${statusMs.toFixed(0)} ms for ${rs.length} real servers; longest advert gap meanwhile ${statusGap.toFixed(1)} ms`,
  );
  const hostTotal = hostAfter.total - hostBefore.total;
  const ofHost = (ticks: number) => `${((ticks / hostTotal) * 100).toFixed(0)} %`;
  console.log(
    `  host                     ${os.cpus().length} CPUs, ${ofHost(hostAfter.busy - hostBefore.busy)} busy, ${ofHost(hostAfter.steal - hostBefore.steal)} stolen by the hypervisor`,
  );
  console.log(
    `  responder CPU            ${share(after.responder - before.responder)} (another process on the same host)`,
  );
}

const why = await labUnavailable();
if (why) {
  console.log(`bench:checks skipped: ${why}`);
} else {
  const lab = new Lab();
  const router = new VigildRouter(lab, 'r1');
  await withTeardown(
    () => main(lab, router),
    async () => {
      await router.cleanup();
      await lab.down();
    },
  );
}
