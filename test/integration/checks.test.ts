// vigild running MISC_CHECK scripts for real (no IPVS needed: health shows in status and on the
// event stream either way): a failing script takes its server down with the script's own words,
// misc_dynamic sets the weight from the exit code, and a fixed script brings the server back.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';

describe('vigild runs MISC_CHECK', {
  skip: process.getuid?.() === 0 ? false : 'needs root: vigild runs scripts as their configured user',
}, () => {
  const daemon = new DaemonProcess();
  const healthy = path.join(daemon.dir, 'healthy');
  const weightCode = path.join(daemon.dir, 'weight-code');
  const check = (script: string, extra = '') =>
    `MISC_CHECK {\n      misc_path "/bin/sh -c '${script}'"\n      misc_timeout 2\n      delay_loop 1\n      warmup 0\n      retry 0\n      ${extra}\n    }`;

  let seen = '';
  async function realServers() {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    const servers = StatusResponse.parse(JSON.parse(stdout)).virtualServers[0]!.realServers;
    seen = JSON.stringify(servers.map((rs) => [rs.health, rs.healthReason, rs.dynamicWeight]));
    return servers;
  }
  const until = (what: string, probe: () => Promise<boolean>) =>
    pollUntil(probe, () => `${what}: real servers ${seen}\n${daemon.log}`);

  before(async () => {
    writeFileSync(healthy, '');
    writeFileSync(weightCode, '7');
    daemon.writeConfig(`virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_kind DR
  real_server 203.0.113.21 80 {
    ${check(`test -e ${healthy} || { echo app not ready; exit 1; }`)}
  }
  real_server 203.0.113.22 80 {
    ${check(`exit $(cat ${weightCode})`, 'misc_dynamic')}
  }
}
`);
    await daemon.start();
  });
  after(() => daemon.cleanup());

  test('passing scripts: both up, the dynamic one at exit code − 2', async () => {
    await until('the dynamic weight', async () => (await realServers())[1]!.dynamicWeight === 5);
    const servers = await realServers();
    assert.deepEqual(
      servers.map((rs) => rs.health),
      ['up', 'up'],
    );
    assert.ok(servers[0]!.lastCheck, 'a check has run');
  });

  test('a failing script takes its server down with what it said; the table shows why', async () => {
    rmSync(healthy);
    await until('r21 down', async () => (await realServers())[0]!.health === 'down');
    const [rs] = await realServers();
    assert.match(rs!.healthReason ?? '', /^MISC_CHECK: exited with status 1; last output: app not ready$/);
    const { stdout } = await vigil(['status', '--socket', daemon.socket]);
    assert.match(stdout, /203\.0\.113\.21:80 +- +- +- +DOWN +MISC_CHECK/);
    assert.match(stdout, /203\.0\.113\.22:80 +- +- +- +up \(weight 5\) +MISC_CHECK/);
    assert.match(
      stdout,
      /203\.0\.113\.21:80 of 198\.51\.100\.80:80: down since .*: MISC_CHECK: exited with status 1; last output: app not ready/,
    );
  });

  test('misc_dynamic exit 1 is down; a fixed script brings its server back', async () => {
    writeFileSync(weightCode, '1');
    writeFileSync(healthy, '');
    await until('r22 down and r21 up', async () => {
      const servers = await realServers();
      return servers[0]!.health === 'up' && servers[1]!.health === 'down';
    });
    assert.match(daemon.log, /real server 203\.0\.113\.21:80 of 198\.51\.100\.80:80 is up/);
  });
});
