// The /metrics listener on 127.0.0.1: what any client that reaches the port can and cannot make
// vigild do. Connections beyond the cap are closed, a client that never finishes its headers is
// cut, and scrapes that arrive during a render share it.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { StatusResponse } from '../../../src/api/schema.js';
import type { Config } from '../../../src/config/index.js';
import { MAX_METRICS_CONNECTIONS } from '../../../src/daemon/metrics-server.js';
import { MetricsService } from '../../../src/daemon/metrics-service.js';
import type { StateStore } from '../../../src/daemon/store.js';
import { parseScrape } from '../../helpers/prometheus-text.js';

const PORT = 20_000 + Math.floor(Math.random() * 20_000);

const STATUS: StatusResponse = {
  apiVersion: 1,
  daemon: {
    version: 'test',
    pid: 1,
    startedAt: '2026-12-01T00:00:00.000Z',
    uptimeSeconds: 1,
    socket: '',
    readOnlySocket: '',
    stateDir: '',
  },
  config: { path: '', files: [], loadedAt: '2026-12-01T00:00:00.000Z', generation: 1, warnings: [] },
  instances: [],
  ipvs: { available: false, ownedServices: 0 },
  virtualServers: [],
};

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: PORT, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** A connection that says nothing; resolves with what the server sent before it closed. */
function idle(): Promise<{ socket: net.Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(PORT, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d));
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('the /metrics listener', () => {
  let statusCalls = 0;
  /** While set, status waits for it: a render under way. */
  let gate: Promise<void> | undefined;
  const service = new MetricsService({
    store: { subscribe: () => () => undefined } as unknown as StateStore,
    status: async () => {
      statusCalls++;
      await gate;
      return STATUS;
    },
    log: pino({ level: 'silent' }),
  });

  before(async () => {
    await service.follow({ global: { metricsListen: { address: '127.0.0.1', port: PORT } } } as Config);
  });
  after(() => service.close());

  it('serves a scrape a Prometheus parser reads', async () => {
    const { status, body } = await get('/metrics?name[]=ignored');
    assert.equal(status, 200);
    assert.equal(parseScrape(body).value('keepalived_up'), 1);
  });

  it('renders once for the scrapes that come while a render is under way', async () => {
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    statusCalls = 0;
    const scrapes = Promise.all([get('/metrics'), get('/metrics'), get('/metrics')]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    gate = undefined;
    open();
    const answers = await scrapes;
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    assert.equal(statusCalls, 1);
  });

  it(`closes connections beyond ${MAX_METRICS_CONNECTIONS} unanswered, and serves again once they go`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_METRICS_CONNECTIONS }, idle));
    const over = await idle();
    assert.equal(await over.closed, '');
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    assert.equal((await get('/metrics')).status, 200);
  });

  it('cuts a client that never finishes its headers', async () => {
    const slow = await idle();
    slow.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const answer = await slow.closed;
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - started < 9_000, `cut after ${Date.now() - started} ms`);
  });
});
