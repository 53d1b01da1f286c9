// Switching a director from keepalived to vigild without dropping a connection: keepalived
// stopped with --dont-release-ipvs leaves its IPVS table; vigild, started on the same
// keepalived.conf, adopts every entry without a single kernel change, and from then on owns it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { StatusResponse } from '../../src/api/schema.js';
import { DaemonProcess, vigil } from '../helpers/processes.js';
import { pollUntil } from '../lab/routers.js';
import { ipvsadm, outsideVm } from './lvs-lab.js';

// Real servers without checkers: keepalived and vigild both count them as alive.
const CONFIG = `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_algo wrr
  lb_kind DR
  real_server 203.0.113.21 80 {
    weight 3
  }
  real_server 203.0.113.22 80 {
    weight 1
  }
}
virtual_server 203.0.113.53 53 {
  protocol UDP
  lb_algo sh
  lb_kind NAT
  persistence_timeout 120
  persistence_granularity 255.255.255.0
  real_server 198.51.100.31 53 {
    weight 2
  }
}
`;

const EXPECTED = [
  'TCP 198.51.100.80:80 wrr',
  '-> 203.0.113.21:80 Route 3 0 0',
  '-> 203.0.113.22:80 Route 1 0 0',
  'UDP 203.0.113.53:53 sh persistent 120 mask 255.255.255.0',
  '-> 198.51.100.31:53 Masq 2 0 0',
];

async function table(): Promise<string[]> {
  return (await ipvsadm(['-Ln'])).trim().split('\n').slice(3).map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('from keepalived to vigild on a live director', { skip: outsideVm }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-handover-'));
  const configPath = path.join(dir, 'keepalived.conf');
  writeFileSync(configPath, CONFIG);
  const daemon = new DaemonProcess({ configPath });
  after(() => daemon.cleanup());

  test('keepalived programs the table and leaves it on stop; vigild adopts it untouched and owns it', async () => {
    let log = '';
    const keepalived = spawn('keepalived', [
      '--dont-fork', '--check', '--dont-release-ipvs', '--log-console', '--no-syslog',
      '--pid', path.join(dir, 'keepalived.pid'), '--checkers_pid', path.join(dir, 'checkers.pid'), '--vrrp_pid', path.join(dir, 'vrrp.pid'),
      '--use-file', configPath,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    keepalived.stdout.on('data', (d) => (log += d));
    keepalived.stderr.on('data', (d) => (log += d));
    const exited = new Promise((resolve) => keepalived.once('exit', resolve));
    try {
      let seen: string[] = [];
      await pollUntil(async () => JSON.stringify((seen = await table())) === JSON.stringify(EXPECTED), () => `keepalived's table: ${JSON.stringify(seen)}\n${log}`, 20_000);
    } finally {
      keepalived.kill('SIGTERM');
      await exited;
    }
    assert.deepEqual(await table(), EXPECTED, '--dont-release-ipvs: the table outlives keepalived');

    await daemon.start();
    assert.deepEqual(await table(), EXPECTED);
    assert.doesNotMatch(daemon.log, /IPVS table reconciled/, 'adopted without one kernel change');
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const status = StatusResponse.parse(JSON.parse(stdout));
    assert.equal(status.ipvs.ownedServices, 2);
    assert.deepEqual(status.virtualServers[0]!.realServers.map((rs) => rs.kernel?.weight), [3, 1]);

    // Owned now: vigild's own stop removes it.
    await daemon.stop();
    assert.deepEqual(await table(), []);
  });
});
