// `vigil drain` and `vigil undrain` against a real vigild (here without IPVS: the kernel side is
// test/vm/lvs-drain): which real servers a drain takes, exit codes, what status and check show,
// the refusal of an undrain while checks say down, and drains outliving kill -9 and reloads.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { DrainResponse, ErrorResponse, StatusResponse } from '../../src/api/schema.js';

describe('vigil drain and undrain against vigild', {
  skip: process.getuid?.() === 0 ? false : 'needs root: vigild runs scripts as their configured user',
}, () => {
  let daemon = new DaemonProcess();
  const healthy = path.join(daemon.dir, 'healthy');
  const check = `MISC_CHECK {\n      misc_path "/bin/sh -c 'test -e ${healthy}'"\n      delay_loop 1\n      warmup 0\n      retry 0\n    }`;
  const config = (second = true) => `virtual_server 198.51.100.80 80 {
  protocol TCP
  real_server 203.0.113.21 80 {
    ${check}
  }
  real_server 203.0.113.22 80 {
  }
}
${second ? 'virtual_server 198.51.100.81 80 {\n  protocol TCP\n  real_server 203.0.113.21 80 {\n  }\n}\n' : ''}`;
  const socket = () => ['--socket', daemon.socket];
  const status = async () => StatusResponse.parse(JSON.parse((await vigil(['status', '--json', ...socket()])).stdout));
  const drainedOf = async () =>
    (await status()).virtualServers.flatMap((vs) =>
      vs.realServers.filter((rs) => rs.drained).map((rs) => `${rs.address} in ${vs.name} since ${rs.drainedSince}`),
    );

  before(async () => {
    writeFileSync(healthy, '');
    daemon.writeConfig(config());
    await daemon.start();
  });
  after(() => daemon.cleanup());

  test('drain takes the real server in every virtual server holding it; status and check show it', async () => {
    const { code, stdout, stderr } = await vigil(['drain', '203.0.113.21:80', ...socket()]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^203\.0\.113\.21:80 in 198\.51\.100\.80:80: drained: new connections go elsewhere/m);
    assert.match(stdout, /^203\.0\.113\.21:80 in 198\.51\.100\.81:80: drained: /m);
    const drained = await drainedOf();
    assert.equal(drained.length, 2);
    assert.match(drained[0]!, /^203\.0\.113\.21 in 198\.51\.100\.80:80 since \d{4}-/);
    const text = (await vigil(['status', ...socket()])).stdout;
    assert.match(text, /203\.0\.113\.21:80 +- +- +- +(up|unchecked), DRAINED/);
    assert.match(text, /203\.0\.113\.21:80 of 198\.51\.100\.81:80: drained since \d{4}-/);
    assert.match((await vigil(['check', ...socket()])).stdout, /198\.51\.100\.80:80 +203\.0\.113\.21:80 +up, DRAINED/);

    const again = await vigil(['drain', '203.0.113.21:80', '--vs', '198.51.100.80:80', '--json', ...socket()]);
    const answer = DrainResponse.parse(JSON.parse(again.stdout));
    assert.deepEqual(
      answer.realServers.map((rs) => [rs.virtualServer, rs.changed, rs.drained]),
      [['198.51.100.80:80', false, true]],
      'a second drain is a no-op that keeps the first time',
    );
    assert.deepEqual(await drainedOf(), drained);
  });

  test('unknown servers and bad arguments are usage errors (exit 2) listing what there is', async () => {
    const unknown = await vigil(['drain', '203.0.113.99:80', ...socket()]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /no real server 203\.0\.113\.99:80; configured: 203\.0\.113\.21:80 in 198\.51\.100\.80:80, /,
    );
    const wrongVs = await vigil(['undrain', '203.0.113.22:80', '--vs', '198.51.100.81:80', ...socket()]);
    assert.equal(wrongVs.code, 2);
    assert.match(wrongVs.stderr, /no real server 203\.0\.113\.22:80 in 198\.51\.100\.81:80/);
    assert.equal((await vigil(['drain', 'web1', ...socket()])).code, 2);
    assert.equal((await vigil(['drain', '203.0.113.22:80', '--timeout', '5s', ...socket()])).code, 2);
    assert.equal((await vigil(['drain', '203.0.113.22:80', '--wait', '--timeout', 'soon', ...socket()])).code, 2);
    const unreachable = await vigil(['drain', '203.0.113.22:80', '--socket', path.join(daemon.dir, 'none.sock')]);
    assert.equal(unreachable.code, 3);
    const readOnly = await vigil(['drain', '203.0.113.22:80', '--socket', daemon.readOnlySocket]);
    assert.equal(readOnly.code, 1);
    assert.match(readOnly.stderr, /not served on the read-only socket/);
    assert.equal((await drainedOf()).length, 2, 'nothing else drained');
  });

  test('--wait with no connection to wait for returns at once', async () => {
    const { code, stdout } = await vigil(['drain', '203.0.113.22:80', '--wait', ...socket()]);
    assert.equal(code, 0);
    assert.match(stdout, /203\.0\.113\.22:80 in 198\.51\.100\.80:80: no active connections after 0s/);
    assert.equal((await vigil(['undrain', '203.0.113.22:80', ...socket()])).code, 0);
  });

  test('a drain outlives kill -9: the restarted vigild has it, since the same time', async () => {
    const before = await drainedOf();
    daemon.signal('SIGKILL');
    await daemon.exited;
    daemon = new DaemonProcess({ dir: daemon.dir });
    await daemon.start();
    assert.deepEqual(await drainedOf(), before);
  });

  test('undrain is refused while the checks say down (exit 1), done with --force', async () => {
    rmSync(healthy);
    await pollUntil(
      async () => (await status()).virtualServers[0]!.realServers[0]!.health === 'down',
      () => `203.0.113.21 not down\n${daemon.log}`,
    );
    const refused = await vigil(['undrain', '203.0.113.21:80', ...socket()]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /203\.0\.113\.21:80 in 198\.51\.100\.80:80 is down \(MISC_CHECK: exited with status 1\): .*--force/,
    );
    const json = await vigil(['undrain', '203.0.113.21:80', '--json', ...socket()]);
    assert.equal(ErrorResponse.parse(JSON.parse(json.stdout)).error.code, 'refused');
    assert.equal((await drainedOf()).length, 2, 'refused: still drained everywhere');
    // In the one virtual server where no check says down, it is not refused.
    assert.equal((await vigil(['undrain', '203.0.113.21:80', '--vs', '198.51.100.81:80', ...socket()])).code, 0);

    const forced = await vigil(['undrain', '203.0.113.21:80', '--force', ...socket()]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /in 198\.51\.100\.80:80: undrained, but down by its checks/);
    assert.match(forced.stdout, /in 198\.51\.100\.81:80: was not drained/);
    assert.deepEqual(await drainedOf(), []);
    writeFileSync(healthy, '');
  });

  test('a reload that removes a drained real server ends its drain, with a log line; back, it is not drained', async () => {
    assert.equal((await vigil(['drain', '203.0.113.21:80', ...socket()])).code, 0);
    daemon.writeConfig(config(false));
    assert.equal((await vigil(['reload', ...socket()])).code, 0);
    assert.match(
      daemon.log,
      /drain of 203\.0\.113\.21:80 in 198\.51\.100\.81:80 dropped: the real server is no longer in the config/,
    );
    assert.deepEqual(
      (await drainedOf()).map((d) => d.split(' since')[0]),
      ['203.0.113.21 in 198.51.100.80:80'],
    );
    daemon.writeConfig(config());
    assert.equal((await vigil(['reload', ...socket()])).code, 0);
    assert.deepEqual(
      (await drainedOf()).map((d) => d.split(' since')[0]),
      ['203.0.113.21 in 198.51.100.80:80'],
    );
  });
});
