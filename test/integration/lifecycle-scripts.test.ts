// global_defs startup_script and shutdown_script from a real vigild: the startup script ends
// before VRRP begins (no VIP yet while it runs), the shutdown script runs after the VIPs are
// gone and vigild exits only once it has ended, and one that overruns its timeout is killed
// and vigild starts all the same.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitUntil } from '../../lab/processes.js';
import { MASTER_VIP, ONE_MASTER } from '../helpers/daemon-configs.js';
import { skipWithout } from '../helpers/needs.js';

/** A script that writes, as `LABEL:`, whether the VIP is on eth0 now, waits `SECONDS`, and writes `LABEL done`. */
function recorder(dir: string): { file: string; out: string } {
  const file = path.join(dir, 'record.sh');
  const out = path.join(dir, 'record.out');
  writeFileSync(
    file,
    `#!/bin/sh\nif ip -br addr show dev eth0 | grep -q ${MASTER_VIP}/; then vip=held; else vip=absent; fi\n` +
      `echo "$1: VIP $vip" >> ${out}\nsleep "$2"\necho "$1 done" >> ${out}\n`,
  );
  chmodSync(file, 0o755);
  return { file, out };
}

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('startup_script and shutdown_script of a running vigild', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const script = recorder(daemon.dir);
  const config = (globals: string) => `global_defs {\n  script_user root\n${globals}}\n${ONE_MASTER}`;

  before(() => lab.up(1));
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('the startup script ends before VRRP starts; the shutdown script runs after the VIPs are gone, and vigild waits for it', async () => {
    daemon.writeConfig(
      config(`  startup_script "${script.file} startup 1"\n  shutdown_script "${script.file} shutdown 1"\n`),
    );
    await daemon.start();
    assert.deepEqual(lines(script.out), ['startup: VIP absent', 'startup done']);
    const state = async () =>
      JSON.parse((await vigil(['status', '--json', '--socket', daemon.socket])).stdout).instances[0].state;
    await waitUntil('VI_1 to become MASTER', async () => (await state()) === 'MASTER');
    assert.ok(await lab.holds('r1', MASTER_VIP));
    assert.equal(await daemon.stop(), 0);
    assert.deepEqual(lines(script.out).slice(2), ['shutdown: VIP absent', 'shutdown done']);
    assert.match(daemon.log, /startup_script: running .*record\.sh startup 1, for 10 s at most/);
  });

  test('a startup script past startup_script_timeout is stopped, logged, and vigild starts anyway', async () => {
    daemon.writeConfig(config(`  startup_script "${script.file} slow 30"\n  startup_script_timeout 1\n`));
    const started = Date.now();
    await daemon.start();
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 10_000, `vigild took ${tookMs} ms to start`);
    assert.match(daemon.log, /startup_script failed: timed out after 1 s and was killed/);
    assert.equal(await daemon.stop(), 0);
  });
});
