// `vigil check` against a real vigild: the list of every real server's checks, --json, and
// `vigil check RS --now` with its exit codes (0 up, 1 down, 2 unknown server, 3 no daemon);
// FILE_CHECK following its track_file through the daemon; --now refused on the read-only socket.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { CheckRunResponse, StatusResponse } from '../../src/api/schema.js';

describe('vigil check against vigild', {
  skip: process.getuid?.() === 0 ? false : 'needs root: vigild runs scripts as their configured user',
}, () => {
  const daemon = new DaemonProcess();
  const healthy = path.join(daemon.dir, 'healthy');
  const maint = path.join(daemon.dir, 'maint');
  // Slow on the schedule (delay_loop 60): only a --now run can see a change within the test.
  const check = `MISC_CHECK {\n      misc_path "/bin/sh -c 'test -e ${healthy} || { echo app not ready; exit 1; }'"\n      misc_timeout 2\n      delay_loop 60\n      warmup 0\n      retry 0\n    }`;
  const status = async () => {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    return StatusResponse.parse(JSON.parse(stdout));
  };

  before(async () => {
    writeFileSync(healthy, '');
    writeFileSync(maint, '0\n');
    daemon.writeConfig(`track_file maint {
  file ${maint}
  weight 0
}
virtual_server 198.51.100.80 80 {
  protocol TCP
  real_server 203.0.113.21 80 {
    ${check}
  }
  real_server 203.0.113.22 80 {
    FILE_CHECK {
      track_file maint
    }
  }
}
virtual_server 198.51.100.81 80 {
  protocol TCP
  real_server 203.0.113.21 80 {
    ${check}
  }
}
`);
    await daemon.start();
    await pollUntil(
      async () => (await status()).virtualServers[0]!.realServers[0]!.lastCheck !== undefined,
      () => `no first check\n${daemon.log}`,
    );
  });
  after(() => daemon.cleanup());

  test('lists every real server with its verdict, checkers, latency and time of change; --json is the status response', async () => {
    const { code, stdout } = await vigil(['check', '--socket', daemon.socket]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^VIRTUAL SERVER +REAL SERVER +HEALTH +CHECKERS +LATENCY +SINCE +LAST ERROR$/m);
    assert.match(
      stdout,
      /^198\.51\.100\.80:80 +203\.0\.113\.21:80 +up +MISC_CHECK +[\d.]+ms +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +-$/m,
    );
    assert.match(stdout, /^198\.51\.100\.80:80 +203\.0\.113\.22:80 +up +FILE_CHECK +- +\d{4}-/m);
    assert.match(stdout, /^198\.51\.100\.81:80 +203\.0\.113\.21:80 +up +MISC_CHECK/m);
    const json = await vigil(['check', '--json', '--socket', daemon.socket]);
    const parsed = StatusResponse.parse(JSON.parse(json.stdout));
    assert.equal(parsed.virtualServers.flatMap((vs) => vs.realServers).length, 3);
  });

  test('--now: exit 0 when up, 1 when the check fails now, while the verdict stays the schedule’s', async () => {
    const upNow = await vigil([
      'check',
      '203.0.113.21:80',
      '--vs',
      '198.51.100.80:80',
      '--now',
      '--socket',
      daemon.socket,
    ]);
    assert.equal(upNow.code, 0, upNow.stderr);
    assert.match(upNow.stdout, /^203\.0\.113\.21:80 in 198\.51\.100\.80:80: UP now\n {2}MISC_CHECK: ok \(/);
    rmSync(healthy);
    const downNow = await vigil([
      'check',
      '203.0.113.21:80',
      '--vs',
      '198.51.100.80:80',
      '--now',
      '--json',
      '--socket',
      daemon.socket,
    ]);
    assert.equal(downNow.code, 1, downNow.stderr);
    const result = CheckRunResponse.parse(JSON.parse(downNow.stdout));
    assert.equal(result.result, 'down');
    assert.equal(result.checkers[0]!.reason, 'MISC_CHECK: exited with status 1; last output: app not ready');
    assert.equal(result.verdict.health, 'up', 'the daemon keeps its verdict until its own next check');
    assert.equal((await status()).virtualServers[0]!.realServers[0]!.health, 'up');
    writeFileSync(healthy, '');
  });

  test('--now exit 2: an unknown server lists those there are; one in two virtual servers needs --vs; a malformed RS', async () => {
    const unknown = await vigil(['check', '203.0.113.99:80', '--now', '--socket', daemon.socket]);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /no real server 203\.0\.113\.99:80; configured: 203\.0\.113\.21:80 in 198\.51\.100\.80:80, 203\.0\.113\.22:80 in 198\.51\.100\.80:80, 203\.0\.113\.21:80 in 198\.51\.100\.81:80/,
    );
    const ambiguous = await vigil(['check', '203.0.113.21:80', '--now', '--socket', daemon.socket]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /is in 2 virtual servers; .*198\.51\.100\.80:80, 198\.51\.100\.81:80/);
    const malformed = await vigil(['check', 'web1', '--now', '--socket', daemon.socket]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /RS must be ADDR:PORT/);
  });

  test('--now exit 3 with no daemon; the read-only socket refuses it', async () => {
    const none = await vigil(['check', '203.0.113.22:80', '--now', '--socket', path.join(daemon.dir, 'none.sock')]);
    assert.equal(none.code, 3);
    const readOnly = await vigil(['check', '203.0.113.22:80', '--now', '--socket', daemon.readOnlySocket]);
    assert.equal(readOnly.code, 1);
    assert.match(readOnly.stderr, /not served on the read-only socket/);
  });

  test('FILE_CHECK: a non-zero value takes its server down at once with the file’s words, and 0 brings it back', async () => {
    writeFileSync(maint, '1\n');
    const fileServer = async () => (await status()).virtualServers[0]!.realServers[1]!;
    await pollUntil(
      async () => (await fileServer()).health === 'down',
      () => `still up\n${daemon.log}`,
    );
    assert.equal(
      (await fileServer()).healthReason,
      'FILE_CHECK: track_file maint holds 1 (weight 0: non-zero means down)',
    );
    const now = await vigil(['check', '203.0.113.22:80', '--now', '--socket', daemon.socket]);
    assert.equal(now.code, 1);
    assert.match(now.stdout, /FILE_CHECK: FAILED: track_file maint holds 1/);
    writeFileSync(maint, '0\n');
    await pollUntil(
      async () => (await fileServer()).health === 'up',
      () => `still down\n${daemon.log}`,
    );
  });
});
