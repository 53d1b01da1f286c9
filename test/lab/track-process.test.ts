// vrrp_track_process moving the election in the netns lab: vigild (r1) tracks a daemon (a copy
// of sleep named vptrack) with weight -60, against keepalived (r2) at a fixed priority between.
// The daemon stopping hands the VIP to keepalived, starting it again takes it back; a weight-0
// instance goes to FAULT, its reason naming the process. (keepalived's own track_process cannot
// run in a netns: the kernel's process events live in the host's namespace only.)
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { keepalivedUnavailable } from '../../lab/keepalived.js';
import { labUnavailable } from '../../lab/lab.js';
import { pollUntil, vrrpConfig, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';
import { expectSoleMaster, MixedLab } from './interop.js';

const skip = await skipWithout(labUnavailable, keepalivedUnavailable);

const VIP = '198.51.100.205';
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-trackproc-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const daemonBinary = path.join(dir, 'vptrack');
copyFileSync('/bin/sleep', daemonBinary);

const shared = { version: 3, vrid: 57, advertInt: 0.5, vip: `${VIP}/24` } as const;
const faultOnly = {
  name: 'VI_2',
  version: 3,
  vrid: 58,
  advertInt: 0.5,
  vip: '198.51.100.206/24',
  priority: 100,
} as const;

function vigildConfig(): string {
  const tracked = (config: string, tracks: string) =>
    config.replace(/(priority \d+)/, `$1\n    track_process {\n        ${tracks}\n    }`);
  return `vrrp_track_process daemon {
    process vptrack
    weight -60
}
${tracked(vrrpConfig({ ...shared, priority: 150 }), 'daemon')}
${tracked(vrrpConfig(faultOnly), 'daemon weight 0')}`;
}

const stopDaemon = (child: ChildProcess) => new Promise((r) => child.once('exit', r).kill());

describe('track_process: a daemon starting and stopping moves the election', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();
  let daemon: ChildProcess | undefined;
  after(() => daemon?.kill());

  test('priority follows the process; weight 0 means FAULT, naming it', async () => {
    const { vigild, keepalived, lab } = mixed;
    // Alone on its VRID, VI_2 becomes master after its Master_Down_Interval, racing VI_1's election.
    const vi2Master = (why: string) =>
      pollUntil(
        async () => (await vigild.state('VI_2')) === 'MASTER',
        () => why,
        5000,
      );
    daemon = spawn(daemonBinary, ['600']);
    await Promise.all([vigild.start(vigildConfig()), keepalived.start(vrrpConfig({ ...shared, priority: 100 }))]);
    await expectSoleMaster(lab, vigild, [keepalived, 'BACKUP'], VIP);
    assert.equal((await vigild.instance()).effectivePriority, 150);
    await vi2Master('VI_2 did not become master with its process running');

    await stopDaemon(daemon);
    await expectSoleMaster(lab, keepalived, [vigild, 'BACKUP'], VIP);
    assert.equal((await vigild.instance()).effectivePriority, 90);
    const vi2 = await vigild.instance('VI_2');
    assert.equal(vi2.state, 'FAULT');
    assert.match(vi2.lastTransition?.reason ?? '', /track_process daemon lost its quorum/);

    daemon = spawn(daemonBinary, ['600']);
    await expectSoleMaster(lab, vigild, [keepalived, 'BACKUP'], VIP);
    await vi2Master('VI_2 did not leave FAULT');
    await waitForStates([[keepalived, 'BACKUP']]);
    assert.match(vigild.log, /track_process daemon: quorum lost \(0 running\)/);
  });
});
