// vigild as a drop-in for keepalived's IPVS side, on a real kernel: from the same
// keepalived.conf it programs exactly keepalived's table (corrections included), and switching a
// live director over drops no connection: keepalived stopped with --dont-release-ipvs leaves its
// table, and vigild adopts every entry without a single kernel change.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { startKeepalived } from '../../lab/keepalived.js';
import { DaemonProcess, vigil } from '../../lab/processes.js';
import { pollUntil } from '../../lab/routers.js';
import { StatusResponse } from '../../src/api/schema.js';
import { listing, outsideVm } from './lvs-lab.js';

// Real servers without checkers (keepalived and vigild both count them as alive), written the
// ways keepalived corrects: no protocol (UDP), portless real and sorry servers, a repeated real
// server, DR ports that differ, a quorum above the total weight, ops on TCP, a portless service,
// a virtual server without real servers, groups with ranges and fwmarks, TUN.
const CONFIG = `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_kind NAT
  sorry_server 203.0.113.99
  sorry_server_inhibit
  real_server 203.0.113.21 {
  }
}
virtual_server 198.51.100.81 80 {
  protocol TCP
  lb_kind DR
  real_server 203.0.113.21 {
    weight 2
  }
  real_server 203.0.113.21 80 {
    weight 5
  }
}
virtual_server_group G {
  198.51.100.90
}
virtual_server group G {
  protocol TCP
  lb_kind NAT
  real_server 203.0.113.21 80 {
  }
}
virtual_server fwmark 7 {
  lb_kind NAT
  sorry_server 203.0.113.99
  sorry_server_inhibit
  real_server 203.0.113.21 8080 {
  }
}
virtual_server_group H {
  198.51.100.91 80
}
virtual_server group H {
  protocol TCP
  lb_kind DR
  sorry_server 203.0.113.99 9090
  sorry_server_inhibit
  real_server 203.0.113.22 8080 {
  }
}
virtual_server 198.51.100.82 80 {
  protocol TCP
  ops
  real_server 203.0.113.21 80 {
  }
}
virtual_server 198.51.100.83 80 {
  ops
  lb_kind DR
  sorry_server 203.0.113.99
  sorry_server_inhibit
  real_server 203.0.113.23 {
  }
}
virtual_server 198.51.100.84 80 {
  lb_kind DR
  sorry_server 203.0.113.99 8080
  sorry_server_inhibit
  real_server 203.0.113.21 8081 {
  }
  real_server 203.0.113.21 8081 {
  }
  quorum 5
  hysteresis 7
  ops
}
virtual_server 198.51.100.85 0 {
  lb_kind NAT
  protocol TCP
  sorry_server 203.0.113.99
  sorry_server_inhibit
  real_server 203.0.113.21 {
  }
}
virtual_server 198.51.100.86 80 {
  sorry_server 203.0.113.99 80
}
virtual_server fwmark 5 {
  protocol TCP
  lb_kind DR
  sorry_server 203.0.113.99 80
  sorry_server_inhibit
  real_server 203.0.113.21 80 {
  }
}
virtual_server_group MIX {
  198.51.100.92 443
  198.51.100.93-94 0
  fwmark 11
}
virtual_server group MIX {
  lb_kind TUN
  lb_algo rr
  real_server 203.0.113.24 8443 {
    weight 3
  }
  real_server 203.0.113.25 {
  }
}
virtual_server 198.51.100.87 {
  protocol UDP
  lb_kind DR
  real_server 203.0.113.26 53 {
  }
}
`;

const table = () => listing();

/** The table once two reads half a second apart agree and it is not empty: a daemon has finished programming. */
async function settledTable(what: string, log: () => string): Promise<string[]> {
  let previous = '';
  let seen: string[] = [];
  await pollUntil(
    async () => {
      await new Promise((r) => setTimeout(r, 500));
      seen = await table();
      const same = seen.length > 0 && JSON.stringify(seen) === previous;
      previous = JSON.stringify(seen);
      return same;
    },
    () => `${what}: ${JSON.stringify(seen)}\n${log()}`,
    30_000,
  );
  return seen;
}

describe('keepalived and vigild on one director', { skip: outsideVm }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-handover-'));
  const configPath = path.join(dir, 'keepalived.conf');
  writeFileSync(configPath, CONFIG);
  let keepalivedTable: string[] = [];
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('from the same keepalived.conf, vigild programs exactly the table keepalived does', async () => {
    const keepalived = startKeepalived(dir, configPath);
    try {
      keepalivedTable = await settledTable("keepalived's table", keepalived.log);
    } finally {
      await keepalived.stop();
    }
    assert.deepEqual(await table(), [], 'keepalived removes its table on stop');

    const daemon = new DaemonProcess({ configPath });
    try {
      await daemon.start();
      assert.deepEqual(await table(), keepalivedTable);
      await daemon.stop();
      assert.deepEqual(await table(), []);
    } finally {
      await daemon.cleanup();
    }
  });

  test('keepalived stopped with --dont-release-ipvs: vigild adopts its table without one kernel change, and owns it', async () => {
    const keepalived = startKeepalived(dir, configPath, ['--dont-release-ipvs']);
    try {
      assert.deepEqual(await settledTable("keepalived's table", keepalived.log), keepalivedTable);
    } finally {
      await keepalived.stop();
    }
    assert.deepEqual(await table(), keepalivedTable, '--dont-release-ipvs: the table outlives keepalived');

    const daemon = new DaemonProcess({ configPath });
    try {
      await daemon.start();
      assert.deepEqual(await table(), keepalivedTable);
      assert.doesNotMatch(daemon.log, /IPVS table reconciled/, 'adopted without one kernel change');
      const { stdout } = await vigil(['status', '--json', '--socket', daemon.socket]);
      const status = StatusResponse.parse(JSON.parse(stdout));
      assert.equal(status.ipvs.ownedServices, keepalivedTable.filter((line) => !line.startsWith('->')).length);
      // Owned now: vigild's own stop removes it.
      await daemon.stop();
      assert.deepEqual(await table(), []);
    } finally {
      await daemon.cleanup();
    }
  });
});
