// `npm run demo` on a terminal: a direct-routing load balancer in a lab (../lab/director-lab.ts:
// directors r1 and r2 with vigild on examples/monitor/, web servers r3 and r4, a client asking
// the VIP ten times a second) and `vigil monitor` attached to r1's vigild, in this process, with
// keys that stop things (./keys.ts) beside the monitor's own (d drains the selected server).
// Where the kernel has IPVS the directors program it; where it has none the monitor says so and
// still shows VRRP and the checks live. The lab goes when the monitor is quit, and on Ctrl-C,
// SIGTERM, SIGHUP or a crash.
import { DIRECTORS, DirectorLab, REAL_SERVERS, VIP } from '../lab/director-lab.js';
import { ipv4Of, type NodeName } from '../lab/lab.js';
import { withTeardown } from '../lab/teardown.js';
import { demoKeys } from './keys.js';

const BANNER = "demo keys: s r1's vigild off/on · x web r3 off/on · d drain · c client · q quit";

async function live(lab: DirectorLab): Promise<void> {
  const hosts = (nodes: readonly NodeName[]) => nodes.map((n) => `${n} (${ipv4Of(n)})`).join(', ');
  console.log(
    `demo: a lab in namespaces ${lab.lab.prefix}*: directors ${hosts(DIRECTORS)}, web servers ${hosts(REAL_SERVERS)}, a client`,
  );
  await lab.up();
  await Promise.all(REAL_SERVERS.map((rs) => lab.startWeb(rs)));
  console.log(`demo: vigild on both directors (examples/monitor/director1.conf, director2.conf), VIP ${VIP}`);
  await Promise.all(DIRECTORS.map((d) => lab.startDirector(d)));
  const ipvs = (await lab.directors.r1.status())?.ipvs.available ?? false;
  const load = lab.startLoad();
  // Only the live demo loads the TUI (Ink, React): the scripted tour never does.
  const { runMonitor } = await import('../src/tui/main.js');
  await runMonitor({ socket: lab.socket('r1'), banner: BANNER, extraKeys: demoKeys(lab, load, ipvs) });
}

export async function runLive(): Promise<void> {
  const lab = new DirectorLab();
  // Whoever ends the process before the teardown below is done (the monitor exits at once on an
  // error nothing caught, once it gave the terminal back) still leaves no lab behind.
  process.once('exit', () => lab.downNow());
  await withTeardown(
    () => live(lab),
    async () => {
      console.log('demo: tearing the lab down');
      await lab.down();
    },
  );
}
