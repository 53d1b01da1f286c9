// Wall time of `vigil status` against a running vigild, as an operator or a script sees it:
// process start to exit. `node -e 0` beside it is the floor no Node CLI can beat.
// Prints figures; asserts nothing. Usage: npm run bench:cli [-- RUNS]
import { spawnSync } from 'node:child_process';
import { Lab, labUnavailable } from '../lab/lab.js';
import { example } from '../lab/paths.js';
import { DaemonProcess, vigilBin } from '../lab/processes.js';
import { withTeardown } from '../lab/teardown.js';

const runs = Number(process.argv[2] ?? 30);

function time(cmd: string, args: string[]): number[] {
  const samples: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i >= 2) samples.push(ms); // the first runs warm the page cache
  }
  return samples.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

const unavailable = await labUnavailable();
if (unavailable) throw new Error(`cli-latency runs vigild in a network namespace: ${unavailable}`);
// vigild runs VRRP for real (VIPs on eth0), so it runs on a lab router, never on the host.
const lab = new Lab();
const daemon = new DaemonProcess({ configPath: example('lvs-dr.conf'), netns: lab.ns('r1') });
async function bench(): Promise<void> {
  await lab.up(1);
  await daemon.start();
  const rows: [string, number[]][] = [
    ['node -e 0 (floor)', time(process.execPath, ['-e', '0'])],
    ['vigil --help', time(vigilBin, ['--help'])],
    ['vigil status', time(vigilBin, ['status', '--socket', daemon.socket])],
    ['vigil status --json', time(vigilBin, ['status', '--json', '--socket', daemon.socket])],
  ];
  console.log(`cli-latency: ${runs} runs each, wall time from spawn to exit (ms)`);
  console.log(`${'command'.padEnd(24)}${'median'.padStart(8)}${'p95'.padStart(8)}`);
  for (const [name, samples] of rows) {
    console.log(
      `${name.padEnd(24)}${quantile(samples, 0.5).toFixed(1).padStart(8)}${quantile(samples, 0.95).toFixed(1).padStart(8)}`,
    );
  }
}

await withTeardown(bench, async () => {
  await daemon.cleanup();
  await lab.down();
});
