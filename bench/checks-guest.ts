// HTTP_GET at scale on a real IPVS kernel, keepalived 2.2.7 beside vigild in one guest: 1,000 real
// servers (4 virtual_servers × 250; addresses 203.0.113.1-250 on a dummy interface in the guest,
// ports 8080-8083), each with an HTTP_GET of /health (status_code 200) every DELAY_LOOP s, all
// answered by one responder in this process. keepalived (its checker: parent and checker child)
// and then vigild run the same keepalived.conf; once every server has been checked and 5 s more
// have passed, each one's CPU (utime + stime from /proc of all its processes and threads) and
// RSS are measured over SECONDS, beside the requests per second the responder saw: both must
// check at the configured rate for their CPU to compare; a daemon that falls below it is named
// as CPU-bound, and then the CPU per check answered compares. The guest is emulated (TCG: ~20x
// slower than the host, slower still when the host is loaded): compare only within one run.
// Prints figures; asserts nothing.
// Usage: npm run bench:checks-guest [-- DELAY_LOOP [SECONDS]]   (defaults 30 30; root, qemu and
// keepalived; boots the guest once via test/vm/ipvs-vm.sh, ~3-4 min)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keepalivedUnavailable, startKeepalived } from '../lab/keepalived.js';
import { repoRoot } from '../lab/paths.js';
import { processTree, type Usage, usageOver } from '../lab/proc-usage.js';
import { DaemonProcess, waitFor } from '../lab/processes.js';

const delayLoop = Number(process.argv[2] ?? 30);
const seconds = Number(process.argv[3] ?? 30);

const LINK = 'vmb0';
const VIP = '198.51.100.80';
const PORTS = [8080, 8081, 8082, 8083];
const ADDRESSES = Array.from({ length: 250 }, (_, i) => `203.0.113.${i + 1}`);
const SERVERS = PORTS.length * ADDRESSES.length;
/** After the first round, before the window: the start's last work (IPVS, logging every server up) is done. */
const SETTLE_S = 5;
/**
 * vigild's start with 1,000 checks has taken over 90 s (DaemonProcess's default in the guest)
 * while the host was loaded: the start and the first checks share one event loop.
 */
const VIGILD_START_TIMEOUT_MS = 240_000;
/** Boot, two starts, two first rounds and two windows: ~3 min at the defaults, more on a loaded host. */
const GUEST_TIMEOUT_S = 600;

if (process.env.VIGIL_IPVS_VM !== '1') {
  // On the host: run this same file, with its arguments, inside the guest.
  const unavailable = await keepalivedUnavailable();
  if (unavailable) throw new Error(`bench/checks-guest: ${unavailable}`);
  const vm = spawnSync('bash', ['test/vm/ipvs-vm.sh', `exec node ${process.argv.slice(1).join(' ')}`], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, IPVS_VM_TIMEOUT: String(GUEST_TIMEOUT_S) },
  });
  process.exit(vm.status ?? 1);
}

/** What the responder has answered: every request, and which real servers (address:port) asked for. */
class Responder {
  requests = 0;
  readonly checked = new Set<string>();
  private readonly servers: net.Server[] = [];

  async listen(): Promise<void> {
    for (const port of PORTS) {
      const server = net.createServer((socket) => this.answer(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => resolve());
      });
      this.servers.push(server);
    }
  }

  close(): void {
    for (const server of this.servers) server.close();
  }

  private answer(socket: net.Socket): void {
    let head = '';
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      this.requests++;
      this.checked.add(`${socket.localAddress}:${socket.localPort}`);
      socket.end('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n');
    });
  }
}

/** connect_timeout and retry leave room for a loaded guest: a late answer is not a down server. */
function config(): string {
  const check = `HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 10
      retry 1
      delay_before_retry 2
      delay_loop ${delayLoop}
    }`;
  const service = (port: number) =>
    `virtual_server ${VIP} ${port} {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n${ADDRESSES.map(
      (address) => `  real_server ${address} ${port} {\n    ${check}\n  }\n`,
    ).join('')}}\n`;
  return PORTS.map(service).join('');
}

interface Figures extends Usage {
  /** From the daemon's spawn until every server had been checked once. */
  firstRoundSeconds: number;
  processes: number;
  requestsPerSecond: number;
  /** Real servers the responder heard from within the window. */
  checked: number;
  /** Destinations in the IPVS table at the window's end: the servers the daemon holds up. */
  destinations: number;
  /** This process (the responder) over the window, percent of one core. */
  responderCpu: number;
  /** The whole guest over the window, percent of all its CPUs: near 100, the figures are capped by the guest. */
  guestBusy: number;
}

/** The guest's busy and total CPU time so far (/proc/stat: user nice system idle iowait irq softirq steal), in clock ticks. */
function guestTicks(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

const destinations = () =>
  execFileSync('ipvsadm', ['-Ln'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim().startsWith('-> ') && !line.includes('RemoteAddress')).length;

/**
 * Waits for the first round (every server checked once since `startedAt`, the daemon's spawn)
 * and a few seconds more, for the start's work to be done, then measures.
 */
async function measure(responder: Responder, pid: number, startedAt: number, log: () => string): Promise<Figures> {
  await waitFor(
    `every real server checked once (${SERVERS})`,
    () => {
      if (!isAlive(pid)) throw new Error(`the daemon exited:\n${log()}`);
      return responder.checked.size === SERVERS;
    },
    (2 * delayLoop + 120) * 1000,
  ).catch((error: Error) => {
    const tail = log().split('\n').slice(-40).join('\n');
    throw new Error(`${error.message}; ${responder.checked.size} were; the daemon's log ends:\n${tail}`);
  });
  const firstRoundSeconds = (performance.now() - startedAt) / 1000;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
  responder.checked.clear();
  const requestsBefore = responder.requests;
  const [guestBefore, responderBefore] = [guestTicks(), process.cpuUsage()];
  const usage = await usageOver(() => processTree(pid), seconds);
  const [guestAfter, responderUsed] = [guestTicks(), process.cpuUsage(responderBefore)];
  return {
    ...usage,
    firstRoundSeconds,
    responderCpu: ((responderUsed.user + responderUsed.system) / 1e6 / usage.seconds) * 100,
    guestBusy: (100 * (guestAfter.busy - guestBefore.busy)) / (guestAfter.total - guestBefore.total),
    processes: processTree(pid).length,
    requestsPerSecond: (responder.requests - requestsBefore) / usage.seconds,
    checked: responder.checked.size,
    destinations: destinations(),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function keepalivedFigures(dir: string, configPath: string, responder: Responder): Promise<Figures> {
  responder.checked.clear();
  const startedAt = performance.now();
  const keepalived = startKeepalived(dir, configPath);
  try {
    return await measure(responder, keepalived.pid, startedAt, keepalived.log);
  } finally {
    await keepalived.stop();
  }
}

async function vigildFigures(configPath: string, responder: Responder): Promise<Figures> {
  const daemon = new DaemonProcess({ configPath });
  responder.checked.clear();
  const startedAt = performance.now();
  try {
    await daemon.start([], VIGILD_START_TIMEOUT_MS);
    const figures = await measure(responder, daemon.child.pid!, startedAt, () => daemon.log);
    await daemon.stop();
    return figures;
  } finally {
    await daemon.cleanup();
  }
}

/** CPU time per request answered: what compares when a daemon fell below the configured rate. */
const perCheck = (f: Figures) => (10 * f.cpu) / f.requestsPerSecond;

function print(keepalived: Figures, vigild: Figures): void {
  const row = (label: string, value: (f: Figures) => number, digits: number) =>
    console.log(
      `${label.padEnd(26)}${value(keepalived).toFixed(digits).padStart(12)}${value(vigild).toFixed(digits).padStart(12)}`,
    );
  console.log(
    `checks-guest: ${SERVERS} real servers (${PORTS.length} virtual_servers × ${ADDRESSES.length}), an HTTP_GET each, delay_loop ${delayLoop} s (${(SERVERS / delayLoop).toFixed(0)} requests/s expected), measured over ${seconds} s after a warm-up, inside the IPVS guest (TCG: ~20x slower than native)`,
  );
  console.log(`${''.padEnd(26)}${'keepalived'.padStart(12)}${'vigild'.padStart(12)}`);
  row('first round done, s', (f) => f.firstRoundSeconds, 1);
  row('CPU, % of a core', (f) => f.cpu, 2);
  row('RSS, MiB', (f) => f.rssMiB, 1);
  row('processes', (f) => f.processes, 0);
  row('requests/s answered', (f) => f.requestsPerSecond, 1);
  row('CPU ms per check', perCheck, 1);
  row('servers checked in window', (f) => f.checked, 0);
  row('destinations in IPVS', (f) => f.destinations, 0);
  row('responder CPU, % of a core', (f) => f.responderCpu, 1);
  row('guest busy, % of its CPUs', (f) => f.guestBusy, 1);
  for (const [name, f] of [
    ['keepalived', keepalived],
    ['vigild', vigild],
  ] as const) {
    if (f.requestsPerSecond < 0.9 * (SERVERS / delayLoop))
      console.log(
        `${name} checked below the configured rate: it is CPU-bound here, its CPU a floor; compare CPU per check`,
      );
  }
  console.log(
    `vigild/keepalived: CPU ${(vigild.cpu / keepalived.cpu).toFixed(1)}x, CPU per check ${(perCheck(vigild) / perCheck(keepalived)).toFixed(1)}x, RSS ${(vigild.rssMiB / keepalived.rssMiB).toFixed(1)}x`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), 'vigil-checks-guest-'));
const configPath = path.join(dir, 'keepalived.conf');
const responder = new Responder();
try {
  execFileSync('ip', ['link', 'add', LINK, 'type', 'dummy']);
  execFileSync('ip', ['-batch', '-'], { input: ADDRESSES.map((a) => `addr add ${a}/24 dev ${LINK}\n`).join('') });
  execFileSync('ip', ['link', 'set', LINK, 'up']);
  await responder.listen();
  writeFileSync(configPath, config());
  const keepalived = await keepalivedFigures(dir, configPath, responder);
  const vigild = await vigildFigures(configPath, responder);
  print(keepalived, vigild);
} finally {
  responder.close();
  spawnSync('ip', ['link', 'del', LINK]);
  rmSync(dir, { recursive: true, force: true });
}
