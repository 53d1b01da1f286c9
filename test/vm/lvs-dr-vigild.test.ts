// The real LVS-DR path with vigild programming the director: client → director (VIP, IPVS DR
// from keepalived.conf) → real servers answering the client directly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DaemonProcess, vigil } from '../helpers/processes.js';
import { ipv4Of, type NodeName } from '../lab/lab.js';
import { DIRECTOR, LvsLab, outsideVm, VIP } from './lvs-lab.js';

const config = (realServers: NodeName[]) => `virtual_server ${VIP} 80 {
  lb_algo rr
  lb_kind DR
${realServers.map((node) => `  real_server ${ipv4Of(node)} 80 {\n    weight 1\n  }`).join('\n')}
}
`;

describe('LVS-DR programmed by vigild', { skip: outsideVm }, () => {
  const lab = new LvsLab();
  const daemon = new DaemonProcess({ netns: lab.ns(DIRECTOR) });

  before(async () => {
    await lab.upDr(2);
    await lab.serveHttp();
    daemon.writeConfig(config(['r2', 'r3']));
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('requests to the VIP spread across both real servers', async () => {
    const names = await lab.fetchVip(6);
    assert.deepEqual(new Set(names), new Set(['r2', 'r3']), `answers: ${names.join(', ')}`);
  });

  test('a real server removed from the config gets no new connections after a reload', async () => {
    daemon.writeConfig(config(['r2']));
    const { code, stderr } = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(code, 0, stderr);
    const names = await lab.fetchVip(6);
    assert.deepEqual(new Set(names), new Set(['r2']), `answers: ${names.join(', ')}`);
  });
});
