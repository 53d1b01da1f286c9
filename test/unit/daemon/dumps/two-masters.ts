// Two instances that are MASTER, as Debian's keepalived 2.2.7 dumped them in the lab (its
// keepalived.data, .stats and .json for this config, captured 2026-12-01), and the runtime status
// vigild has for the same moment. The expected texts are keepalived's, less what the formatters
// leave out on purpose (see each test).
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../../src/config/index.js';
import { instanceViews } from '../../../../src/daemon/dumps/instance-view.js';
import { emptyCounters, type InstanceStatus } from '../../../../src/vrrp/instance.js';

/**
 * keepalived's default for vrrp_higher_prio_send_advert is written out (so its dumps are what it
 * wrote without it): vigil's default is on (docs/keepalived-compat.md).
 */
export const CONFIG_TEXT = `global_defs {
    vrrp_higher_prio_send_advert off
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        198.51.100.200/24 dev eth0
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    version 2
    virtual_router_id 52
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        198.51.100.201/24
    }
}
`;

export function loadTwoMasters() {
  const { config, diagnostics } = parseConfigText(CONFIG_TEXT, 'keepalived.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
}

/** The engine's clock stands at 1000 ms when the wall clock reads `WALL_NOW`. */
export const WALL_NOW = Date.UTC(2026, 11, 1, 20, 53, 6, 0);
const MONOTONIC_NOW = 1000;

function master(name: string, priority: number, transitionMs: number, masterDownIntervalMs: number): InstanceStatus {
  const at = new Date(transitionMs);
  return {
    name,
    sourceAddress: '198.51.100.11',
    state: 'MASTER',
    priority,
    effectivePriority: priority,
    masterAddress: '198.51.100.11',
    masterAdvertIntervalCs: 100,
    skewTimeMs: 0,
    masterDownIntervalMs,
    // Its next advert, two seconds after the transition (keepalived's "Read timeout").
    nextDeadline: MONOTONIC_NOW + transitionMs + 2000 - WALL_NOW,
    operator: 'none',
    handingOff: false,
    waitingForSyncGroup: false,
    lastTransition: { instance: name, from: 'BACKUP', to: 'MASTER', reason: 'test', at },
    counters: { ...emptyCounters(), advertsSent: 2, becameMaster: 1 },
  };
}

export const LIVE: InstanceStatus[] = [
  master('VI_1', 150, Date.UTC(2026, 11, 1, 20, 53, 5, 144), 3414.0625),
  master('VI_2', 100, Date.UTC(2026, 11, 1, 20, 53, 5, 342), 3609.375),
];

export const views = (live: InstanceStatus[] = LIVE) =>
  instanceViews(loadTwoMasters(), live, { wallNow: WALL_NOW, monotonicNow: MONOTONIC_NOW }, { ifindex: () => 2 });
