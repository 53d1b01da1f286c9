// `npm run demo`: vigil in a throwaway network-namespace lab, on shipped examples. On a terminal
// it is live (./live.ts): a load balancer with two directors and two web servers, `vigil monitor`
// attached to director 1, and keys that break things. Without a terminal (or with --tour) it is a
// scripted failover tour (./tour.ts). Needs root, node and iproute2 (bash and coreutils come with
// every Debian): no nft, ping, tcpdump or keepalived. Everything it builds goes when it ends, on
// Ctrl-C, SIGTERM, SIGHUP and on a crash too, and nothing outside the lab is touched.
import { labUnavailable } from '../lab/lab.js';
import { runLive } from './live.js';
import { runTour } from './tour.js';

const unavailable = await labUnavailable();
if (unavailable) {
  console.error(`demo: ${unavailable}${process.getuid?.() === 0 ? '' : ' (try: sudo npm run demo)'}`);
  process.exit(1);
}

const onTerminal = process.stdout.isTTY && process.stdin.isTTY && !process.argv.includes('--tour');
await (onTerminal ? runLive() : runTour());
