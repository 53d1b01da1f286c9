// /metrics beside a real IPVS kernel (the guest of `npm run test:vm`): the LVS counters and the
// kernel weights in a scrape are the ones `vigil status --json` reads from the kernel, under
// gen2brain/keepalived_exporter's names and labels. (No traffic: the counters are the kernel's
// zeros; the unit test maps non-zero ones.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';
import { parseScrape } from '../helpers/prometheus-text.js';
import { outsideVm } from './lvs-lab.js';

const METRICS = 'http://127.0.0.1:9650/metrics';

const CONFIG = `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_algo rr
  lb_kind NAT
  real_server 127.0.0.1 8080 {
    weight 3
  }
  real_server 203.0.113.22 80 {
    weight 1
  }
}
`;

describe('/metrics and a real IPVS kernel', { skip: outsideVm }, () => {
  const daemon = new DaemonProcess();

  before(async () => {
    daemon.writeConfig(CONFIG);
    await daemon.start(['--metrics-listen', '127.0.0.1:9650']);
  });
  // Stopped, not killed: vigild then removes its service, which the next file in this lane's
  // IPVS table would otherwise find as a foreign one.
  after(async () => {
    await daemon.stop();
    await daemon.cleanup();
  });

  test("the LVS series are the kernel's counters that status shows", async () => {
    const read = async () => {
      const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
      return StatusResponse.parse(JSON.parse(stdout));
    };
    let status: StatusResponse | undefined;
    let body = '';
    // The kernel may count on while they are read: a scrape between two statuses that agree.
    await pollUntil(
      async () => {
        status = await read();
        body = await (await fetch(METRICS)).text();
        return JSON.stringify((await read()).virtualServers) === JSON.stringify(status.virtualServers);
      },
      () => `the kernel's counters never held still:\n${body}`,
      20_000,
    );
    const m = parseScrape(body);
    const vs = status!.virtualServers[0]!;
    assert.equal(m.series('keepalived_lvs_rs_conn').size, 2);
    for (const rs of vs.realServers) {
      const kernel = rs.kernel!;
      const lvs = { vip: '198.51.100.80:80', addr: `${rs.address}:${rs.port}`, proto: '6' };
      assert.equal(m.value('keepalived_lvs_rs_conn', lvs), kernel.stats.connections, lvs.addr);
      assert.equal(m.value('keepalived_lvs_rs_in_packets', lvs), kernel.stats.packetsIn, lvs.addr);
      assert.equal(m.value('keepalived_lvs_rs_out_bytes', lvs), kernel.stats.bytesOut, lvs.addr);
      const where = { vs: '198.51.100.80:80', rs: lvs.addr };
      assert.equal(m.value('vigil_lvs_rs_weight', where), kernel.weight, lvs.addr);
      assert.equal(m.value('vigil_lvs_rs_inactive_connections', where), kernel.inactiveConns, lvs.addr);
    }
    assert.equal(m.value('vigil_ipvs_available'), 1);
  });
});
