// Run inside a lab node by VipProbe (`ip netns exec NS node answer-probe.js ADDRESS INTERVAL_MS`):
// asks ADDRESS for an answer every INTERVAL_MS and prints, one a line, when each answer came (ms since the
// epoch), followed by when it was asked; each ask is printed as it is made too (`asked` and the time),
// so that asks lost in any way (no answer, an error) still show. An answer is the kernel's reply to a TCP SYN for a port where nothing listens: the RST
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
  process.stdout.write(`asked ${askedAt}\n`);
  const socket = net.connect({ host: address, port: PORT });
  const answered = () => {
    process.stdout.write(`${nowMs()} ${askedAt}\n`);
    socket.destroy();
  };
  socket.setTimeout(LOST_AFTER_MS, () => socket.destroy());
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
