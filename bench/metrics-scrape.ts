// What a /metrics scrape costs vigild with many real servers: the status projection it starts
// from, then the mapping and prom-client's rendering, in CPU time per scrape and RSS, beside
// the RSS that loading prom-client adds. In process, no listener: the figures are vigild's work.
// Prints figures; asserts nothing. Usage: npm run bench:metrics [-- REAL_SERVERS [SCRAPES]]
// Run with vigild's V8 flag (main.ts limitHeapGrowth), so that RSS is comparable.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createMemoryReader, parseConfigText } from '../src/config/index.js';
import { metricFamilies } from '../src/daemon/metrics-service.js';
import { buildStatus } from '../src/daemon/status.js';
import { StateStore } from '../src/daemon/store.js';

const realServers = Number(process.argv[2] ?? 1000);
const scrapes = Number(process.argv[3] ?? 200);
const PER_VS = 10;

function configText(): string {
  const instances = Array.from(
    { length: 10 },
    (_, i) =>
      `vrrp_instance VI_${i} {\n  interface eth0\n  virtual_router_id ${i + 1}\n  virtual_ipaddress {\n    198.51.100.${i + 100}/24\n  }\n}\n`,
  );
  const services = Array.from({ length: Math.ceil(realServers / PER_VS) }, (_, v) => {
    const rs = Array.from(
      { length: PER_VS },
      (_, r) => `  real_server 203.0.${113 + (v >> 8)}.${r + 1} ${1000 + (v & 255)} {\n    TCP_CHECK {\n    }\n  }\n`,
    );
    return `virtual_server 198.51.100.${(v % 200) + 1} ${1000 + v} {\n  lb_kind NAT\n  protocol TCP\n${rs.join('')}}\n`;
  });
  return [...instances, ...services].join('');
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

const loaded = parseConfigText(configText(), 'bench.conf', { reader: createMemoryReader({}) });
if (!loaded.config) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
const store = new StateStore('bench.conf', loaded.config, [], [], new Date());
const now = Date.now();
store.readHealthFrom(() => ({ alive: true, checked: true, since: now, lastCheckAt: now, lastLatencyMs: 1.5 }));
const identity = {
  version: 'bench',
  pid: process.pid,
  startedAt: new Date(),
  socket: '',
  readOnlySocket: '',
  stateDir: '',
};
const kernel = {
  weight: 1,
  activeConns: 3,
  inactiveConns: 1,
  persistConns: 0,
  stats: {
    connections: 123456,
    packetsIn: 9876543,
    packetsOut: 8765432,
    bytesIn: 1234567890,
    bytesOut: 987654321,
    connectionRate: 0,
    packetRateIn: 0,
    packetRateOut: 0,
    byteRateIn: 0,
    byteRateOut: 0,
  },
};

global.gc?.();
const before = process.memoryUsage();
const { MetricsRegistry } = await import('../src/daemon/metrics-registry.js');
const registry = new MetricsRegistry();
global.gc?.();
const loadedMemory = process.memoryUsage();

// A status as IPVS would fill it: every real server in the kernel, so every series is there.
const status = await buildStatus(store, identity, new Date());
for (const vs of status.virtualServers) for (const rs of vs.realServers) rs.kernel = kernel;

let body = '';
// How long a turn of the event loop the scrapes hold at most: VRRP's timers wait that long.
// Measured once warm: the first scrapes compile prom-client's code.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
let projectionMs = 0;
let renderMs = 0;
for (let i = 0; i < scrapes; i++) {
  if (i === 10) loopDelay.enable();
  const projecting = process.cpuUsage();
  await buildStatus(store, identity, new Date());
  projectionMs += cpuMs(projecting);
  const rendering = process.cpuUsage();
  body = (await registry.render(metricFamilies(status, { accepted: 0, rejected: 0 }))).body;
  renderMs += cpuMs(rendering);
}
loopDelay.disable();
global.gc?.();
const afterMemory = process.memoryUsage();
const series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;

console.log(
  `${realServers} real servers, 10 instances: ${series} series, ${(body.length / 1024).toFixed(0)} KiB a scrape`,
);
console.log(
  `CPU a scrape: status projection ${(projectionMs / scrapes).toFixed(1)} ms (what GET /v1/status costs too)`,
);
console.log(`              mapping + prom-client render ${(renderMs / scrapes).toFixed(1)} ms`);
console.log(
  `event-loop delay while scraping: p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
);
const memory = (what: string, m: NodeJS.MemoryUsage) =>
  `${what}: heap used ${mib(m.heapUsed)} MiB (after a full GC), RSS ${mib(m.rss)} MiB`;
console.log(memory('before prom-client', before));
console.log(memory('prom-client loaded', loadedMemory));
console.log(memory(`after ${scrapes} scrapes`, afterMemory));
