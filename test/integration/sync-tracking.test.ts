// A sync group's own tracking in a real vigild: its track_file moves every member's priority, its
// failing track_script puts the whole group in FAULT, and a member's own weighted track_script is
// not tracked there (keepalived 2.2.7's correction, said at start).
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable } from '../../lab/lab.js';
import { DaemonProcess, waitFor } from '../../lab/processes.js';
import { skipWithout } from '../helpers/needs.js';

const member = (name: string, vrid: number, own: string) => `vrrp_instance ${name} {
  state MASTER
  interface eth0
  virtual_router_id ${vrid}
  priority 150
  version 3
  advert_int 0.1
  ${own}
  virtual_ipaddress {
    198.51.100.${vrid}/24
  }
}
`;

describe("a sync group's own tracking in a running vigild", { skip: await skipWithout(labUnavailable) }, () => {
  const lab = new Lab();
  const daemon = new DaemonProcess({ netns: lab.ns('r1') });
  const load = path.join(daemon.dir, 'load');
  const broken = path.join(daemon.dir, 'broken');
  const check = path.join(daemon.dir, 'check.sh');
  const waitLog = (what: string, text: string) =>
    waitFor(what, () => daemon.log.includes(text)).catch((err: Error) =>
      assert.fail(`${err.message}; log:\n${daemon.log.slice(-3000)}`),
    );

  before(async () => {
    await lab.up(1);
    writeFileSync(load, '0\n');
    // Fails while the file `broken` exists.
    writeFileSync(check, `#!/bin/sh\ntest ! -e ${broken}\n`);
    chmodSync(check, 0o755);
    daemon.writeConfig(`vrrp_script chk {
  script ${check}
  interval 0.2
}
vrrp_script chk_weighted {
  script /bin/false
  interval 0.2
  weight -50
}
vrrp_track_file load {
  file ${load}
}
vrrp_sync_group G {
  group {
    VI_A
    VI_B
  }
  track_file {
    load weight 1
  }
  track_script {
    chk
  }
}
${member('VI_A', 61, 'track_script {\n    chk_weighted\n  }')}${member('VI_B', 62, '')}`);
    await daemon.start();
  });
  after(async () => {
    await daemon.cleanup();
    await lab.down();
  });

  test("the group's track_file moves both members; the member's own weighted script counts for nothing", async () => {
    await waitLog('the group master', 'sync group G: BACKUP -> MASTER');
    assert.match(
      daemon.log,
      /track_script chk_weighted is not tracked, having a weight: weights do not apply in sync group `G`/,
    );
    writeFileSync(load, '-10\n');
    await waitLog('VI_A at 140', 'VI_A: effective priority 150 -> 140');
    await waitLog('VI_B at 140', 'VI_B: effective priority 150 -> 140');
  });

  test("the group's failing track_script puts the whole group in FAULT, and its recovery brings it back", async () => {
    writeFileSync(broken, '');
    await waitLog('the group in FAULT', 'sync group G: MASTER -> FAULT');
    await waitLog('VI_B in FAULT', 'VI_B: MASTER -> FAULT');
    rmSync(broken);
    await waitLog('the group back', 'sync group G: FAULT -> ');
  });
});
