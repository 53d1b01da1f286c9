// A client of the demo's load balancer, in a lab node: `ip netns exec NS node http-client.js
// ADDRESS INTERVAL_MS` asks http://ADDRESS/ every INTERVAL_MS on a new connection each time (so
// that IPVS spreads them over the real servers as it would spread many clients), and prints one
// line per request: `ok NAME` with the real server that answered (./web-server.ts says which),
// or `failed REASON` (refused, timed out, an HTTP error). A request unanswered within 1 s failed.
import http from 'node:http';

const TIMEOUT_MS = 1000;

function ask(address: string): void {
  const request = http.get({ host: address, port: 80, path: '/', agent: false, timeout: TIMEOUT_MS }, (response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => (body += chunk));
    response.on('end', () => {
      const server = /served by (\S+)/.exec(body)?.[1];
      console.log(response.statusCode === 200 && server ? `ok ${server}` : `failed HTTP ${response.statusCode}`);
    });
  });
  request.on('timeout', () => request.destroy(new Error('timed out')));
  request.on('error', (error: NodeJS.ErrnoException) => console.log(`failed ${error.code ?? error.message}`));
}

if (process.argv[1]?.endsWith('http-client.js')) {
  const [address = '', interval] = process.argv.slice(2);
  setInterval(() => ask(address), Number(interval));
}
