// The vmacs carried out against a fake kernel: made, tuned and brought up; only the ones vigild
// made are deleted; a previous run's leftover is taken back or removed; the lower device's
// sysctls are put back as they were found.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Link, MacvlanSpec, Rtnetlink } from '../../../src/net/rtnetlink.js';
import type { SysctlPort } from '../../../src/net/sysctl.js';
import { type VmacLedger, VmacLinks, type VmacWant } from '../../../src/net/vmac-links.js';

class FakeKernel {
  links: Link[] = [{ index: 2, name: 'eth0', up: true, running: true, lowerUp: true, flags: 0, kind: 'veth' }];
  calls: string[] = [];
  sysctls = new Map<string, number>([
    ['net/ipv4/conf/eth0/arp_ignore', 0],
    ['net/ipv4/conf/eth0/arp_filter', 0],
  ]);
  #next = 10;

  rtnl = {
    listLinks: async () => [...this.links],
    listAddresses: async () => [],
    addMacvlan: async (spec: MacvlanSpec) => {
      this.calls.push(`add ${spec.name} ${spec.mac} on ${spec.parentIndex} mode ${spec.mode}`);
      this.links.push({ ...this.macvlan(this.#next++, spec.name, spec.mac) });
    },
    setLinkUp: async (_index: number, name: string) => void this.calls.push(`up ${name}`),
    removeLink: async (index: number, name: string) => {
      this.calls.push(`delete ${name}`);
      this.links = this.links.filter((l) => l.index !== index);
    },
  } as unknown as Rtnetlink;

  sysctl: SysctlPort = {
    read: (path) => this.sysctls.get(path),
    write: (path, value) => void this.sysctls.set(path, value),
  };

  macvlan(index: number, name: string, mac: string): Link {
    return {
      index,
      name,
      mac,
      up: false,
      running: false,
      lowerUp: false,
      flags: 0,
      kind: 'macvlan',
      macvlanMode: 1,
      parentIndex: 2,
    };
  }
}

class MemoryLedger implements VmacLedger {
  constructor(public names: string[] = []) {}
  owned(): string[] {
    return [...this.names];
  }
  record(name: string): void {
    this.names = [...this.names, name];
  }
  forget(name: string): void {
    this.names = this.names.filter((n) => n !== name);
  }
}

const WANT: VmacWant = { instance: 'VI_1', base: 'eth0', family: 4, vrid: 7, xmitBase: false };

describe('vmac links', () => {
  test('made, tuned and brought up; deleted on clear, with the lower device put back as found', async () => {
    const kernel = new FakeKernel();
    const ledger = new MemoryLedger();
    const vmacs = new VmacLinks(kernel.rtnl, ledger, () => undefined, kernel.sysctl);
    await vmacs.ensure([WANT]);
    assert.equal(vmacs.nameOf(WANT), 'vrrp.7');
    assert.deepEqual(kernel.calls, ['add vrrp.7 00:00:5e:00:01:07 on 2 mode 1', 'up vrrp.7']);
    assert.equal(kernel.sysctls.get('net/ipv4/conf/vrrp.7/rp_filter'), 0);
    assert.equal(kernel.sysctls.get('net/ipv4/conf/eth0/arp_ignore'), 1);
    assert.deepEqual(ledger.names, ['vrrp.7']);

    await vmacs.clear();
    assert.deepEqual(kernel.calls.at(-1), 'delete vrrp.7');
    assert.equal(kernel.sysctls.get('net/ipv4/conf/eth0/arp_ignore'), 0);
    assert.equal(kernel.sysctls.get('net/ipv4/conf/eth0/arp_filter'), 0);
    assert.deepEqual(ledger.names, []);
  });

  test('a matching vmac vigild did not make is used and left in place; one it made is taken back and deleted', async () => {
    for (const [ledgered, deleted] of [
      [[], false],
      [['vrrp.7'], true],
    ] as const) {
      const kernel = new FakeKernel();
      kernel.links.push(kernel.macvlan(9, 'vrrp.7', '00:00:5e:00:01:07'));
      const vmacs = new VmacLinks(kernel.rtnl, new MemoryLedger([...ledgered]), () => undefined, kernel.sysctl);
      await vmacs.ensure([WANT]);
      assert.deepEqual(kernel.calls, ['up vrrp.7'], 'no second vmac is made');
      await vmacs.clear();
      assert.equal(kernel.calls.includes('delete vrrp.7'), deleted);
    }
  });

  test("a previous run's vmac that no instance wants any more is deleted at start", async () => {
    const kernel = new FakeKernel();
    kernel.links.push(kernel.macvlan(9, 'vrrp.9', '00:00:5e:00:01:09'));
    const logged: string[] = [];
    const ledger = new MemoryLedger(['vrrp.9']);
    await new VmacLinks(kernel.rtnl, ledger, (m) => logged.push(m), kernel.sysctl).ensure([WANT]);
    assert.ok(kernel.calls.includes('delete vrrp.9'));
    assert.deepEqual(ledger.names, ['vrrp.7']);
    assert.match(logged.join('\n'), /removed vmac vrrp.9 left behind/);
  });
});
