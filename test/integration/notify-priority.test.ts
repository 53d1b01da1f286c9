// notify_priority_changes from a real vigild: when tracking moves an instance's effective
// priority, its notify FIFO gets keepalived's MASTER_PRIORITY line (BACKUP_PRIORITY when not
// master); an instance that does not ask for them gets none, nor with the global default off.
import assert from 'node:assert/strict';
import { createReadStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, waitFor } from '../../lab/processes.js';
import { skipWithout } from '../helpers/needs.js';

function instance(name: string, vrid: number, own: string): string {
  return `vrrp_instance ${name} {
  state MASTER
  interface eth0
  virtual_router_id ${vrid}
  priority 150
  version 3
  advert_int 0.1
  ${own}
  track_file {
    load
  }
  virtual_ipaddress {
    198.51.100.${vrid}/24
  }
}
`;
}

describe('notify_priority_changes of a running vigild', { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const fifo = path.join(daemon.dir, 'vrrp.fifo');
  const load = path.join(daemon.dir, 'load');
  const lines: string[] = [];

  before(async () => {
    await lab.up(1);
    writeFileSync(load, '0\n');
    daemon.writeConfig(`global_defs {
  vrrp_notify_fifo ${fifo}
}
vrrp_track_file load {
  file ${load}
  weight 1
}
${instance('VI_ASKS', 61, 'notify_priority_changes')}${instance('VI_QUIET', 62, '')}`);
    await daemon.start();
    createReadStream(fifo, { encoding: 'utf8' }).on('data', (text) => lines.push(...String(text).split('\n')));
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test("a tracked file's weight writes MASTER_PRIORITY with the new priority, only for the instance that asks", async () => {
    await waitFor('both masters', () => lines.filter((l) => l.endsWith('MASTER 150')).length === 2);
    writeFileSync(load, '-10\n');
    await waitFor('the priority line', () => lines.includes('INSTANCE "VI_ASKS" MASTER_PRIORITY 140')).catch(
      (err: Error) => assert.fail(`${err.message}; lines: ${JSON.stringify(lines)}; log:\n${daemon.log}`),
    );
    await waitFor('the quiet instance to log its change', () =>
      daemon.log.includes('VI_QUIET: effective priority 150 -> 140'),
    );
    assert.equal(lines.filter((l) => l.includes('PRIORITY')).length, 1, JSON.stringify(lines));
  });
});
