// fifo_write_vrrp_states_on_reload in a real vigild, against what Debian's keepalived 2.2.7 wrote
// for the same config (a netns run, recorded here): after a reload the FIFO gets the sync group's
// state and the state of each instance that is not MASTER; masters are not written again.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, vigil, waitFor } from '../../lab/processes.js';
import { skipWithout } from '../helpers/needs.js';

const instance = (name: string, vrid: number, priority: number, extra = '') => `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority ${priority}
  advert_int 0.1
  version 3
  ${extra}
  virtual_ipaddress {
    198.51.100.${vrid}/24
  }
}
`;
const config = (fifo: string) => `global_defs {
  script_user root
  vrrp_notify_fifo ${fifo}
  fifo_write_vrrp_states_on_reload
}
vrrp_script chk {
  script /bin/false
  interval 1
}
vrrp_sync_group G {
  group {
    VI_2
    VI_3
  }
}
${instance('VI_1', 51, 254)}${instance('VI_2', 52, 100)}${instance('VI_3', 53, 100)}${instance('VI_4', 54, 100, 'track_script {\n    chk\n  }')}`;

/** What keepalived 2.2.7 wrote on SIGHUP for this config (with VI_1 at 255, MASTER too), all four in their states already. */
const KEEPALIVED_AFTER_RELOAD = ['GROUP "G" MASTER 0', 'INSTANCE "VI_4" FAULT 100'];

describe('fifo_write_vrrp_states_on_reload in a running vigild', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const fifo = path.join(daemon.dir, 'vrrp.fifo');
  const lines: string[] = [];

  before(async () => {
    await lab.up(1);
    daemon.writeConfig(config(fifo));
    await daemon.start();
    let partial = '';
    createReadStream(fifo, { encoding: 'utf8' }).on('data', (text) => {
      const pieces = (partial + text).split('\n');
      partial = pieces.pop()!;
      lines.push(...pieces);
    });
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test('a reload writes the group and the instances that are not MASTER, as keepalived does', async () => {
    const settled = ['INSTANCE "VI_1" MASTER 254', 'GROUP "G" MASTER 0', 'INSTANCE "VI_4" FAULT 100'];
    await waitFor('all four in their states', () => settled.every((l) => lines.includes(l))).catch((err: Error) =>
      assert.fail(`${err.message}: ${JSON.stringify(lines)}`),
    );
    const before = lines.length;
    const reload = await vigil(['reload', '--socket', daemon.socket]);
    assert.equal(reload.code, 0, reload.stderr);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(lines.slice(before), KEEPALIVED_AFTER_RELOAD);
  });
});
