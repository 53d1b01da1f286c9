// The health checker in its worker thread, with real TCP_CHECKs on loopback: verdicts and their
// changes reach this thread, each check's time and latency show without a message, checkNow
// answers, a reload keeps what it keeps, and a worker that dies is started again.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CheckerThread } from '../../../src/check/checker-thread.js';
import type { RealServerHealth, RealServerTarget } from '../../../src/check/health-checker.js';
import type { TcpCheck } from '../../../src/config/index.js';

const pos = { file: 'k.conf', line: 1, col: 1 };
/** A thread's nice value (field 19 of its stat line). */
const niceOf = (tid: string) => {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};
const tcpCheck = (port: number): TcpCheck => ({
  type: 'TCP_CHECK',
  pos,
  retry: 0,
  delayBeforeRetry: 0.1,
  warmup: 0,
  delayLoop: 0.2,
  alpha: false,
  connectTimeout: 1,
  connectPort: port,
});
const target = (id: string, port: number): RealServerTarget => ({
  id,
  address: '127.0.0.1',
  port,
  weight: 1,
  checkers: [tcpCheck(port)],
});

const listen = () =>
  new Promise<net.Server>((resolve) => {
    const server = net.createServer((s) => s.destroy());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Change {
  id: string;
  health: RealServerHealth;
  previous: RealServerHealth;
}

function thread(options: { workerUrl?: URL; nice?: number } = {}) {
  const changes: Change[] = [];
  const failures: Error[] = [];
  const checker = new CheckerThread({
    policy: { enableScriptSecurity: false },
    onChange: (id, health, previous) => changes.push({ id, health, previous }),
    onFailure: (err) => failures.push(err),
    ...options,
  });
  return { checker, changes, failures };
}

describe('the checker thread', () => {
  let up: net.Server;
  let down: net.Server;
  before(async () => {
    [up, down] = await Promise.all([listen(), listen()]);
  });
  after(async () => {
    await close(up);
    if (down.listening) await close(down);
  });

  test('reports verdict changes, shows each check, answers checkNow and keeps servers across a reload', async () => {
    const { checker, changes } = thread();
    try {
      await checker.update([target('a', portOf(up)), target('b', portOf(down))]);
      assert.equal(checker.health('a')?.alive, true, 'a new server starts alive (no alpha)');
      assert.equal(checker.health('nope'), undefined);

      const first = await until('a check of a', () => checker.health('a')?.lastCheckAt);
      await until('a later check of a', () => ((checker.health('a')?.lastCheckAt ?? 0) > first ? true : undefined));
      assert.ok((checker.health('a')?.lastLatencyMs ?? -1) >= 0);

      const port = portOf(down);
      await close(down);
      const change = await until('b going down', () => changes.find((c) => c.id === 'b'));
      assert.equal(change.health.alive, false);
      assert.match(change.health.reason ?? '', /TCP_CHECK: connection refused/);
      assert.equal(checker.health('b')?.alive, false);

      const now = await checker.checkNow('b');
      assert.deepEqual(
        now?.checkers.map((c) => [c.type, c.ok]),
        [['TCP_CHECK', false]],
      );
      assert.equal(checker.checkNow('nope'), undefined);

      // A reload that keeps b (same definition) keeps its verdict; a removed server is gone.
      await checker.update([target('b', port)]);
      assert.equal(checker.health('b')?.alive, false);
      assert.ok(checker.health('b')?.lastCheckAt !== undefined, 'the last check is kept across the reload');
      assert.equal(checker.health('a'), undefined);
    } finally {
      await checker.stop();
    }
  });

  test('a worker that dies is started again, and what its fresh start changed is reported', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-checker-'));
    process.env.CRASHING_CHECKER_MARKER = path.join(dir, 'crashed');
    const workerUrl = new URL('../../helpers/crashing-checker-worker.js', import.meta.url);
    const { checker, changes, failures } = thread({ workerUrl });
    try {
      const dead = await listen();
      const port = portOf(dead);
      await close(dead);
      await checker.update([target('gone', port)]);
      await until('gone going down', () => changes.find((c) => c.id === 'gone' && !c.health.alive));
      const failure = await until('the failure', () => failures[0]);
      assert.match(failure.message, /a checker bug/);
      // The new worker starts the server afresh (alive), which is a change, then finds it down again.
      await until('the restart reporting gone alive', () =>
        changes.find((c) => c.id === 'gone' && c.health.alive && !c.previous.alive),
      );
      await until('gone down again', () => (changes.at(-1)?.health.alive === false ? true : undefined));
      assert.equal(failures.length, 1);
    } finally {
      await checker.stop();
      delete process.env.CRASHING_CHECKER_MARKER;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a burst of changes reaches the daemon at most 100 a turn of its event loop', async () => {
    const closed = await listen();
    const refused = portOf(closed);
    await close(closed);
    const perTurn = new Map<number, number>();
    let turn = 0;
    let ticker = setImmediate(function tick() {
      turn++;
      ticker = setImmediate(tick);
    });
    const checker = new CheckerThread({
      policy: { enableScriptSecurity: false },
      onChange: () => perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1),
      onFailure: (err) => assert.fail(err),
    });
    try {
      await checker.update(Array.from({ length: 2000 }, (_, i) => target(`rs${i}`, refused)));
      await until('2,000 servers down', () =>
        [...perTurn.values()].reduce((a, b) => a + b, 0) >= 2000 ? true : undefined,
      );
      assert.ok(Math.max(...perTurn.values()) <= 100, `at most 100 a turn: ${[...perTurn.values()]}`);
    } finally {
      clearImmediate(ticker);
      await checker.stop();
    }
  });

  test('no thread until there is a server to check', async () => {
    const threads = () => readdirSync('/proc/self/task').length;
    const { checker } = thread();
    try {
      const before = threads();
      await checker.update([]);
      assert.equal(threads(), before, 'a daemon with no real server runs no checker thread');
      await checker.update([{ ...target('bare', portOf(up)), checkers: [] }]);
      assert.equal(threads(), before, 'nor one whose real servers have no checker');
      assert.deepEqual(
        { ...checker.health('bare'), since: 0 },
        { alive: true, since: 0, checked: false },
        'such a server is alive and unchecked, as the checker would start it',
      );
      await checker.update([target('a', portOf(up))]);
      assert.ok(threads() > before, 'the first server starts it');
      assert.ok(
        readdirSync('/proc/self/task').every((tid) => niceOf(tid) === niceOf(String(process.pid))),
        'with no checker_priority the checks run at the priority of the thread that started them',
      );
      assert.equal(checker.health('a')?.alive, true);
    } finally {
      await checker.stop();
    }
  });

  test("checker_priority: the checks run at its nice value, the daemon's thread as it was", async () => {
    const main = niceOf(String(process.pid));
    const nice = Math.min(19, main + 7);
    const before = new Set(readdirSync('/proc/self/task'));
    const { checker } = thread({ nice });
    try {
      await checker.update([target('a', portOf(up))]);
      const started = readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
      assert.ok(
        started.some((tid) => niceOf(tid) === nice),
        `a new thread at nice ${nice}`,
      );
      assert.equal(niceOf(String(process.pid)), main);
    } finally {
      await checker.stop();
    }
  });

  test('stop ends the worker and later calls are harmless', async () => {
    const { checker } = thread();
    await checker.update([target('a', portOf(up))]);
    await checker.stop();
    await checker.stop();
  });
});
