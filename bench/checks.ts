// Health-check scale: N real servers with a TCP_CHECK or an HTTP_GET each (10 % of them
// refusing), checked by vigild's HealthChecker with real sockets on loopback, for a while.
// Prints checks per second, the event loop's delay (what a VRRP advert would wait behind), CPU
// and memory; for HTTP_GET also how late each server's checks come (the gap between two of its
// requests, less delay_loop). Prints figures; asserts nothing.
// Usage: npm run bench:checks [-- SERVERS [SECONDS [DELAY_LOOP [tcp|http]]]]
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HealthChecker, type RealServerTarget } from '../src/check/index.js';
import { processClock } from '../src/clock.js';
import type { HttpCheck, TcpCheck } from '../src/config/index.js';
import { ChildProcessLauncher } from '../src/scripts/launcher.js';

const servers = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 20);
const delayLoop = Number(process.argv[4] ?? 2);
const kind = process.argv[5] === 'http' ? 'HTTP_GET' : 'TCP_CHECK';
const LISTENERS = 50;

/** HTTP_GET: the gap between two requests of one server (named by its Host header), less delay_loop. */
const lastRequest = new Map<string, number>();
const lateness: number[] = [];
function answer(socket: net.Socket): void {
  let head = '';
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    const host = /\r\nHost: (\S+)/.exec(head)?.[1] ?? '';
    const now = performance.now();
    const last = lastRequest.get(host);
    if (last !== undefined) lateness.push(now - last - delayLoop * 1000);
    lastRequest.set(host, now);
    socket.end('HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n');
  });
}

const listen = () =>
  new Promise<net.Server>((resolve) => {
    const server = net.createServer((socket) => (kind === 'HTTP_GET' ? answer(socket) : socket.destroy()));
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

const listeners = await Promise.all(Array.from({ length: LISTENERS }, listen));
const closed = await listen();
const refusedPort = portOf(closed);
await new Promise((resolve) => closed.close(resolve));

const tcpCheck = (port: number): TcpCheck => ({
  type: 'TCP_CHECK',
  pos: { file: 'bench', line: 1, col: 1 },
  retry: 1,
  delayBeforeRetry: 1,
  warmup: delayLoop,
  delayLoop,
  alpha: false,
  connectTimeout: 2,
  connectPort: port,
});
const httpCheck = (port: number, i: number): HttpCheck => ({
  ...tcpCheck(port),
  type: 'HTTP_GET',
  virtualhost: `rs${i}`,
  urls: [{ path: '/health', pos: { file: 'bench', line: 1, col: 1 } }],
  httpProtocol: '1.0',
  enableSni: false,
});
const targets: RealServerTarget[] = Array.from({ length: servers }, (_, i) => {
  const port = i % 10 === 9 ? refusedPort : portOf(listeners[i % LISTENERS]!);
  return {
    id: `rs${i}`,
    address: '127.0.0.1',
    port: 80,
    weight: 1,
    checkers: [kind === 'HTTP_GET' ? httpCheck(port, i) : tcpCheck(port)],
  };
});

let changes = 0;
const checker = new HealthChecker(
  {
    clock: processClock,
    wallClock: Date.now,
    random: Math.random,
    launcher: new ChildProcessLauncher({ enableScriptSecurity: false }),
  },
  () => changes++,
);
const lastChecks = () => targets.reduce((n, t) => n + (checker.health(t.id)?.lastCheckAt !== undefined ? 1 : 0), 0);

const loop = monitorEventLoopDelay({ resolution: 5 });
const cpuBefore = process.cpuUsage();
const start = performance.now();
let completed = 0;
// Counts completed checks through the listeners' accepted connections and the refusals' verdicts.
for (const server of listeners) server.on('connection', () => completed++);

loop.enable();
checker.update(targets);
let rss = 0;
const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 500);
await new Promise((r) => setTimeout(r, seconds * 1000));
loop.disable();
clearInterval(sampler);
const elapsed = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const checked = lastChecks();
checker.stop();
await Promise.all(listeners.map((s) => new Promise((r) => s.close(r))));

const ms = (ns: number) => (ns / 1e6).toFixed(1);
console.log(
  `checks: ${servers} real servers, ${kind} each (10 % refused), delay_loop ${delayLoop} s, ${seconds} s on loopback`,
);
console.log(
  `  accepted connections/s   ${(completed / elapsed).toFixed(0)} (expected about ${((servers * 0.9) / delayLoop).toFixed(0)})`,
);
console.log(`  servers checked          ${checked} of ${servers}; down ${changes} (expected ${servers / 10})`);
console.log(
  `  event loop delay ms      p50 ${ms(loop.percentile(50))}  p99 ${ms(loop.percentile(99))}  max ${ms(loop.max)}  (sampled every 5 ms: an idle loop reads ~5)`,
);
console.log(
  `  CPU                      ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(1)} % of a core (the listeners accept in this process too)`,
);
console.log(`  RSS                      ${(rss / 2 ** 20).toFixed(0)} MiB peak`);
if (lateness.length > 0) {
  const sorted = lateness.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
  console.log(
    `  lateness ms              p50 ${at(50)}  p99 ${at(99)}  (gap between a server's requests − delay_loop)`,
  );
}
