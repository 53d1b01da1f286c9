// vrrp_startup_delay with a real vigild in the lab: a lone router becomes master only after the
// delay and its Master_Down_Interval, and a reload that restarts its instance is not delayed
// again (keepalived delays the first start only).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil, vrrpConfig } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';
import { skipWithout } from '../helpers/needs.js';

const skip = await skipWithout(labUnavailable);

const DELAY_S = 3;
const config = (priority: number) =>
  `global_defs {\n  vrrp_startup_delay ${DELAY_S}\n}\n${vrrpConfig({ version: 3, vrid: 53, priority, advertInt: 1, vip: '198.51.100.202/24' })}`;
/** Master_Down_Interval of VRRPv3 at 1 s: 3 s and the skew time. */
const downIntervalS = (priority: number) => 3 + (256 - priority) / 256;

describe('vrrp_startup_delay, with a real vigild', { skip }, () => {
  const lab = new Lab();
  let daemon: DaemonProcess;

  const state = async () => {
    const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
    return StatusResponse.parse(JSON.parse(stdout)).instances[0]?.state;
  };
  /** Seconds from `since` until the instance is MASTER. */
  const untilMaster = async (since: number) => {
    await pollUntil(
      async () => (await state()) === 'MASTER',
      () => `still ${daemon.log.slice(-2000)}`,
      20_000,
    );
    return (Date.now() - since) / 1000;
  };

  before(async () => {
    await lab.up(1);
    daemon = new DaemonProcess({ netns: lab.ns('r1') });
  });
  after(async () => {
    await daemon?.cleanup();
    await lab.down();
  });

  test('the first start waits the delay, then the Master_Down_Interval', async () => {
    daemon.writeConfig(config(150));
    const started = Date.now();
    await daemon.start();
    const seconds = await untilMaster(started);
    assert.ok(seconds >= DELAY_S + downIntervalS(150) - 0.1, `master after ${seconds.toFixed(2)} s`);
  });

  test('a reload that restarts the instance is not delayed', async () => {
    daemon.writeConfig(config(160));
    const reloaded = Date.now();
    const { code, stderr } = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    const seconds = await untilMaster(reloaded);
    assert.ok(seconds < DELAY_S + downIntervalS(160) - 1, `master after ${seconds.toFixed(2)} s`);
  });
});
