// A client that misbehaves on vigild's socket, run as its own process (the tests start it as
// uid 65534 against the read-only socket). It prints one JSON line per thing worth asserting.
//
//   pipeline SOCKET N    N pipelined GET /v1/events on one connection, then a close
//   stuck SOCKET         an event stream that reads `hello`, then stops reading until a line on
//                        stdin; then prints every event
//   hold SOCKET N        N event streams held open, then one GET /v1/status; holds until stdin ends
//   half-header SOCKET   half a request header, then silence: prints the answer and how long it took
import net from 'node:net';
import { createInterface } from 'node:readline';
import { VigilClient } from '../../src/api/client.js';

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const stdinLine = () => new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const stdinEnd = () => new Promise<void>((resolve) => process.stdin.once('end', resolve).resume());

/** Opens a connection, sends `payload`, and resolves with everything read until `until` holds or the peer closes. */
function exchange(socket: string, payload: string, until: (reply: string) => boolean = () => false) {
  return new Promise<{ conn: net.Socket; reply: string }>((resolve) => {
    const conn = net.connect(socket);
    let reply = '';
    const done = () => resolve({ conn, reply });
    conn.on('data', (d) => {
      reply += d;
      if (until(reply)) done();
    });
    conn.on('error', done);
    conn.on('close', done);
    conn.write(payload);
  });
}

const eventsRequest = 'GET /v1/events HTTP/1.1\r\nHost: vigild\r\n\r\n';

async function pipeline(socket: string, count: number): Promise<void> {
  const { conn, reply } = await exchange(socket, eventsRequest.repeat(count), (r) => r.includes('event: hello'));
  conn.destroy();
  print({ closed: true, received: reply.length });
}

async function stuck(socket: string): Promise<void> {
  const client = new VigilClient({ socket });
  const events = client.events();
  const first = await events.next();
  print(first.value);
  await stdinLine();
  for await (const event of events) print(event);
}

async function hold(socket: string, count: number): Promise<void> {
  const streams = await Promise.all(
    Array.from({ length: count }, () => exchange(socket, eventsRequest, (r) => r.includes('event: hello'))),
  );
  print({ held: streams.filter((s) => s.reply.startsWith('HTTP/1.1 200')).length });
  const extra = await exchange(socket, 'GET /v1/status HTTP/1.1\r\nHost: vigild\r\nConnection: close\r\n\r\n');
  print({ reply: extra.reply });
  await stdinEnd();
  for (const { conn } of streams) conn.destroy();
}

async function halfHeader(socket: string): Promise<void> {
  const started = Date.now();
  const { reply } = await exchange(socket, 'GET /v1/status HTTP/1.1\r\nHost: vig');
  print({ reply, ms: Date.now() - started });
}

const [mode, socket = '', count = '0'] = process.argv.slice(2);
const modes: Record<string, () => Promise<void>> = {
  pipeline: () => pipeline(socket, Number(count)),
  stuck: () => stuck(socket),
  hold: () => hold(socket, Number(count)),
  'half-header': () => halfHeader(socket),
};
const run = modes[mode ?? ''];
if (!run) {
  process.stderr.write(`usage: hostile-client ${Object.keys(modes).join('|')} SOCKET [N]\n`);
  process.exit(2);
}
await run();
