// lvs_sync_daemon on a real IPVS kernel: two directors with vigild (VRRP for the VIP, IPVS DR to
// one real server) run keepalived's sync daemons, the master on the VRRP master and the backup on
// the other; a client's connection through the master appears in the backup's connection table,
// and when the master's vigild stops, the backup takes over with the master daemon, and the same
// connection goes on answering through it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ipv4Of, Lab } from '../../lab/lab.js';
import { DaemonProcess, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { ipvsadm, outsideVm, VIP } from './lvs-lab.js';

const REAL_SERVER = 'r3';
const config = (priority: number) => `global_defs {
  lvs_sync_daemon eth0 inst VI_1
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24 dev eth0
  }
}
virtual_server ${VIP} 80 {
  protocol TCP
  lb_algo rr
  lb_kind DR
  real_server ${ipv4Of(REAL_SERVER)} 80 {
    weight 1
  }
}
`;
// Keeps idle connections open (Node closes them after 5 s by default): the test's one connection
// must outlive a failover in the slow guest.
const SERVER = `const s = require('node:http').createServer((q, r) => r.end('${REAL_SERVER}\\n'));
s.keepAliveTimeout = 0; s.listen(80, () => console.log('listening'));`;
// One connection to the VIP; each line on stdin sends a GET on it; prints each answer's body, or `closed`.
const CLIENT = `const c = require('node:net').connect(80, process.argv[1]);
c.on('data', (d) => { const body = d.toString().split('\\r\\n\\r\\n')[1]; if (body) process.stdout.write(body); });
c.on('close', () => console.log('closed')); c.on('error', (e) => console.log('error ' + e.message));
require('node:readline').createInterface({ input: process.stdin }).on('line', () =>
  c.write('GET / HTTP/1.1\\r\\nHost: vip\\r\\n\\r\\n'));`;

/** `ipvsadm -L --daemon` in `node`'s namespace, one daemon a line. */
const daemons = async (lab: Lab, node: 'r1' | 'r2') =>
  (await ipvsadm(['-L', '--daemon'], lab.ns(node))).trim().split('\n').filter(Boolean);

describe('lvs_sync_daemon between two vigild directors', { skip: outsideVm }, () => {
  const lab = new Lab();
  const r1 = new DaemonProcess({ netns: lab.ns('r1') });
  const r2 = new DaemonProcess({ netns: lab.ns('r2') });
  const children: ChildProcess[] = [];
  let client: ChildProcess;
  let answers = '';

  before(async () => {
    await lab.up(3);
    await lab.exec(REAL_SERVER, [
      'sysctl',
      '-qw',
      'net.ipv4.conf.all.arp_ignore=1',
      'net.ipv4.conf.all.arp_announce=2',
    ]);
    await lab.exec(REAL_SERVER, ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'lo']);
    const server = lab.spawn(REAL_SERVER, ['node', '-e', SERVER]);
    children.push(server);
    await new Promise((resolve) => server.stdout!.once('data', resolve));
    r1.writeConfig(config(150));
    r2.writeConfig(config(100));
    await Promise.all([r1.start(), r2.start()]);
    await waitFor('r1 to be master', () => r1.log.includes('VI_1: BACKUP -> MASTER'), 30_000);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all([r1.cleanup(), r2.cleanup()]);
    await lab.down();
  });

  test('the master runs the master daemon and the backup the backup daemon, with the VRID as sync id', async () => {
    // With the kernel's defaults for what the config leaves out.
    const defaults = 'maxlen=1472, group=224.0.0.81, port=8848, ttl=1';
    assert.deepEqual(await daemons(lab, 'r1'), [`master sync daemon (mcast=eth0, syncid=51, ${defaults})`]);
    assert.deepEqual(await daemons(lab, 'r2'), [`backup sync daemon (mcast=eth0, syncid=51, ${defaults})`]);
  });

  test("a connection through the master is in the backup's table, and goes on through it after a failover", async () => {
    client = lab.spawn('client', ['node', '-e', CLIENT, VIP], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(client);
    client.stdout!.on('data', (d: Buffer) => (answers += d.toString()));
    client.stdin!.write('\n');
    await waitFor('the first answer', () => answers.includes(REAL_SERVER), 20_000);
    let table = '';
    await pollUntil(
      async () => {
        table = await ipvsadm(['-Lnc'], lab.ns('r2'));
        return table.includes(`${VIP}:80`);
      },
      () => `r2 (the backup) has no connection to ${VIP}:80:\n${table}`,
      30_000,
    );

    const stopped = await Promise.race([r1.stop(), new Promise((r) => setTimeout(r, 30_000, 'hung'))]);
    assert.notEqual(stopped, 'hung', `r1's vigild did not stop within 30 s:\n${r1.log.slice(-3000)}`);
    assert.deepEqual(await daemons(lab, 'r1'), [], 'a stopped vigild stops its sync daemon');
    await waitFor('r2 to take over', () => r2.log.includes('VI_1: BACKUP -> MASTER'), 30_000);
    await pollUntil(
      async () => (await daemons(lab, 'r2')).some((d) => d.startsWith('master')),
      () => 'r2 runs no master sync daemon',
      20_000,
    );
    answers = '';
    client.stdin!.write('\n');
    await waitFor('an answer on the same connection through r2', () => answers.length > 0, 20_000);
    assert.equal(answers.trim(), REAL_SERVER, `the connection answered: ${JSON.stringify(answers)}`);
  });
});
