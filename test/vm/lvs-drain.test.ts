// `vigil drain` and `vigil undrain` on a real IPVS director: a client holds a long-lived
// connection to one real server while short ones come and go. Drained, that server keeps its
// connection and gets no new one; drain --wait returns when the long one ends, not before; the
// drain survives kill -9 of vigild and a restart (weight 0 all along); undrain is refused while
// the server's checks fail, accepted with --force, and gives the configured weight back.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ipv4Of, type NodeName } from '../../lab/lab.js';
import { DaemonProcess, vigil, vigilBin, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { VigilClient } from '../../src/api/client.js';
import { type DaemonEvent, StatusResponse } from '../../src/api/schema.js';
import { DIRECTOR, destinationRows, LvsLab, outsideVm, VIP } from './lvs-lab.js';

// One check a second, one failure is enough.
const TCP_CHECK = 'TCP_CHECK {\n      connect_timeout 1\n      delay_loop 1\n      retry 0\n      warmup 0\n    }';
const WEIGHT = 2;
/** The guest emulates its CPU, ~20x slower, and slower still while the host is busy: waits are generous. */
const SLOW_MS = 60_000;
const START_MS = 240_000;

const config = `virtual_server ${VIP} 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
${(['r2', 'r3'] as const).map((node) => `  real_server ${ipv4Of(node)} 80 {\n    weight ${WEIGHT}\n    ${TCP_CHECK}\n  }`).join('\n')}
}
`;

// One keep-alive connection to the VIP, a GET on it every 300 ms (under the server's 5 s
// keep-alive timeout), each answer printed as `NAME LOCALPORT`; it ends when the process does.
const HOLDER = `const http = require('node:http'); const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = () => new Promise((resolve, reject) => http.get({ host: process.argv[1], agent, timeout: 5000 }, (r) => {
  const port = r.socket.localPort; let body = ''; r.on('data', (d) => (body += d)); r.on('end', () => resolve(body + ' ' + port));
}).on('error', reject));
(async () => { for (;;) { console.log(await get()); await new Promise((r) => setTimeout(r, 300)); } })()
  .catch((e) => { console.error(e.message); process.exit(1); });`;

// The weight of one real server of VIP:80 (or `absent`), read from the kernel every 50 ms over
// netlink by vigil's IPVS client (checked against ipvsadm by ipvs-client.test.ts). A loop of
// ipvsadm in a shell would sample only every 2 s or so in the guest, where each exec costs
// a second of emulated CPU, and would take that CPU from the vigild being restarted.
const SAMPLER = `const [clientModule, vip, address] = process.argv.slice(1);
const { IpvsClient } = await import(clientModule); const client = await IpvsClient.open();
const isVip = (s) => s.key.kind === 'addr' && s.key.address === vip && s.key.port === 80;
for (;;) {
  const service = (await client.services()).find(isVip);
  const rs = service && (await client.destinations(service.key)).find((d) => d.address === address && d.port === 80);
  console.log(rs ? String(rs.weight) : 'absent');
  await new Promise((r) => setTimeout(r, 50));
}`;
const IPVS_CLIENT = new URL('../../src/ipvs/client.js', import.meta.url).href;

/** A child's output as it comes, and its exit. */
function follow(child: ChildProcess) {
  const out = { stdout: '', stderr: '', code: undefined as number | null | undefined };
  child.stdout?.on('data', (d) => (out.stdout += d));
  child.stderr?.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      out.code = code;
      resolve(code);
    }),
  );
  return { out, exited };
}

describe('drain and undrain on a real IPVS director', { skip: outsideVm }, () => {
  const lab = new LvsLab();
  let daemon = new DaemonProcess({ netns: lab.ns(DIRECTOR) });
  /** The real server the long connection landed on (drained), and the other one. */
  let held: NodeName;
  let other: NodeName;
  const rs = (node: NodeName) => `${ipv4Of(node)}:80`;

  /** The director's destinations of VIP:80 as `ADDRESS WEIGHT ACTIVE`. */
  async function table(): Promise<string[]> {
    const rows = await destinationRows(['-t', `${VIP}:80`], lab.ns(DIRECTOR));
    return [...rows].map(([address, [, weight, active]]) => `${address} ${weight} ${active}`);
  }
  const weightOf = async (node: NodeName) =>
    (await table()).find((row) => row.startsWith(`${rs(node)} `))?.split(' ')[1];
  async function settle(node: NodeName, weight: string | undefined, what: string): Promise<void> {
    let seen: string[] = [];
    await pollUntil(
      async () => {
        seen = await table();
        return seen.find((row) => row.startsWith(`${rs(node)} `))?.split(' ')[1] === weight;
      },
      () => `${what}: the table is ${JSON.stringify(seen)}\n${daemon.log}`,
      SLOW_MS,
    );
  }
  // Over the API in this process: `vigil status --json` would start node in the guest, seconds of
  // its emulated CPU per poll, taken from the vigild being waited for.
  async function status(): Promise<StatusResponse> {
    const client = new VigilClient({ socket: daemon.socket });
    try {
      return StatusResponse.parse(await client.status());
    } finally {
      await client.close();
    }
  }
  const statusOf = async (node: NodeName) =>
    (await status()).virtualServers[0]!.realServers.find((r) => r.address === ipv4Of(node))!;

  before(async () => {
    await lab.upDr(2);
    await lab.serveHttp();
    daemon.writeConfig(config);
    await daemon.start([], START_MS);
    await settle('r2', String(WEIGHT), 'r2 in');
    await settle('r3', String(WEIGHT), 'r3 in');
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('drain --wait: the held connection carries on, new ones go elsewhere, and the wait ends when it does', async () => {
    const holder = lab.spawn('client', ['node', '-e', HOLDER, VIP]);
    const holding = follow(holder);
    const answers = () => holding.out.stdout.trim().split('\n').filter(Boolean);
    await waitFor(
      'the long connection to answer',
      () => {
        if (holding.out.code !== undefined) throw new Error(`the client exited: ${holding.out.stderr}`);
        return answers().length > 0;
      },
      SLOW_MS,
    );
    const [first, port] = answers()[0]!.split(' ');
    held = first as NodeName;
    other = held === 'r2' ? 'r3' : 'r2';

    const drain = follow(
      spawn(vigilBin, ['drain', rs(held), '--wait', '--timeout', '120s', '--socket', daemon.socket], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    await waitFor(
      'the drain to be answered',
      () => drain.out.stdout.includes('drained: new connections go elsewhere'),
      SLOW_MS,
    );
    assert.equal(await weightOf(held), '0', 'weight 0 once the drain is answered');

    // Short connections meanwhile: none reaches the drained server.
    for (let round = 0; round < 3; round++) {
      const names = await lab.fetchVip(4);
      assert.deepEqual(new Set(names), new Set([other]), `short connections went to ${names.join(', ')}`);
    }
    // The wait sees the long connection, over more than one 2 s stats period, and does not end.
    await waitFor(
      'the wait to show the live connection',
      () => /: 1 active connection \(/.test(drain.out.stdout),
      SLOW_MS,
    );
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(drain.out.code, undefined, `drain --wait ended with the connection open:\n${drain.out.stdout}`);
    const before = answers().length;
    await waitFor('the long connection to keep answering', () => answers().length >= before + 3, SLOW_MS);
    assert.ok(
      answers().every((a) => a === `${held} ${port}`),
      `one connection, to ${held}, all along: ${answers().join(', ')}`,
    );

    holder.kill('SIGTERM');
    await holding.exited;
    const ended = Date.now();
    const code = await drain.exited;
    assert.equal(code, 0, `${drain.out.stdout}\n${drain.out.stderr}`);
    assert.match(drain.out.stdout, new RegExp(`${rs(held)} in ${VIP}:80: no active connections after`));
    // A stats period or two, and the guest's slowness.
    assert.ok(Date.now() - ended < 30_000, `the wait ended ${Date.now() - ended} ms after the connection`);
    assert.equal((await statusOf(held)).drained, true);
  });

  test('the drain survives kill -9 of vigild and a restart: weight 0 all along', async () => {
    // The kernel's weight of the drained server, sampled for as long as vigild is down and starting.
    const samplerChild = lab.spawn(DIRECTOR, [
      'node',
      '--input-type=module',
      '-e',
      SAMPLER,
      IPVS_CLIENT,
      VIP,
      ipv4Of(held),
    ]);
    const sampler = follow(samplerChild);
    await waitFor('the first sample', () => sampler.out.stdout.includes('\n'), SLOW_MS);
    daemon.signal('SIGKILL');
    await daemon.exited;
    assert.equal(await weightOf(held), '0', 'the kernel keeps the table vigild left');
    const restarted = new DaemonProcess({ netns: lab.ns(DIRECTOR), dir: daemon.dir });
    daemon = restarted;
    await daemon.start([], START_MS);
    // Past its first checks and table.
    await pollUntil(
      async () => (await statusOf(other)).lastCheck !== undefined && (await statusOf(held)).lastCheck !== undefined,
      () => `no checks after the restart\n${daemon.log}`,
      SLOW_MS,
    );
    await new Promise((r) => setTimeout(r, 1000));
    samplerChild.kill('SIGKILL');
    await sampler.exited;
    const samples = sampler.out.stdout.trim().split('\n');
    assert.ok(samples.length > 5, `sampled ${samples.length} times`);
    const weights = new Set(samples);
    assert.deepEqual(weights, new Set(['0']), `weights seen: ${[...weights].join(', ')}`);
    const after = await statusOf(held);
    assert.equal(after.drained, true);
    assert.ok(after.drainedSince);
    assert.deepEqual(new Set(await lab.fetchVip(4)), new Set([other]));
  });

  test('undrain is refused while the checks fail, accepted with --force; the weight comes back with the checks', async () => {
    await lab.stopHttp(held);
    await pollUntil(
      async () => (await statusOf(held)).health === 'down',
      () => `${held} not down\n${daemon.log}`,
      SLOW_MS,
    );
    const refused = await vigil(['undrain', rs(held), '--socket', daemon.socket]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, new RegExp(`${rs(held)} in ${VIP}:80 is down \\(TCP_CHECK: connection refused\\)`));
    assert.equal((await statusOf(held)).drained, true, 'a refused undrain leaves the drain');

    const forced = await vigil(['undrain', rs(held), '--force', '--socket', daemon.socket]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /undrained, but down by its checks/);
    assert.equal((await statusOf(held)).drained, false);
    assert.equal(await weightOf(held), undefined, 'down: out of the table, as its checks say');

    await lab.serveHttp([held]);
    await settle(held, String(WEIGHT), 'the configured weight back once the check passes');
    assert.deepEqual(new Set(await lab.fetchVip(6)), new Set(['r2', 'r3']));
  });

  test('drain and undrain of a healthy server: one weight edit each, in the kernel when the command returns', async (t) => {
    const client = new VigilClient({ socket: daemon.socket });
    const abort = new AbortController();
    const seen: DaemonEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events(abort.signal)) seen.push(event);
    })();
    t.after(async () => {
      abort.abort();
      await reading.catch(() => {});
      await client.close();
    });
    await waitFor('the hello event', () => seen.some((e) => e.type === 'hello'), SLOW_MS);
    const operations = () => seen.flatMap((e) => (e.type === 'ipvs.reconciled' ? e.operations : []));

    const drained = await vigil(['drain', rs(held), '--socket', daemon.socket]);
    assert.equal(drained.code, 0, drained.stderr);
    assert.equal(await weightOf(held), '0');
    const undrained = await vigil(['undrain', rs(held), '--socket', daemon.socket]);
    assert.equal(undrained.code, 0, undrained.stderr);
    assert.equal(await weightOf(held), String(WEIGHT));
    await waitFor('both edits on the stream', () => operations().length >= 2, SLOW_MS);
    assert.deepEqual(operations(), [
      `editDestination ${rs(held)} in tcp:${VIP}:80`,
      `editDestination ${rs(held)} in tcp:${VIP}:80`,
    ]);
    const drains = seen.flatMap((e) => (e.type === 'realserver.drain' ? [`${e.realServer} ${e.drained}`] : []));
    assert.deepEqual(drains, [`${rs(held)} true`, `${rs(held)} false`]);
  });
});
