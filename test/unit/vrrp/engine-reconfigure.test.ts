// A reload applied to running instances over fake ports: what an unchanged instance, an updated
// one, a restarted one and the interfaces' addresses go through. The three reloads in which
// keepalived loses VIPs (VRIDs swapped, a VIP moved between instances, an instance removed beside
// masters that stay) must leave every address that stays configured on the interface.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Config, parseConfigText } from '../../../src/config/index.js';
import { VrrpEngine } from '../../../src/vrrp/engine.js';
import type { Transition } from '../../../src/vrrp/instance.js';
import { decodeAdvertisement } from '../../../src/vrrp/packet.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { FakeHost } from '../../helpers/fake-vip-host.js';

const SOURCE = { 4: '198.51.100.11', 6: 'fe80::11' } as const;

/** An instance on lo (ifindex 1, which the fake host's VipAddresses resolve for real). */
function instance(name: string, vrid: number, vips: string[], extra = ''): string {
  return `vrrp_instance ${name} {
  state BACKUP
  interface lo
  virtual_router_id ${vrid}
  priority 100
  advert_int 1
  ${extra}
  virtual_ipaddress {
    ${vips.join('\n    ')}
  }
}
`;
}

function config(text: string): Config {
  const { config, diagnostics } = parseConfigText(text, 'k.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
}

function harness(text: string) {
  const clock = new FakeClock();
  const host = new FakeHost();
  const transitions: Transition[] = [];
  const sockets: string[] = [];
  const resignations: number[] = [];
  const announced: string[] = [];
  /** Address ports handed out and not disposed of: the VIP guard watches one per instance. */
  const addressPorts = { live: 0 };
  const engine = new VrrpEngine(config(text), {
    openSocket: (ifname, family) => {
      sockets.push(`open ${ifname}/${family}`);
      return {
        send: (payload, destination, source) => {
          const decoded = decodeAdvertisement(payload, { family, source, destination });
          if (decoded.ok && decoded.advert.priority === 0) resignations.push(decoded.advert.vrid);
        },
        close: () => sockets.push(`close ${ifname}/${family}`),
      };
    },
    primaryAddress: (_ifname, family) => SOURCE[family],
    addresses: () => {
      const addresses = host.addresses();
      addressPorts.live++;
      return {
        add: (vips) => addresses.add(vips),
        remove: (vips) => addresses.remove(vips),
        release: (vips) => addresses.release(vips),
        dispose: () => addressPorts.live--,
      };
    },
    announcer: () => ({ announce: (vips) => announced.push(...vips.map((v) => v.address)) }),
    clock,
    observer: { transition: (t) => transitions.push(t), problem: () => undefined },
  });
  engine.start();
  // No peer: every instance becomes master after Master_Down_Interval.
  clock.advance(4000);
  /** Reloads `next` and lets the address changes settle; returns what happened meanwhile. */
  const reload = async (next: string) => {
    for (const list of [transitions, sockets, resignations, announced, host.requests]) list.length = 0;
    const outcome = await engine.reconfigure(config(next));
    clock.advance(0);
    await settle();
    return outcome;
  };
  const states = () =>
    Object.fromEntries(engine.status().map((s) => [s.name, `${engine.instance(s.name)?.config.vrid} ${s.state}`]));
  return { engine, clock, host, transitions, sockets, resignations, announced, reload, states, addressPorts };
}

/** Lets queued address changes (promise chains) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const X = '198.51.100.201';
const Y = '198.51.100.202';
const Z = '198.51.100.203';
const on = (host: FakeHost) => [...host.onInterfaces].sort();
const lo = (...addresses: string[]) => addresses.map((a) => `1 ${a}/24`).sort();

describe('VRRP engine reconfiguration', () => {
  test('an unchanged instance is not touched while its neighbour gains a VIP in place', async () => {
    const h = harness(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`]));
    await settle();
    assert.deepEqual(h.states(), { A: '1 MASTER', B: '2 MASTER' });
    const outcome = await h.reload(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`, `${Z}/24`]));
    assert.deepEqual(
      outcome.changes.map((c) => c.kind),
      ['unchanged', 'updated'],
    );
    assert.deepEqual(h.transitions, [], 'no instance changes state');
    assert.deepEqual(h.host.requests, [`add 1 ${Z}/24`], 'only the new VIP is added');
    assert.deepEqual([...new Set(h.announced)], [Z], 'only the new VIP is announced (garp_master_repeat rounds)');
    assert.deepEqual(h.sockets, [], 'the shared socket stays open');
    assert.deepEqual(on(h.host), lo(X, Y, Z));
    await h.engine.stop();
  });

  test('VRIDs swapped: each virtual router keeps its master, and no VIP leaves the interface', async () => {
    const h = harness(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`]));
    await settle();
    await h.reload(instance('A', 2, [`${X}/24`]) + instance('B', 1, [`${Y}/24`]));
    assert.deepEqual(h.states(), { B: '1 MASTER', A: '2 MASTER' });
    assert.deepEqual(h.transitions, []);
    assert.deepEqual(h.resignations, [], 'nobody resigns');
    assert.ok(!h.host.requests.some((r) => r.startsWith('remove')), `no VIP removed: ${h.host.requests}`);
    assert.deepEqual(on(h.host), lo(X, Y));
    // The addresses are still ours: stopping removes both.
    await h.engine.stop();
    assert.deepEqual(on(h.host), []);
  });

  test('a VIP moved from one master instance to another never leaves the interface', async () => {
    const h = harness(instance('A', 1, [`${X}/24`, `${Z}/24`]) + instance('B', 2, [`${Y}/24`]));
    await settle();
    await h.reload(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`, `${Z}/24`]));
    assert.deepEqual(h.transitions, []);
    assert.ok(!h.host.requests.some((r) => r.startsWith('remove')), `no VIP removed: ${h.host.requests}`);
    assert.deepEqual(on(h.host), lo(X, Y, Z));
    // B holds it now: B leaving the virtual router takes it away, A's leaving does not.
    await h.reload(instance('A', 1, [`${X}/24`]));
    assert.deepEqual(on(h.host), lo(X));
    await h.engine.stop();
  });

  test('an instance removed beside masters that stay: it resigns, the others keep state and VIPs', async () => {
    const h = harness(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`]) + instance('C', 3, [`${Z}/24`]));
    await settle();
    await h.reload(instance('A', 1, [`${X}/24`]) + instance('C', 3, [`${Z}/24`]));
    assert.deepEqual(h.resignations, [2, 2], 'B sends priority 0 (twice)');
    assert.deepEqual(
      h.transitions.map((t) => `${t.instance} ${t.from}->${t.to}`),
      ['B MASTER->INIT'],
    );
    assert.deepEqual(h.host.requests, [`remove 1 ${Y}/24`]);
    assert.deepEqual(on(h.host), lo(X, Z));
    assert.deepEqual(h.states(), { A: '1 MASTER', C: '3 MASTER' });
    await h.engine.stop();
  });

  test('a removed instance leaves a VIP another master still holds', async () => {
    const h = harness(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${X}/24`, `${Y}/24`]));
    await settle();
    await h.reload(instance('A', 1, [`${X}/24`]));
    assert.deepEqual(h.host.requests, [`remove 1 ${Y}/24`]);
    assert.deepEqual(on(h.host), lo(X));
    await h.engine.stop();
  });

  test('priority changes in place; advert_int restarts that instance alone', async () => {
    const h = harness(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`]));
    await settle();
    const outcome = await h.reload(
      instance('A', 1, [`${X}/24`]).replace('priority 100', 'priority 120') +
        instance('B', 2, [`${Y}/24`]).replace('advert_int 1', 'advert_int 2'),
    );
    assert.deepEqual(
      outcome.changes.map((c) => (c.kind === 'restarted' ? `${c.kind}: ${c.reason}` : c.kind)),
      ['updated', 'restarted: advertInt changed'],
    );
    assert.equal(h.engine.instance('A')?.status().priority, 120);
    assert.deepEqual(
      h.transitions.map((t) => `${t.instance} ${t.from}->${t.to}`),
      ['B MASTER->INIT', 'B INIT->BACKUP'],
    );
    assert.deepEqual(h.host.requests, [`remove 1 ${Y}/24`]);
    h.clock.advance(8000);
    await settle();
    assert.deepEqual(h.states(), { A: '1 MASTER', B: '2 MASTER' });
    await h.engine.stop();
  });

  test('accept mode restarts the instance: its VIPs get or lose their drop rules with a new address port', async () => {
    const h = harness(instance('A', 1, [`${X}/24`]));
    await settle();
    const outcome = await h.reload(instance('A', 1, [`${X}/24`], 'no_accept'));
    assert.deepEqual(
      outcome.changes.map((c) => (c.kind === 'restarted' ? `${c.kind}: ${c.reason}` : c.kind)),
      ['restarted: accept changed'],
    );
    await h.engine.stop();
  });

  test('sync groups: a changed group restarts its members only; an unchanged group stays', async () => {
    const groups = (gMembers: string) => `vrrp_sync_group G {
  group {
    ${gMembers}
  }
}
vrrp_sync_group H {
  group {
    C
    D
  }
}
`;
    const base = instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`]);
    const other = instance('C', 3, ['198.51.100.204/24']) + instance('D', 4, ['198.51.100.205/24']);
    const h = harness(groups('A\n    B') + base + other);
    await settle();
    const outcome = await h.reload(groups('A') + base + other);
    assert.deepEqual(
      outcome.changes.map((c) => `${c.kind === 'removed' ? c.from.name : c.to.name} ${c.kind}`),
      ['A restarted', 'B restarted', 'C unchanged', 'D unchanged'],
    );
    const touched = new Set(h.transitions.map((t) => t.instance));
    assert.deepEqual([...touched].sort(), ['A', 'B']);
    // A VIP added to a member of an unchanged group: in place, the group stays master.
    const more = `${other}vrrp_instance E {\n  interface lo\n  virtual_router_id 5\n  virtual_ipaddress {\n    198.51.100.206/24\n  }\n}\n`;
    await h.reload(groups('A') + base + more);
    const inPlace = await h.reload(
      groups('A') + base + more.replace('198.51.100.204/24', '198.51.100.204/24\n    198.51.100.207/24'),
    );
    assert.deepEqual(
      inPlace.changes.map((c) => `${c.kind === 'removed' ? c.from.name : c.to.name} ${c.kind}`),
      ['A unchanged', 'B unchanged', 'C updated', 'D unchanged', 'E unchanged'],
    );
    assert.deepEqual(h.transitions, []);
    assert.deepEqual(h.host.requests, ['add 1 198.51.100.207/24']);
    await h.engine.stop();
  });

  test('sockets: a link still in use stays open, a new one opens, an unused one closes', async () => {
    const v6 = (name: string, vrid: number) => instance(name, vrid, ['2001:db8::201/64']);
    const h = harness(instance('A', 1, [`${X}/24`]) + instance('B', 2, [`${Y}/24`]));
    await settle();
    let outcome = await h.reload(instance('A', 1, [`${X}/24`]) + v6('B6', 2));
    assert.deepEqual(h.sockets, ['open lo/6']);
    assert.deepEqual(outcome.opened, ['lo/6']);
    outcome = await h.reload(v6('B6', 2));
    assert.deepEqual(h.sockets, ['close lo/4']);
    assert.deepEqual(outcome.closed, ['lo/4']);
    await h.reload(v6('B6', 2).replace('advert_int 1', 'advert_int 2'));
    assert.deepEqual(h.sockets, [], 'an instance restarting alone on its link keeps the socket');
    await h.engine.stop();
  });
});

describe('reloads over time', () => {
  test('an instance a reload removes lets go of its address port: reloads do not pile up watched instances', async () => {
    const a = instance('VI_A', 1, ['198.51.100.201/24']);
    const b = instance('VI_B', 2, ['198.51.100.202/24']);
    const h = harness(a + b);
    assert.equal(h.addressPorts.live, 2);
    for (let i = 0; i < 10; i++) {
      await h.reload(a);
      await h.reload(a + b);
    }
    assert.equal(h.addressPorts.live, 2);
    await h.reload(a);
    assert.equal(h.addressPorts.live, 1);
  });
});
