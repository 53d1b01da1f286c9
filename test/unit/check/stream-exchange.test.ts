// The checks' batched native exchanges against real sockets on this host: many at once keep
// their own bytes, a cancel from a handler ends only its own exchange, and a process whose
// exchanges are over exits by itself (the engine stops polling when idle).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ExchangeHandlers, openExchange } from '../../../src/check/stream-exchange.js';

/** A server that answers each request with `reply:` and the request's bytes, then closes. */
function echoServer(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (request) => socket.end(Buffer.concat([Buffer.from('reply:'), request])));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })),
  );
}

/** The bytes an exchange received and how it ended. */
function exchangeOnce(port: number, request: Buffer | undefined): Promise<{ bytes: Buffer; ended: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const handlers: ExchangeHandlers = {
      connected: () => {
        if (!request) resolve({ bytes: Buffer.alloc(0), ended: 'connected' });
      },
      data: (chunk) => chunks.push(Buffer.from(chunk)),
      end: () => resolve({ bytes: Buffer.concat(chunks), ended: 'end' }),
      failed: (err) => resolve({ bytes: Buffer.concat(chunks), ended: err.code ?? 'failed' }),
    };
    openExchange({ host: '127.0.0.1', port }, request, handlers);
  });
}

describe('stream exchanges', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  before(async () => {
    echo = await echoServer();
  });
  after(() => echo.server.close());

  test('300 exchanges at once each get the reply to their own request', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => exchangeOnce(echo.port, Buffer.from(`request ${i}`))),
    );
    results.forEach(({ bytes, ended }, i) => {
      assert.equal(ended, 'end');
      assert.equal(bytes.toString(), `reply:request ${i}`);
    });
  });

  test('a connect-only exchange ends at connected; a refused one fails with ECONNREFUSED', async () => {
    assert.equal((await exchangeOnce(echo.port, undefined)).ended, 'connected');
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    assert.equal((await exchangeOnce(port, Buffer.from('x'))).ended, 'ECONNREFUSED');
  });

  test('cancelling from a handler ends that exchange only, and nothing of it is heard after', async () => {
    const heard: string[] = [];
    await new Promise<void>((resolve) => {
      const first = openExchange({ host: '127.0.0.1', port: echo.port }, Buffer.from('one'), {
        connected: () => heard.push('first connected'),
        data: () => {
          heard.push('first data');
          first.cancel();
          // Opened at once, it may reuse the slot the cancel freed.
          openExchange({ host: '127.0.0.1', port: echo.port }, Buffer.from('two'), {
            connected: () => heard.push('second connected'),
            data: (chunk) => heard.push(`second data ${chunk}`),
            end: () => resolve(),
            failed: (err) => assert.fail(err.message),
          });
        },
        end: () => heard.push('first end'),
        failed: () => heard.push('first failed'),
      });
    });
    assert.deepEqual(heard, ['first connected', 'first data', 'second connected', 'second data reply:two']);
  });

  test('a bind to an address this host lacks is thrown at once, as the bind that failed', () => {
    assert.throws(
      () =>
        openExchange({ host: '127.0.0.1', port: echo.port, bindTo: '203.0.113.1' }, undefined, {
          connected: () => {},
          data: () => {},
          end: () => {},
          failed: () => {},
        }),
      { code: 'EADDRNOTAVAIL', syscall: 'bind' },
    );
  });

  test('a process exits by itself once its exchanges are over', async () => {
    const module = fileURLToPath(new URL('../../../src/check/tcp.js', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(({ probeTcp }) =>
      probeTcp({ host: '127.0.0.1', port: ${echo.port}, timeoutMs: 2000 })).then((o) => console.log(o.ok))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 10_000 });
    assert.equal(stdout.trim(), 'true');
  });
});
