// `npm run test:vm`: boots the IPVS guest once (test/vm/ipvs-vm.sh) and runs every
// dist/test/vm/*.test.js in it, one file at a time, streaming node's test-runner output; exits
// with the tests' code. Where no guest can be booted here it says why in one line, and then fails
// under CI=true but skips elsewhere, so `npm test` still works without qemu.
// Arguments pick files by part of their name: `npm run test:vm -- smoke`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../lab/paths.js';

/**
 * Generous for slow runs, and still well under CI's patience: the whole VM suite takes ~6 min here
 * when quiet, but the emulated guest's times vary twofold with the host's load (lvs-drain alone:
 * 156 s and 277 s for the same code), and 600 s has been passed once.
 */
const TIMEOUT_S = 900;

/**
 * The files of the second lane (see lanesOf); every other file, a new one too, runs in the first.
 * Picked to even the lanes out by per-file times from CI runs: the guest's own namespace no
 * longer ties the files that use it to one lane (see lanesOf).
 */
const SECOND_LANE = ['lvs-dr-vigild', 'lvs-drain', 'lvs-health', 'lvs-timeouts', 'smoke'];

/**
 * When the guest prints what the lanes have written so far, if they are still running: before
 * TIMEOUT_S kills it (boot takes ~15 s of that), so that a hung file is named in CI's output.
 */
const LANES_SO_FAR_S = TIMEOUT_S - 60;

/** The second lane's own network namespace in the guest. */
const LANE_NAMESPACE = 'vigil-vm-lane';

const script = path.join(repoRoot, 'test', 'vm', 'ipvs-vm.sh');
const here = path.dirname(fileURLToPath(import.meta.url));

const check = spawnSync('bash', [script, '--check'], {
  cwd: repoRoot,
  encoding: 'utf8',
  stdio: ['ignore', 'inherit', 'pipe'],
});
if (check.status !== 0) {
  const reason = check.stderr.trim().split('\n').pop() || `${script} --check exited ${check.status}`;
  if (process.env.CI === 'true') {
    console.error(`VM tests cannot run: ${reason}`);
    process.exit(1);
  }
  console.log(`VM tests skipped: ${reason}`);
  process.exit(0);
}

const picks = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.js') && (picks.length === 0 || picks.some((p) => f.includes(p))))
  .sort()
  .map((f) => path.relative(repoRoot, path.join(here, f)));
if (files.length === 0) {
  console.error(`VM tests: no *.test.js in ${here}${picks.length ? ` matching ${picks.join(', ')}` : ''}`);
  process.exit(1);
}

// Node picks spec for a terminal and TAP otherwise; the guest's output is always a serial port,
// so choose here as node would for this process's stdout.
const reporter = process.stdout.isTTY ? 'spec' : 'tap';
console.log(`VM tests: booting the IPVS guest for ${files.length} file(s)`);
const vm = spawnSync('bash', [script, laneCommand(lanesOf(files), reporter)], {
  cwd: repoRoot,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, IPVS_VM_TIMEOUT: String(TIMEOUT_S) },
});
process.exit(vm.status ?? 1);

/**
 * Two lanes side by side, each running its files one at a time, and each in a network namespace
 * of its own: the first in the guest's, the second in a new one. A file may use its lane's
 * namespace as its own (its IPVS table, its sysctls, keepalived or vigild on 127.0.0.1), as the
 * file before it in the lane has ended; files that build namespaces for a lab name them apart.
 * The guest is emulated, so a file spends much of its time waiting on node and timers: two
 * lanes take about half the time of one.
 */
function lanesOf(all: string[]): string[][] {
  const second = all.filter((f) => SECOND_LANE.some((name) => f.endsWith(`${name}.test.js`)));
  return [all.filter((f) => !second.includes(f)), second].filter((lane) => lane.length > 0);
}

/**
 * The guest's shell command: the lanes in parallel, each into its own file, printed one after the
 * other when both have ended, or as far as they got when the guest's time is nearly up.
 */
function laneCommand(lanes: string[][], reporter: string): string {
  const setUp = `ip netns add ${LANE_NAMESPACE} && ip -n ${LANE_NAMESPACE} link set lo up`;
  const run = lanes.map((lane, i) => {
    const within = i === 0 ? '' : `ip netns exec ${LANE_NAMESPACE} `;
    return `${within}node --test --test-concurrency=1 --test-reporter=${reporter} ${lane.join(' ')} >/tmp/vm-lane-${i} 2>&1 & pid${i}=$!`;
  });
  const soFar = lanes.map(
    (_, i) =>
      `if kill -0 $pid${i} 2>/dev/null; then echo "# VM lane ${i} still running; its output so far:"; cat /tmp/vm-lane-${i}; fi`,
  );
  const watchdog = `(sleep ${LANES_SO_FAR_S}; ${soFar.join('; ')}) & watchdog=$!`;
  const wait = lanes.map((_, i) => `wait $pid${i}; rc${i}=$?`);
  const print = lanes.map((_, i) => `cat /tmp/vm-lane-${i}`);
  const ok = lanes.map((_, i) => `[ $rc${i} -eq 0 ]`).join(' && ');
  return [setUp, ...run, watchdog, ...wait, 'kill $watchdog 2>/dev/null', ...print, ok].join('\n');
}
