// What `vigil monitor` costs while 1,000 real servers change state every second: its CPU (utime
// + stime of its node process, /proc/PID/stat), RSS (during the window and at its end, and
// VmHWM, the peak since start) and frames per second on a 120x40 pseudo-terminal (script(1);
// frames counted by the mark Ink starts each with, see tui-pty.ts), beside the same TUI idle and
// with the periodic stats alone. The events come from a stand-in vigild on a unix socket
// (tui-api.ts, tui-fleet.ts) that serves the daemon's own status projection and event stream, so
// the figures are the TUI's alone: each real server flips up/down once a second, the flips spread
// evenly (~1,000 realserver.health events/s), and vrrp.stats and ipvs.stats come every 2 s as
// vigild sends them. It says how many events the stream wrote to the TUI and how many it dropped
// because the TUI read too slowly (then the TUI gets `lagged` and fetches status again).
// Prints figures; asserts nothing.
// Usage: npm run bench:tui [-- SECONDS [REAL_SERVERS [VIGIL_ARGS...]]]   (default: 20 1000 monitor)
// VIGIL_ARGS other than `monitor`, e.g. `status --watch`, bench another screen the same way.
// VIGIL_BENCH_CPU_PROF=DIR: the TUI of the loaded run writes a V8 CPU profile there (node
// --cpu-prof) when it quits, to see where its time goes (open it in Chrome DevTools).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { repoRoot } from '../lab/paths.js';
import { cpuSeconds, peakRssMiB, rssMiB } from '../lab/proc-usage.js';
import { waitFor } from '../lab/processes.js';
import { profileSummary } from './cpu-profile.js';
import { type ApiCounts, BenchApi } from './tui-api.js';
import { Fleet } from './tui-fleet.js';
import { PtyProcess } from './tui-pty.js';

const seconds = Number(process.argv[2] ?? 20);
const realServers = Number(process.argv[3] ?? 1000);
const vigilArgs = process.argv.length > 4 ? process.argv.slice(4) : ['monitor'];
const VIRTUAL_SERVERS = 10;
const SIZE = { columns: 120, rows: 40 };
const WARMUP_MS = 3000;
/** vigild's STATS_INTERVAL_MS. */
const STATS_MS = 2000;
/** Flips are due by the clock and sent every tick, so they come evenly, whatever a tick's delay. */
const TICK_MS = 10;
const RSS_SAMPLE_MS = 250;
const profileDir = process.env.VIGIL_BENCH_CPU_PROF;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scenario {
  name: string;
  /** For file names. */
  slug: string;
  flipsPerSecond: number;
  stats: boolean;
}

interface Figures {
  scenario: Scenario;
  eventsPerSecond: number;
  writtenPerSecond: number;
  dropped: number;
  statusFetches: number;
  framesPerSecond: number;
  ttyKiBPerSecond: number;
  cpuPercent: number;
  /** How long its main thread was ready to run but waited for a CPU, % of the window. */
  waitPercent: number;
  rssEnd: number;
  rssMax: number;
  rssPeak: number;
  firstFrameMs: number;
  loadCpuPercent: number;
  /** The host's 1-minute load average at the window's end: the machine may be shared. */
  hostLoad: number;
  quitCleanly: boolean;
  /** Its CPU profile, with VIGIL_BENCH_CPU_PROF. */
  profile?: string;
}

/** Sends each real server's flips (one a second each, spread evenly) and the stats every 2 s; returns the stop. */
function drive(fleet: Fleet, scenario: Scenario): () => void {
  const timers: NodeJS.Timeout[] = [];
  if (scenario.flipsPerSecond > 0) {
    const start = performance.now();
    let sent = 0;
    timers.push(
      setInterval(() => {
        const due = Math.floor(((performance.now() - start) * scenario.flipsPerSecond) / 1000);
        const now = Date.now();
        for (; sent < due; sent++) fleet.flip(now);
      }, TICK_MS),
    );
  }
  if (scenario.stats) timers.push(setInterval(() => void fleet.announceStats(), STATS_MS));
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}

async function measure(scenario: Scenario, dir: string): Promise<Figures> {
  const socket = path.join(dir, `${scenario.slug}.sock`);
  const fleet = new Fleet(realServers, VIRTUAL_SERVERS, Date.now());
  const api = new BenchApi(fleet.store, socket);
  await api.listen();
  // node takes --cpu-prof on its command line only, not from NODE_OPTIONS.
  const profile = profileDir && scenario.flipsPerSecond > 0 ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const vigil = path.join(repoRoot, 'bin/vigil');
  const pty = new PtyProcess([process.execPath, ...profile, vigil, ...vigilArgs, '--socket', socket], SIZE, {});
  const stop = drive(fleet, scenario);
  try {
    await waitFor('the TUI to follow events and draw', () => api.counts.offered > 0 && pty.frames > 0, 20_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}; its terminal showed:\n${plain(pty.lastFrame)}`);
      },
    );
    const pid = await waitFor('the TUI process', () => pty.commandPid());
    await sleep(WARMUP_MS);

    const counts: ApiCounts = { ...api.counts };
    const { frames, bytes } = pty;
    const cpu = cpuSeconds(pid);
    const waited = runQueueSeconds(pid);
    const loadCpu = process.cpuUsage();
    const start = performance.now();
    let rssMax = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, rssMiB(pid));
    }, RSS_SAMPLE_MS);
    await sleep(seconds * 1000);
    clearInterval(sampler);
    const elapsed = (performance.now() - start) / 1000;
    const rate = (n: number) => n / elapsed;
    const used = process.cpuUsage(loadCpu);
    const figures: Figures = {
      scenario,
      eventsPerSecond: rate(api.counts.offered - counts.offered),
      writtenPerSecond: rate(api.counts.written - counts.written),
      dropped: api.counts.dropped - counts.dropped,
      statusFetches: api.counts.statusRequests - counts.statusRequests,
      framesPerSecond: rate(pty.frames - frames),
      ttyKiBPerSecond: rate(pty.bytes - bytes) / 1024,
      cpuPercent: 100 * rate(cpuSeconds(pid) - cpu),
      waitPercent: 100 * rate(runQueueSeconds(pid) - waited),
      rssEnd: rssMiB(pid),
      rssMax: Math.max(rssMax, rssMiB(pid)),
      rssPeak: peakRssMiB(pid),
      firstFrameMs: pty.firstFrameMs ?? Number.NaN,
      loadCpuPercent: rate((used.user + used.system) / 1e4),
      hostLoad: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
      quitCleanly: false,
    };
    writeFileSync(path.join(dir, `${scenario.slug}.screen.txt`), plain(pty.lastFrame));
    stop();
    figures.quitCleanly = await quit(pty);
    const profile = profileDir && readdirSync(profileDir).find((f) => f.endsWith(`.${pid}.0.001.cpuprofile`));
    if (profile) figures.profile = path.join(profileDir!, profile);
    return figures;
  } finally {
    stop();
    pty.kill();
    await api.close();
  }
}

/** Seconds the main thread of `pid` has waited on a run queue (/proc/PID/schedstat, 2nd field, ns). */
function runQueueSeconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
}

/** `q` (Ctrl-C for another screen), as a user quits; true when it ended by itself with status 0 within 5 s. */
async function quit(pty: PtyProcess): Promise<boolean> {
  pty.type(vigilArgs[0] === 'monitor' ? 'q' : '\x03');
  const code = await Promise.race([pty.exited, sleep(5000).then(() => 'timeout' as const)]);
  return code === 0;
}

/** The screen as text: escape sequences out (the pty's bytes were taken as latin1, one char each). */
const plain = (screen: string) =>
  stripVTControlCharacters(Buffer.from(screen, 'latin1').toString('utf8')).replaceAll('\r', '');

function printTable(all: Figures[]): void {
  const columns: [string, (f: Figures) => string][] = [
    ['scenario', (f) => f.scenario.name],
    ['events/s', (f) => f.eventsPerSecond.toFixed(1)],
    ['to TUI/s', (f) => f.writtenPerSecond.toFixed(1)],
    ['dropped', (f) => String(f.dropped)],
    ['status GETs', (f) => String(f.statusFetches)],
    ['frames/s', (f) => f.framesPerSecond.toFixed(1)],
    ['tty KiB/s', (f) => f.ttyKiBPerSecond.toFixed(0)],
    ['CPU %', (f) => f.cpuPercent.toFixed(1)],
    ['wait %', (f) => f.waitPercent.toFixed(1)],
    ['RSS end MiB', (f) => f.rssEnd.toFixed(0)],
    ['RSS max MiB', (f) => f.rssMax.toFixed(0)],
    ['VmHWM MiB', (f) => f.rssPeak.toFixed(0)],
    ['1st frame ms', (f) => f.firstFrameMs.toFixed(0)],
    ['source CPU %', (f) => f.loadCpuPercent.toFixed(1)],
    ['host load', (f) => f.hostLoad.toFixed(1)],
    ['quits', (f) => (f.quitCleanly ? 'yes' : 'NO')],
  ];
  const rows = [columns.map(([title]) => title), ...all.map((f) => columns.map(([, cell]) => cell(f)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
}

const scenarios: Scenario[] = [
  { name: 'idle', slug: 'idle', flipsPerSecond: 0, stats: false },
  { name: 'stats only', slug: 'stats', flipsPerSecond: 0, stats: true },
  { name: '1 flip/RS/s', slug: 'load', flipsPerSecond: realServers, stats: true },
];
const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-tui-'));
console.log(
  `bench:tui: \`vigil ${vigilArgs.join(' ')}\` on a ${SIZE.columns}x${SIZE.rows} pty, ${realServers} real servers in ${VIRTUAL_SERVERS} virtual servers, 2 VRRP instances; ${seconds} s per scenario after ${WARMUP_MS / 1000} s warm-up; ${os.cpus().length} CPUs, node ${process.version}`,
);
const all: Figures[] = [];
for (const scenario of scenarios) all.push(await measure(scenario, dir));
printTable(all);
console.log(
  `events/s: offered to the stream (hello, realserver.health; vrrp.stats and ipvs.stats every 2 s); to TUI/s: written to its socket; dropped: skipped while the TUI was >1 MiB behind (each episode ends in 'lagged' and a status GET). CPU % of one core; wait %: its main thread ready but waiting for a CPU. source CPU %: this process (the stand-in vigild). host load: 1-min load average (the TUI competes for ${os.cpus().length} CPUs). Last screens: ${dir}/*.screen.txt`,
);
for (const { scenario, profile } of all) {
  if (!profile) continue;
  console.log(
    `\nwhere the TUI's CPU went in '${scenario.name}' (its whole run, start-up included; self time): ${profile}`,
  );
  for (const line of profileSummary(profile, 15)) console.log(line);
}
