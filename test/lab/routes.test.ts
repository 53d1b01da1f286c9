// static_routes / static_rules and virtual_routes / virtual_rules as the kernel shows them
// (`ip route`, `ip rule`): the static ones are there while vigild runs, the virtual ones while
// its instance is master; a route vigild did not add, even one identical but for its protocol,
// is never touched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Lab, labUnavailable, type NodeName } from '../../lab/lab.js';
import { pollUntil, VigildRouter, waitForStates } from '../../lab/routers.js';
import { skipWithout } from '../helpers/needs.js';

const skip = await skipWithout(labUnavailable);

const config = (priority: number) => `static_routes {
  203.0.113.64/26 via 198.51.100.1 dev eth0
}
static_rules {
  fwmark 7 table 101 preference 90
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 0.1
  version 3
  virtual_ipaddress {
    198.51.100.200/24 dev eth0
  }
  virtual_routes {
    src 198.51.100.200 203.0.113.0/26 via 198.51.100.1 dev eth0 table 100
    2001:db8:1::/64 via 2001:db8::1 dev eth0 table 100 metric 5
    blackhole 203.0.113.128/25
  }
  virtual_rules {
    from 198.51.100.200 table 100 preference 100
    to 2001:db8:1::/64 table 100 preference 100
  }
}
`;

/** The lines each node must show while its instance is master, and only then. */
const VIRTUAL = [
  '203.0.113.0/26 via 198.51.100.1 dev eth0 table 100 proto keepalived src 198.51.100.200',
  '2001:db8:1::/64 via 2001:db8::1 dev eth0 table 100 proto keepalived metric 5 pref medium',
  'blackhole 203.0.113.128/25 proto keepalived',
  '100:\tfrom 198.51.100.200 lookup 100 proto keepalived',
  '100:\tfrom all to 2001:db8:1::/64 lookup 100 proto keepalived',
];
const STATIC = [
  '203.0.113.64/26 via 198.51.100.1 dev eth0 proto keepalived',
  '90:\tfrom all fwmark 0x7 lookup 101 proto keepalived',
];
/** Added by hand on r1 before vigild starts: the same route as a virtual one, of another protocol. */
/** A virtual rule left behind by a killed run, keepalived's protocol and all. */
const LEFTOVER_RULE = 'from 198.51.100.200 lookup 100 pref 100 proto keepalived';
const FOREIGN = '203.0.113.0/26 via 198.51.100.1 dev eth0 table 100 proto static';

describe('static and virtual routes and rules', { skip }, () => {
  const lab = new Lab();
  const r1 = new VigildRouter(lab, 'r1');
  const r2 = new VigildRouter(lab, 'r2');

  /** Everything the kernel routes by on `node`, one entry a line, as `ip` prints it. */
  async function routing(node: NodeName): Promise<string[]> {
    const shown = await Promise.all(
      [
        ['ip', 'route', 'show', 'table', 'all'],
        ['ip', '-6', 'route', 'show', 'table', 'all'],
        ['ip', 'rule'],
        ['ip', '-6', 'rule'],
      ].map((argv) => lab.exec(node, argv)),
    );
    return shown.flatMap(({ stdout }) => stdout.split('\n').map((l) => l.trim()));
  }

  async function expectRouting(node: NodeName, present: string[], absent: string[]): Promise<void> {
    let lines: string[] = [];
    await pollUntil(
      async () => {
        lines = await routing(node);
        return present.every((l) => lines.includes(l)) && absent.every((l) => !lines.includes(l));
      },
      () =>
        `${node} should show ${JSON.stringify(present)} and not ${JSON.stringify(absent)}; it shows:\n${lines.join('\n')}`,
    );
  }

  before(async () => {
    await lab.up(2);
    await lab.exec('r1', ['ip', 'route', 'add', ...FOREIGN.split(' ')]);
    // As a vigild (or keepalived) killed while master leaves it: a backup must not keep it.
    await lab.exec('r2', ['ip', 'rule', 'add', ...LEFTOVER_RULE.split(' ')]);
  });
  after(async () => {
    await Promise.all([r1.cleanup(), r2.cleanup()]);
    await lab.down();
  });

  test('the master has the virtual ones, both have the static ones', async () => {
    await Promise.all([r1.start(config(150)), r2.start(config(100))]);
    await waitForStates([
      [r1, 'MASTER'],
      [r2, 'BACKUP'],
    ]);
    await expectRouting('r1', [...VIRTUAL, ...STATIC, FOREIGN], []);
    await expectRouting('r2', STATIC, VIRTUAL);
  });

  test('on stop they go, and the route vigild did not add stays', async () => {
    await r1.stop();
    await waitForStates([[r2, 'MASTER']]);
    await expectRouting('r1', [FOREIGN], [...VIRTUAL, ...STATIC]);
    await expectRouting('r2', [...VIRTUAL, ...STATIC], []);
  });

  test('a master that becomes backup removes its virtual ones', async () => {
    await r1.start(config(150));
    await waitForStates([
      [r1, 'MASTER'],
      [r2, 'BACKUP'],
    ]);
    await expectRouting('r2', STATIC, VIRTUAL);
    await expectRouting('r1', [...VIRTUAL, ...STATIC, FOREIGN], []);
    assert.ok(!r2.log.includes('could not'), r2.log);
  });

  test('a reload beside the master changes only the entries that changed, with no transition', async () => {
    const moved = (text: string) =>
      text.replace('203.0.113.128/25', '203.0.113.160/27').replace('table 101', 'table 102');
    const logBefore = r1.log.length;
    await r1.reload(moved(config(150)));
    const changed = [
      'blackhole 203.0.113.160/27 proto keepalived',
      '90:\tfrom all fwmark 0x7 lookup 102 proto keepalived',
    ];
    const gone = [
      'blackhole 203.0.113.128/25 proto keepalived',
      '90:\tfrom all fwmark 0x7 lookup 101 proto keepalived',
    ];
    await expectRouting('r1', [...changed, ...VIRTUAL.filter((l) => !gone.includes(l)), FOREIGN], gone);
    await waitForStates([[r1, 'MASTER']]);
    assert.ok(!r1.log.slice(logBefore).includes(': MASTER ->'), `no transition:\n${r1.log.slice(logBefore)}`);
  });

  test('killed as master and restarted as backup, it removes what it had added, and only that', async () => {
    // r1 runs the reloaded config: its routes and rules are those of MOVED now.
    await r1.kill();
    await waitForStates([[r2, 'MASTER']]);
    await r1.start(config(50));
    await waitForStates([[r1, 'BACKUP']]);
    const moved = [
      'blackhole 203.0.113.160/27 proto keepalived',
      '90:\tfrom all fwmark 0x7 lookup 102 proto keepalived',
    ];
    await expectRouting('r1', [...STATIC, FOREIGN], [...VIRTUAL, ...moved]);
    assert.match(r1.log, /removed a route left behind by a previous run/);
  });
});
