// TCP_CHECK against real sockets on this host: an open port, a closed one, source addresses,
// and a listener that never answers.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { probeTcp } from '../../../src/check/tcp.js';

/** A listener on 127.0.0.1 that records where each connection came from. */
function listen(): Promise<{ server: net.Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const server = net.createServer((socket) => {
    peers.push(socket.remoteAddress!);
    socket.destroy();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port, peers })),
  );
}

/**
 * A listener that never accepts: it listens in a worker whose thread then blocks. Once its
 * small backlog is full the kernel drops new SYNs, so a connect neither succeeds nor fails.
 * (An unrouted address would do on some hosts, but others answer for any address.)
 */
async function unresponsiveListener(): Promise<{ port: number; close(): Promise<void> }> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData: release } = require('node:worker_threads');
     const server = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(release, 0, 0);
       server.close();
     });`,
    { eval: true, workerData: release },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  return {
    port,
    async close() {
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
      await worker.terminate();
    },
  };
}

/** A port nothing listens on: one that was just in use and is now closed. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('probeTcp', () => {
  let open: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    open = await listen();
  });
  after(() => open.server.close());

  test('an established connection passes', async () => {
    const outcome = await probeTcp({ host: '127.0.0.1', port: open.port, timeoutMs: 2000 });
    assert.equal(outcome.ok, true);
    assert.ok(outcome.latencyMs >= 0 && outcome.latencyMs < 2000);
  });

  test('connects from bindto when set', async () => {
    // All of 127.0.0.0/8 is on lo, so 127.0.0.2 is a local address to connect from.
    const outcome = await probeTcp({ host: '127.0.0.1', port: open.port, bindTo: '127.0.0.2', timeoutMs: 2000 });
    assert.equal(outcome.ok, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(open.peers.at(-1), '127.0.0.2');
  });

  test('a closed port fails: connection refused', async () => {
    const outcome = await probeTcp({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 2000 });
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.reason, 'connection refused');
  });

  test('a source address this host does not have fails, saying why', async () => {
    const outcome = await probeTcp({ host: '127.0.0.1', port: open.port, bindTo: '192.0.2.1', timeoutMs: 2000 });
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.reason, 'cannot connect from 192.0.2.1: not an address of this host');
  });

  test('no answer fails after connect_timeout, promptly', async () => {
    const silent = await unresponsiveListener();
    try {
      // Connections complete into its backlog until that is full; after that SYNs go unanswered.
      for (let i = 0; i < 10 && (await probeTcp({ host: '127.0.0.1', port: silent.port, timeoutMs: 100 })).ok; i++);
      const started = performance.now();
      const outcome = await probeTcp({ host: '127.0.0.1', port: silent.port, timeoutMs: 200 });
      const elapsed = performance.now() - started;
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.reason, 'timed out after 0.2 s');
      assert.ok(elapsed >= 190 && elapsed < 1000, `gave up after ${elapsed} ms`);
    } finally {
      await silent.close();
    }
  });
});
