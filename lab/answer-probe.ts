// Run inside a lab node by VipProbe (`ip netns exec NS node answer-probe.js ADDRESS INTERVAL_MS`):
// asks ADDRESS for an answer every INTERVAL_MS and prints, one a line, when each answer came (ms since the
// epoch), followed by when it was asked; a lost ask is printed as `lost` and when it was asked. An answer is the kernel's reply to a TCP SYN for a port where nothing listens: the RST
// from whichever node holds the address. So no server runs on the routers, and neither ping
// (iputils-ping is not on every Debian) nor raw sockets are needed. A SYN unanswered within
// 200 ms counts as lost, as ping -W 0.2 would count it.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const LOST_AFTER_MS = 200;
/** The discard port: nothing listens on it in a lab node, so every answer is a RST. */
const PORT = 9;

const nowMs = () => (performance.timeOrigin + performance.now()).toFixed(3);

function ask(address: string): void {
  const askedAt = nowMs();
  const socket = net.connect({ host: address, port: PORT });
  const answered = () => {
    process.stdout.write(`${nowMs()} ${askedAt}\n`);
    socket.destroy();
  };
  socket.setTimeout(LOST_AFTER_MS, () => {
    process.stdout.write(`lost ${askedAt}\n`);
    socket.destroy();
  });
  socket.once('connect', answered);
  socket.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNREFUSED') answered();
  });
}

const [address = '', interval] = process.argv.slice(2);
if (net.isIP(address) && Number(interval) > 0) setInterval(() => ask(address), Number(interval));
else {
  console.error('usage: answer-probe.js ADDRESS INTERVAL_MS');
  process.exit(2);
}
