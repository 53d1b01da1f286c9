// vigild as a drop-in for keepalived's health checkers, on a real kernel: one keepalived.conf
// with every checker keepalived has (but BFD), each over a pair of real servers, one that passes
// and one that fails; keepalived 2.2.7 and then vigild run it, and the IPVS tables they settle
// on are the same: the passing server of each pair in, the failing one out.
//
// The real servers are two addresses on a dummy interface in the guest (203.0.113.1 passes,
// .2 fails; .3 has no host behind it, for PING_CHECK), served by this test's own responders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startKeepalived } from '../../lab/keepalived.js';
import { DaemonProcess } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { HttpResponder } from '../integration/net/fixtures/http-responder.js';
import { dnsResponder, type Responder, smtpResponder } from '../integration/net/fixtures/responders.js';
import { listing, outsideVm } from './lvs-lab.js';

const LINK = 'vchk0';
const UP = '203.0.113.1';
const DOWN = '203.0.113.2';
const NOBODY = '203.0.113.3';
const VIP = '198.51.100.80';
const PORTS = { tcp: 7000, udp: 7001, ping: 7002, misc: 7003, file: 7004, http: 80, https: 443, smtp: 25, dns: 53 };

// One check a second, one failure is enough: both daemons settle in seconds.
const TIMING = 'connect_timeout 1\n      delay_loop 1\n      delay_before_retry 1\n      retry 0\n      warmup 0';

/** A NAT service VIP:port over `servers`, the i-th checked by `checker(i)` (0: the passing one). */
function service(protocol: 'TCP' | 'UDP', port: number, servers: [string, number][], checker: (i: number) => string) {
  const reals = servers.map(
    ([address, realPort], i) => `  real_server ${address} ${realPort} {\n    ${checker(i)}\n  }\n`,
  );
  return `virtual_server ${VIP} ${port} {\n  protocol ${protocol}\n  lb_kind NAT\n${reals.join('')}}\n`;
}
const pair = (port: number): [string, number][] => [
  [UP, port],
  [DOWN, port],
];
const block = (name: string, body = '') => `${name} {\n      ${body}${body && '\n      '}${TIMING}\n    }`;
const url = 'url {\n        path /health\n        status_code 200\n      }';

// How the failing server of each pair fails: TCP refused; HTTP and SSL answer 500; SMTP greets
// 554; DNS answers NXDOMAIN; UDP replies "no" where "ok:" is required; PING to an address with
// no host; MISC exits 1; FILE's track_file holds 1 (weight 0: non-zero is down).
const config = (dir: string) =>
  [
    ...['up', 'down'].map((name) => `track_file ${name} {\n  file ${path.join(dir, name)}\n  weight 0\n}\n`),
    service('TCP', PORTS.tcp, pair(PORTS.tcp), () => block('TCP_CHECK')),
    service('TCP', PORTS.http, pair(PORTS.http), () => block('HTTP_GET', url)),
    service('TCP', PORTS.https, pair(PORTS.https), () => block('SSL_GET', url)),
    service('TCP', PORTS.smtp, pair(PORTS.smtp), () => block('SMTP_CHECK', 'helo_name lb1.example.net')),
    service('UDP', PORTS.dns, pair(PORTS.dns), () => block('DNS_CHECK', 'type A\n      name www.example.net')),
    service('UDP', PORTS.udp, pair(PORTS.udp), () => block('UDP_CHECK', 'payload 6869\n      require_reply 6f6b3a')),
    service(
      'TCP',
      PORTS.ping,
      [
        [UP, PORTS.ping],
        [NOBODY, PORTS.ping],
      ],
      () => block('PING_CHECK'),
    ),
    service('TCP', PORTS.misc, pair(PORTS.misc), (i) =>
      block('MISC_CHECK', `misc_path "${i === 0 ? '/bin/true' : '/bin/false'}"`),
    ),
    service(
      'TCP',
      PORTS.file,
      pair(PORTS.file),
      (i) => `FILE_CHECK {\n      track_file ${i === 0 ? 'up' : 'down'}\n    }`,
    ),
  ].join('');

/** What each pair leaves: the passing server alone, in every service. */
const EXPECTED_DESTINATIONS = Object.values(PORTS).map((port) => `${UP}:${port}`);

/**
 * The table once it has not changed for 5 s (five rounds of one-second checks) and is not empty:
 * every checker has given its verdict, and the failing servers' removals are done.
 */
async function settledTable(what: string, log: () => string): Promise<string[]> {
  const QUIET_MS = 5000;
  let seen: string[] = [];
  let since = Date.now();
  await pollUntil(
    async () => {
      await new Promise((r) => setTimeout(r, 250));
      const now = await listing();
      if (JSON.stringify(now) !== JSON.stringify(seen)) [seen, since] = [now, Date.now()];
      return seen.length > 0 && Date.now() - since >= QUIET_MS;
    },
    () => `${what}: ${JSON.stringify(seen)}\n${log()}`,
    45_000,
  );
  return seen;
}

/** A TCP listener that accepts and closes: all TCP_CHECK asks for. */
function tcpListener(address: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
}

/** A UDP server answering "ok:" and the datagram (`right`), or "no". */
function udpResponder(address: string, port: number, right: boolean): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, from) => {
    socket.send(right ? Buffer.concat([Buffer.from('ok:'), message]) : Buffer.from('no'), from.port, from.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => resolve(socket));
  });
}

describe('keepalived and vigild run every checker alike', { skip: outsideVm }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-checkers-'));
  const configPath = path.join(dir, 'keepalived.conf');
  const closers: (() => void)[] = [];

  before(async () => {
    execFileSync('ip', ['link', 'add', LINK, 'type', 'dummy']);
    for (const address of [UP, DOWN]) execFileSync('ip', ['addr', 'add', `${address}/24`, 'dev', LINK]);
    execFileSync('ip', ['link', 'set', LINK, 'up']);
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=www.example.com',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const web = {
      httpPort: PORTS.http,
      httpsPort: PORTS.https,
      cert: readFileSync(cert, 'utf8'),
      key: readFileSync(key, 'utf8'),
    };
    const [upWeb, downWeb] = await Promise.all([
      HttpResponder.start({ ...web, host: UP }),
      HttpResponder.start({ ...web, host: DOWN }),
    ]);
    downWeb.behaviour = { ...downWeb.behaviour, status: 500 };
    const responders: Responder[] = await Promise.all([
      smtpResponder(UP, PORTS.smtp, 'ok'),
      smtpResponder(DOWN, PORTS.smtp, 'bad-greeting'),
      dnsResponder(UP, PORTS.dns, 'ok'),
      dnsResponder(DOWN, PORTS.dns, 'nxdomain'),
    ]);
    const tcp = await tcpListener(UP, PORTS.tcp);
    const udp = await Promise.all([udpResponder(UP, PORTS.udp, true), udpResponder(DOWN, PORTS.udp, false)]);
    closers.push(
      () => upWeb.close(),
      () => downWeb.close(),
      ...responders.map((r) => () => r.close()),
      () => tcp.close(),
      ...udp.map((s) => () => s.close()),
    );
    writeFileSync(path.join(dir, 'up'), '0\n');
    writeFileSync(path.join(dir, 'down'), '1\n');
    writeFileSync(configPath, config(dir));
  });
  after(() => {
    for (const close of closers) close();
    execFileSync('ip', ['link', 'del', LINK]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('TCP, HTTP, SSL, SMTP, DNS, UDP, PING, MISC and FILE checks: vigild leaves exactly the table keepalived does', async () => {
    const keepalived = startKeepalived(dir, configPath);
    let keepalivedTable: string[];
    try {
      keepalivedTable = await settledTable("keepalived's table", keepalived.log);
    } finally {
      await keepalived.stop();
    }
    const destinations = keepalivedTable.filter((l) => l.startsWith('-> ')).map((l) => l.split(' ')[1]);
    assert.deepEqual(destinations.sort(), [...EXPECTED_DESTINATIONS].sort(), 'keepalived: each passing server alone');
    assert.deepEqual(await listing(), [], 'keepalived removes its table on stop');

    const daemon = new DaemonProcess({ configPath });
    try {
      await daemon.start();
      assert.deepEqual(await settledTable("vigild's table", () => daemon.log), keepalivedTable);
      await daemon.stop();
    } finally {
      await daemon.cleanup();
    }
  });
});
