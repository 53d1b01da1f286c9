// vigild's Prometheus /metrics on a namespace's loopback: a scrape parsed by a Prometheus
// text-format parser agrees with `vigil status --json`; the flag wins over the keyword; a reload
// that changes the keyword moves the listener; reload results are counted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ipv4Of, Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';
import { skipWithout } from '../helpers/needs.js';
import { parseScrape } from '../helpers/prometheus-text.js';

const R1 = ipv4Of('r1');
const UP_PORT = 8080;
const DOWN_PORT = 8081;

const config = (metricsListen: string | undefined, extra = '') => `global_defs {
  router_id lb-metrics
${metricsListen ? `  vigil_metrics_listen ${metricsListen}\n` : ''}${extra}}

vrrp_instance VI_WEB {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    198.51.100.10/24
  }
}

virtual_server 198.51.100.10 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server ${R1} ${UP_PORT} {
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server ${R1} ${DOWN_PORT} {
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 198.51.100.99 80 {
  }
}
`;

/** An HTTP request from inside r1, where the listener's loopback address is. */
const REQUEST = `const [url, method] = process.argv.slice(1);
const req = require('http').request(url, { method }, (res) => {
  let body = '';
  res.on('data', (d) => (body += d));
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, type: res.headers['content-type'], body })));
});
req.on('error', (err) => console.log(JSON.stringify({ error: err.code })));
req.end();`;

interface Answer {
  status?: number;
  type?: string;
  body?: string;
  error?: string;
}

describe('vigild /metrics', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  let daemon = new DaemonProcess({ netns: lab.ns('r1') });

  const request = async (port: number, path = '/metrics', method = 'GET'): Promise<Answer> => {
    const { stdout } = await lab.exec('r1', [
      process.execPath,
      '-e',
      REQUEST,
      `http://127.0.0.1:${port}${path}`,
      method,
    ]);
    return JSON.parse(stdout) as Answer;
  };
  const scrape = async (port: number) => {
    const answer = await request(port);
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.match(answer.type ?? '', /^text\/plain; version=0\.0\.4/);
    return parseScrape(answer.body!);
  };
  const status = async (): Promise<StatusResponse> => {
    const { code, stdout, stderr } = await vigil(['status', '--json', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    return StatusResponse.parse(JSON.parse(stdout));
  };

  before(async () => {
    await lab.up(1);
    const listener = lab.spawn('r1', [
      process.execPath,
      '-e',
      `require('net').createServer((s) => s.end()).listen(${UP_PORT}, '${R1}', () => console.log('listening'))`,
    ]);
    let output = '';
    listener.stdout!.on('data', (chunk) => (output += chunk));
    await waitFor('the real server to listen', () => output.includes('listening'));
  });

  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('a scrape agrees with vigil status --json, and --metrics-listen wins over the keyword', async () => {
    daemon.writeConfig(config('127.0.0.1:9651'));
    await daemon.start(['--metrics-listen', '127.0.0.1:9650']);
    let settled: StatusResponse | undefined;
    await pollUntil(
      async () => {
        settled = await status();
        const [up, down] = settled.virtualServers[0]!.realServers;
        return settled.instances[0]?.state === 'MASTER' && up?.health === 'up' && down?.health === 'down';
      },
      () => `not settled: ${JSON.stringify(settled)}\n${daemon.log}`,
      15_000,
    );
    const before = await status();
    const m = await scrape(9650);
    const later = await status();

    const [vi] = before.instances;
    const labels = { iname: 'VI_WEB', intf: 'eth0', vrid: '51' };
    assert.equal(m.value('keepalived_up'), 1);
    assert.equal(m.value('keepalived_vrrp_state', { ...labels, ip_address: '198.51.100.10/24' }), 2);
    assert.equal(vi?.state, 'MASTER');
    assert.equal(m.value('keepalived_become_master_total', labels), vi?.counters.becameMaster);
    assert.equal(m.value('keepalived_release_master_total', labels), vi?.counters.releasedMaster);
    // Adverts go on between the reads: the scrape's count lies between the two statuses'.
    const sent = m.value('keepalived_advertisements_sent_total', labels)!;
    assert.ok(
      sent >= before.instances[0]!.counters.advertsSent && sent <= later.instances[0]!.counters.advertsSent,
      `${sent} adverts sent, between ${before.instances[0]!.counters.advertsSent} and ${later.instances[0]!.counters.advertsSent}`,
    );
    assert.equal(m.value('vigil_vrrp_effective_priority', labels), vi?.effectivePriority);

    const vs = before.virtualServers[0]!;
    for (const rs of vs.realServers) {
      const where = { vs: vs.name, rs: `${rs.address}:${rs.port}` };
      const up = m.value('vigil_realserver_up', { ...where, checker: rs.checkers.join(',') });
      assert.equal(up, rs.health === 'unchecked' ? undefined : rs.health === 'up' ? 1 : 0, where.rs);
    }
    assert.equal(m.value('vigil_config_generation'), before.config.generation);
    assert.equal(m.value('vigil_ipvs_available'), before.ipvs.available ? 1 : 0);
    // This kernel may lack IPVS: then no destination is in it, and no LVS counter is invented.
    const inKernel = vs.realServers.filter((rs) => rs.kernel).length;
    assert.equal(m.series('keepalived_lvs_rs_conn').size, inKernel);

    assert.deepEqual(await request(9651), { error: 'ECONNREFUSED' }, 'the keyword is overridden by the flag');
  });

  test('only GET /metrics is served', async () => {
    assert.equal((await request(9650, '/')).status, 404);
    assert.equal((await request(9650, '/v1/status')).status, 404);
    assert.equal((await request(9650, '/metrics', 'POST')).status, 405);
    const head = await request(9650, '/metrics', 'HEAD');
    assert.deepEqual([head.status, head.body], [200, '']);
  });

  test('without the flag the keyword is used; a reload that changes it moves the listener; reloads are counted', async () => {
    await daemon.stop();
    daemon = new DaemonProcess({ netns: lab.ns('r1') });
    daemon.writeConfig(config('127.0.0.1:9651'));
    await daemon.start();
    assert.equal((await scrape(9651)).value('vigil_config_reloads_total', { result: 'accepted' }), 0);

    daemon.writeConfig(config('127.0.0.1:9652'));
    daemon.signal('SIGHUP');
    await waitFor('the reload', () => daemon.log.includes('config reloaded'));
    await waitFor('the new listener', () => daemon.log.includes('127.0.0.1:9652/metrics'));
    assert.deepEqual(await request(9651), { error: 'ECONNREFUSED' });
    let m = await scrape(9652);
    assert.equal(m.value('vigil_config_generation'), 2);
    assert.equal(m.value('vigil_config_reloads_total', { result: 'accepted' }), 1);
    assert.equal(m.value('vigil_config_last_reload_successful'), 1);

    daemon.writeConfig(config('127.0.0.1:9653', '  vrrp_version 7\n'));
    daemon.signal('SIGHUP');
    await waitFor('the rejection', () => daemon.log.includes('reload rejected'));
    m = await scrape(9652);
    assert.equal(m.value('vigil_config_reloads_total', { result: 'rejected' }), 1);
    assert.equal(m.value('vigil_config_last_reload_successful'), 0);
    assert.equal(m.value('vigil_config_generation'), (await status()).config.generation);

    daemon.writeConfig(config(undefined));
    daemon.signal('SIGHUP');
    await waitFor('the listener to close', () => daemon.log.includes('metrics: listener closed'));
    assert.deepEqual(await request(9652), { error: 'ECONNREFUSED' });
  });
});
