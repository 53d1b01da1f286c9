// vigild programming a real IPVS kernel (in the guest of `npm run test:vm`), checked with
// ipvsadm: the table it applies, reloads that change only what changed, a foreign service that
// survives everything, and kill -9 + restart that keeps the table and adopts it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Lab } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { VigilClient } from '../../src/api/client.js';
import { StatusResponse } from '../../src/api/schema.js';
import { ipvsadm, listing, outsideVm, VIP } from './lvs-lab.js';

const config = (webWeight: number, extra = '') => `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_algo wrr
  lb_kind DR
  real_server 203.0.113.21 80 {
    weight ${webWeight}
  }
  real_server 203.0.113.22 80 {
    weight 1
  }
${extra}
}
virtual_server 203.0.113.53 53 {
  protocol UDP
  lb_algo rr
  lb_kind NAT
  persistence_timeout 60
  ops
  real_server 198.51.100.31 53 {
    weight 1
  }
}
`;

/** `ipvsadm -Ln` without its two header lines, spaces folded: what a person compares. */
const table = () => listing();

// Someone else's service, with a persistence mask that is not a prefix: vigild must read past it.
const FOREIGN = ['-A', '-t', '198.51.100.99:8080', '-s', 'lc', '-p', '30', '-M', '255.0.255.0'];
const FOREIGN_LISTED = 'TCP 198.51.100.99:8080 lc persistent 30 mask 255.0.255.0';

describe('vigild and a real IPVS kernel', { skip: outsideVm }, () => {
  const daemon = new DaemonProcess();

  before(async () => {
    await ipvsadm(FOREIGN);
    daemon.writeConfig(config(3));
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await ipvsadm(['-D', '-t', '198.51.100.99:8080']).catch(() => undefined);
  });

  test('applies the config: ipvsadm -Ln shows exactly its services, beside the foreign one', async () => {
    assert.deepEqual(await table(), [
      'TCP 198.51.100.80:80 wrr',
      '-> 203.0.113.21:80 Route 3 0 0',
      '-> 203.0.113.22:80 Route 1 0 0',
      FOREIGN_LISTED,
      'UDP 203.0.113.53:53 rr persistent 60 ops',
      '-> 198.51.100.31:53 Masq 1 0 0',
    ]);
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const status = StatusResponse.parse(JSON.parse(stdout));
    assert.equal(status.ipvs.available, true);
    assert.equal(status.ipvs.ownedServices, 2);
    const { weight, activeConns, inactiveConns, persistConns, stats } =
      status.virtualServers[0]!.realServers[0]!.kernel!;
    assert.deepEqual(
      { weight, activeConns, inactiveConns, persistConns, connections: stats.connections },
      { weight: 3, activeConns: 0, inactiveConns: 0, persistConns: 0, connections: 0 },
    );
  });

  test('a reload changes only what changed', async () => {
    daemon.writeConfig(config(7));
    const { code, stderr } = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    await waitFor('the reconcile log line', () => /"operations":1,"failed":0/.test(daemon.log));
    assert.ok((await table()).includes('-> 203.0.113.21:80 Route 7 0 0'));
  });

  test('adding a real server is one IPVS operation, and vigil reload lists it', async () => {
    const client = new VigilClient({ socket: daemon.socket, timeoutMs: 0 });
    const stop = new AbortController();
    const events = client.events(stop.signal);
    try {
      assert.equal((await events.next()).value?.type, 'hello');
      daemon.writeConfig(config(7, '  real_server 203.0.113.23 80 {\n    weight 1\n  }'));
      const { code, stdout, stderr } = await vigil(['reload', '--socket', daemon.socket]);
      assert.equal(code, 0, stderr);
      assert.match(stdout, /\+ real server 203\.0\.113\.23:80 in TCP 198\.51\.100\.80:80/);
      let reconciled: string[] = [];
      for await (const event of events) {
        if (event.type !== 'ipvs.reconciled' || event.operations.length === 0) continue;
        reconciled = event.operations;
        break;
      }
      assert.equal(reconciled.length, 1, reconciled.join('; '));
      assert.match(reconciled[0]!, /^addDestination 203\.0\.113\.23:80 in /);
      assert.ok((await table()).includes('-> 203.0.113.23:80 Route 1 0 0'));

      // The same config again: nothing to change, not one kernel operation.
      const count = (line: string) => daemon.log.split(line).length;
      const before = count('IPVS table reconciled');
      const reloads = count('config reloaded');
      const again = await vigil(['reload', '--socket', daemon.socket]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /no changes/);
      await waitFor('the reload in the log', () => count('config reloaded') > reloads);
      assert.equal(count('IPVS table reconciled'), before, 'no IPVS operation');
    } finally {
      stop.abort();
      await client.close();
    }
  });

  test('kill -9 and restart: the table stays, and the new vigild adopts it without a change', async () => {
    const before = await table();
    daemon.signal('SIGKILL');
    await daemon.exited;
    assert.deepEqual(await table(), before);
    const restarted = new DaemonProcess({ dir: daemon.dir });
    try {
      await restarted.start();
      assert.deepEqual(await table(), before);
      assert.doesNotMatch(restarted.log, /IPVS table reconciled/);
      const { stdout } = await vigil(['status', '--json', '--socket', restarted.socket]);
      assert.equal(StatusResponse.parse(JSON.parse(stdout)).ipvs.ownedServices, 2);

      // SIGTERM: vigild removes what it owns, and only that.
      await restarted.stop();
      assert.deepEqual(await table(), [FOREIGN_LISTED]);
    } finally {
      await restarted.cleanup();
    }
  });
});

describe('ha_suspend follows VRRP mastership', { skip: outsideVm }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });

  before(async () => {
    await lab.up(1);
    daemon.writeConfig(`vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24 dev eth0
  }
}
virtual_server ${VIP} 80 {
  protocol TCP
  ha_suspend
  lb_kind DR
  real_server 198.51.100.12 80 {
    weight 1
  }
}
`);
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('no service while BACKUP; programmed once MASTER; gone after stop', async () => {
    const services = async () => (await listing([], lab.ns('r1'))).filter((l) => /^(TCP|UDP) /.test(l));
    assert.deepEqual(await services(), [], 'a backup holds no service for the VIP');
    await pollUntil(
      async () => (await services()).length === 1,
      () => 'the service did not appear once the instance became master',
      20_000,
    );
    await daemon.stop();
    assert.deepEqual(await services(), []);
  });
});
