// A real server's web service in a lab node, for the demo's load balancer and its tests: run as
// `ip netns exec NS node web-server.js NAME`, it listens on port 80 of every address (its own,
// for the directors' health checks, and the VIP on its loopback, for the clients that direct
// routing sends it), answers /health with `ok` and any other path with `served by NAME`. It
// prints `{"listening":80}` once it serves, and serves until killed. Node's http module only:
// no web server package is needed in the lab.
import http from 'node:http';

export const WEB_PORT = 80;

const name = process.argv[2] ?? 'web';

const server = http.createServer((request, response) => {
  const body = request.url === '/health' ? 'ok\n' : `served by ${name}\n`;
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});

if (process.argv[1]?.endsWith('web-server.js')) {
  server.listen(WEB_PORT, () => console.log(JSON.stringify({ listening: WEB_PORT })));
}
