// Real servers for health-check benchmarks, run inside a lab node: one listener per port on
// [FIRST, FIRST + COUNT) of ADDRESS, except every tenth port, which nothing listens on (so its
// checks are refused). In `http` mode each connection gets a 200 reply to its request, in
// `tcp` mode it is closed at once. It prints `{"listening": N}` when it serves. Between SIGUSR1
// and SIGUSR2 each port's connections are timed; at SIGUSR2 it prints one JSON line: the
// connections in that window, and how late each one came against DELAY_MS after the port's
// one before, sorted. It serves until killed.
// Usage: node dist/lab/check-responder.js ADDRESS FIRST COUNT http|tcp DELAY_MS
import net from 'node:net';

const [address = '127.0.0.1', first, count, mode, delay] = process.argv.slice(2);
const firstPort = Number(first);
const delayMs = Number(delay);
const REPLY = 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n';

/** Whether checks of this port are refused: what the benches count as the down servers. */
export const refusedPort = (index: number) => index % 10 === 9;

const lastSeen = new Map<number, number>();
const lateness: number[] = [];
let connections = 0;
let measuring = false;

function timed(port: number): void {
  const now = performance.now();
  const last = lastSeen.get(port);
  lastSeen.set(port, now);
  if (!measuring) return;
  connections++;
  if (last !== undefined) lateness.push(now - last - delayMs);
}

function serve(socket: net.Socket): void {
  timed(socket.localPort ?? 0);
  socket.on('error', () => socket.destroy());
  if (mode === 'tcp') socket.destroy();
  else socket.once('data', () => socket.end(REPLY));
}

async function main(): Promise<void> {
  const listening: Promise<void>[] = [];
  for (let i = 0; i < Number(count); i++) {
    if (refusedPort(i)) continue;
    const server = net.createServer(serve);
    listening.push(
      new Promise((resolve) => server.listen({ host: address, port: firstPort + i, backlog: 64 }, resolve)),
    );
  }
  await Promise.all(listening);
  let started = 0;
  process.on('SIGUSR1', () => {
    [measuring, connections, lateness.length, started] = [true, 0, 0, performance.now()];
  });
  process.on('SIGUSR2', () => {
    measuring = false;
    const seconds = (performance.now() - started) / 1000;
    console.log(JSON.stringify({ connections, seconds, lateness: lateness.sort((a, b) => a - b) }));
  });
  console.log(JSON.stringify({ listening: listening.length }));
}

if (process.argv[1]?.endsWith('check-responder.js')) await main();
