// The scripted tour of `npm run demo` (without a terminal, or with --tour): the main job on
// shipped examples, in a throwaway network-namespace lab. Two routers run vigild with
// examples/failover/r1.conf and r2.conf; a client asks the VIP for an answer every 10 ms while
// r1 stops and comes back. Everything it builds goes when it ends, on Ctrl-C and on a crash too,
// and nothing outside the lab is touched.

import { Lab } from '../lab/lab.js';
import { example } from '../lab/paths.js';
import { VipProbe } from '../lab/probe.js';
import { DaemonProcess, vigil } from '../lab/processes.js';
import { withTeardown } from '../lab/teardown.js';

const VIP = '198.51.100.200';
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const step = (text: string) => console.log(`\n${bold(`== ${text}`)}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function show(router: DaemonProcess, name: string): Promise<void> {
  const { stdout } = await vigil(['status', '--socket', router.socket]);
  const table = stdout.split('\n').filter((line) => /^(NAME|VI_| {2}VI_)/.test(line));
  console.log(`${name}:\n${table.map((l) => `  ${l}`).join('\n')}`);
}

async function waitForState(router: DaemonProcess, state: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { stdout } = await vigil(['status', '--json', '--socket', router.socket]);
    if ((JSON.parse(stdout) as { instances: { state: string }[] }).instances[0]?.state === state) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${state}`);
}

async function tour(lab: Lab, r1: DaemonProcess, r2: DaemonProcess): Promise<void> {
  step('vigil check: both configs are valid keepalived.conf');
  for (const r of [r1, r2]) console.log((await vigil(['check', '--config', r.configPath])).stdout.trim());

  step(
    `a lab (namespaces ${lab.prefix}*): routers r1 (198.51.100.11) and r2 (.12), and a client (.100), on one bridge`,
  );
  await lab.up(2);

  step('vigild on both routers; r1 (priority 150) wins the election for VIP 198.51.100.200');
  await Promise.all([r1.start(), r2.start()]);
  await waitForState(r1, 'MASTER');
  await show(r1, 'r1');
  await show(r2, 'r2');

  step('the client asks the VIP for an answer every 10 ms; r1 stops (SIGTERM: it resigns with priority 0)');
  const probe = new VipProbe(lab, 'client', VIP);
  await sleep(500);
  const stoppedAt = Date.now();
  await r1.stop();
  await waitForState(r2, 'MASTER');
  await sleep(500);
  console.log(`client saw an outage of ${probe.longestWaitSince(stoppedAt).toFixed(0)} ms`);
  await show(r2, 'r2');

  step('r1 comes back and preempts (its priority is higher)');
  await r1.start();
  await waitForState(r1, 'MASTER');
  const backAt = Date.now();
  await sleep(1500);
  console.log(`client saw an outage of ${probe.longestWaitSince(backAt - 1500).toFixed(0)} ms during the hand-back`);
  await show(r1, 'r1');
  await show(r2, 'r2');
  probe.stop();

  step("r1's log");
  console.log(r1.log.trim().split('\n').slice(-4).join('\n'));
}

export async function runTour(): Promise<void> {
  const lab = new Lab();
  const r1 = new DaemonProcess({ configPath: example('failover', 'r1.conf'), netns: lab.ns('r1') });
  const r2 = new DaemonProcess({ configPath: example('failover', 'r2.conf'), netns: lab.ns('r2') });
  await withTeardown(
    () => tour(lab, r1, r2),
    async () => {
      await Promise.all([r1.cleanup(), r2.cleanup()]);
      await lab.down();
    },
  );
}
