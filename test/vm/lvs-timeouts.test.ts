// lvs_timeouts against a real IPVS kernel (in the guest of `npm run test:vm`), read back with
// `ipvsadm -L --timeout`: set at start, changed by a reload, and a value not written kept.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { ipvsadm, outsideVm } from './lvs-lab.js';

const config = (timeouts: string) => `global_defs {
  lvs_timeouts ${timeouts}
}
virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_kind DR
  real_server 203.0.113.21 80 {
  }
}
`;

/** The kernel's [tcp, tcpfin, udp] timeouts, as ipvsadm prints them. */
const timeouts = async (): Promise<number[]> => {
  const text = await ipvsadm(['-L', '--timeout']);
  const match = /Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)/.exec(text);
  assert.ok(match, text);
  return match.slice(1).map(Number);
};

describe('lvs_timeouts in a real IPVS kernel', { skip: outsideVm }, () => {
  const daemon = new DaemonProcess();

  before(async () => {
    // The kernel's defaults, whatever a test before left.
    await ipvsadm(['--set', '900', '120', '300']);
    daemon.writeConfig(config('tcp 7200 tcpfin 30 udp 45'));
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await ipvsadm(['--set', '900', '120', '300']);
  });

  test('vigild sets them at start', async () => {
    assert.deepEqual(await timeouts(), [7200, 30, 45]);
  });

  test('a reload sets the new ones; one no longer written keeps its value, as in keepalived', async () => {
    daemon.writeConfig(config('udp 60'));
    const { code, stderr } = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    await waitFor('the timeouts log line', () => /"udp":60/.test(daemon.log));
    assert.deepEqual(await timeouts(), [7200, 30, 60]);
  });
});
