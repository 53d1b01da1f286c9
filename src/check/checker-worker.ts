// The worker thread of checker-thread.ts: a HealthChecker with real time, sockets and
// processes, driven by the daemon's messages and answering with verdicts.
import { parentPort, workerData } from 'node:worker_threads';
import { processClock } from '../clock.js';
import { ChildProcessLauncher } from '../scripts/launcher.js';
import { setThreadNice, threadNice } from '../thread-priority.js';
import type { CheckerWorkerData, FromChecker, ToChecker } from './checker-thread.js';
import { HealthChecker, type RealServerHealth, type RealServerTarget } from './health-checker.js';

const port = parentPort;
if (!port) throw new Error('checker-worker.js runs only as the checker thread of vigild');
const { policy, nice } = workerData as CheckerWorkerData;

// checker_priority, or the nice value the daemon started with (not the main thread's vrrp_priority).
if (nice !== undefined && nice !== threadNice()) {
  try {
    setThreadNice(nice);
  } catch {
    // Refused (not root, or not Linux): the checks run at the priority they inherited.
  }
}
const post = (message: FromChecker) => port.postMessage(message);

/** Each server's slot in the shared last-check memory of the latest update. */
let slots = new Map<string, number>();
let lastChecks: Float64Array<ArrayBufferLike> = new Float64Array(0);

const checker = new HealthChecker(
  { clock: processClock, wallClock: Date.now, random: Math.random, launcher: new ChildProcessLauncher(policy) },
  (id, health, previous) => post({ type: 'changed', id, health, previous }),
  (id, health) => recordCheck(id, health),
);

function recordCheck(id: string, health: RealServerHealth): void {
  const slot = slots.get(id);
  if (slot === undefined || health.lastCheckAt === undefined) return;
  lastChecks[2 * slot] = health.lastLatencyMs ?? 0;
  lastChecks[2 * slot + 1] = health.lastCheckAt;
}

function update(targets: readonly RealServerTarget[]): void {
  checker.update(targets);
  const health: [string, RealServerHealth][] = [];
  const seen = new Set<string>();
  for (const { id } of targets) {
    const server = checker.health(id);
    if (server && !seen.has(id)) health.push([id, server]);
    seen.add(id);
  }
  const memory = new SharedArrayBuffer(health.length * 2 * Float64Array.BYTES_PER_ELEMENT);
  slots = new Map(health.map(([id], i) => [id, i]));
  lastChecks = new Float64Array(memory).fill(Number.NaN);
  for (const [id, server] of health) recordCheck(id, server);
  post({ type: 'updated', health, lastChecks: memory });
}

port.on('message', (message: ToChecker) => {
  switch (message.type) {
    case 'update':
      update(message.targets);
      return;
    case 'trackFile':
      checker.trackFileChanged(message.file, message.value);
      return;
    case 'checkNow':
      void (checker.checkNow(message.id) ?? Promise.resolve(undefined)).then(
        (result) => post({ type: 'checkedNow', request: message.request, result }),
        (err: unknown) => post({ type: 'checkedNow', request: message.request, error: String(err) }),
      );
      return;
    case 'stop':
      checker.stop();
      post({ type: 'stopped' });
      port.close();
      return;
  }
});
