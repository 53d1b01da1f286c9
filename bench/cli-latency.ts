// Wall time of `vigil status` against a running vigild, as an operator or a script sees it:
// process start to exit. `node -e 0` beside it is the floor no Node CLI can beat, and the ratio
// to it is the figure that matters (goal: at most 1.5). The commands take turns, run by run, so
// that load from other work on the machine weighs on all of them alike.
// Prints figures; asserts nothing. Usage: npm run bench:cli [-- RUNS]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Lab, labUnavailable } from '../lab/lab.js';
import { example, repoRoot } from '../lab/paths.js';
import { DaemonProcess, vigilBin } from '../lab/processes.js';
import { withTeardown } from '../lab/teardown.js';

const runs = Number(process.argv[2] ?? 30);
const WARM_UP_RUNS = 2;

type Command = [name: string, cmd: string, args: string[]];

function timeOnce([name, cmd, args]: Command): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`${name}: ${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Every command's samples, sorted; the first runs only warm the page cache. */
function timeInTurns(commands: readonly Command[]): number[][] {
  const samples = commands.map(() => [] as number[]);
  for (let i = 0; i < runs + WARM_UP_RUNS; i++) {
    commands.forEach((command, c) => {
      const ms = timeOnce(command);
      if (i >= WARM_UP_RUNS) samples[c]!.push(ms);
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b));
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

const unavailable = await labUnavailable();
if (unavailable) throw new Error(`cli-latency runs vigild in a network namespace: ${unavailable}`);
// vigild runs VRRP for real (VIPs on eth0), so it runs on a lab router, never on the host.
const lab = new Lab();
const daemon = new DaemonProcess({ configPath: example('lvs-dr.conf'), netns: lab.ns('r1') });
// What `vigil status` cost before the lean path: the same command through oclif.
const oclifOnly = `require(${JSON.stringify(path.join(repoRoot, 'dist', 'vigil.cjs'))}).run(${JSON.stringify(repoRoot)})`;

async function bench(): Promise<void> {
  await lab.up(1);
  await daemon.start();
  const commands: Command[] = [
    ['node -e 0 (floor)', process.execPath, ['-e', '0']],
    ['vigil --help', vigilBin, ['--help']],
    ['vigil status', vigilBin, ['status', '--socket', daemon.socket]],
    ['vigil status --json', vigilBin, ['status', '--json', '--socket', daemon.socket]],
    ['vigil status (oclif)', process.execPath, ['-e', oclifOnly, 'vigil', 'status', '--socket', daemon.socket]],
  ];
  const samples = timeInTurns(commands);
  const floor = quantile(samples[0]!, 0.5);
  console.log(`cli-latency: ${runs} runs each, in turns, wall time from spawn to exit (ms)`);
  console.log(`${'command'.padEnd(24)}${'median'.padStart(8)}${'p95'.padStart(8)}${'x floor'.padStart(9)}`);
  commands.forEach(([name], c) => {
    const median = quantile(samples[c]!, 0.5);
    console.log(
      `${name.padEnd(24)}${median.toFixed(1).padStart(8)}${quantile(samples[c]!, 0.95).toFixed(1).padStart(8)}${(median / floor).toFixed(2).padStart(9)}`,
    );
  });
  console.log(`vigil status / node -e 0: ${(quantile(samples[2]!, 0.5) / floor).toFixed(2)}x (goal: <= 1.5x)`);
}

await withTeardown(bench, async () => {
  await daemon.cleanup();
  await lab.down();
});
