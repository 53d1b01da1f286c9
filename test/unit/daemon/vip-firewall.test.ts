import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText, type Vip, type VrrpInstance } from '../../../src/config/index.js';
import { needsDropRules, VipFirewall } from '../../../src/daemon/vip-firewall.js';
import { dropElement } from '../../../src/net/nft-ruleset.js';
import type { AddressPort } from '../../../src/vrrp/instance.js';

const SETTINGS = { named: false, table: 'keepalived', priority: -1, counters: false, ifindex: false };
const v4 = (address: string) => dropElement({ address, family: 4 }, 'eth0', false);

function harness(fail = false) {
  const scripts: string[] = [];
  const firewall = new VipFirewall(SETTINGS, async (script) => {
    scripts.push(script);
    if (fail) throw new Error('`nft` is not installed');
  });
  return { firewall, scripts };
}

function instanceOf(body: string): VrrpInstance {
  const text = `global_defs {\n  vrrp_strict\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n`;
  return parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) }).config!.instances[0]!;
}

describe('the VIP drop rules', () => {
  it('are needed by a master that is neither the address owner nor in accept mode', () => {
    assert.equal(needsDropRules(instanceOf('')), true);
    assert.equal(needsDropRules(instanceOf('  priority 255')), false);
    assert.equal(needsDropRules(instanceOf('  version 3\n  accept')), false);
  });

  it('make the table at the first VIP, clearing a left-behind one of either family first, and only once', async () => {
    const { firewall, scripts } = harness();
    await firewall.drop([v4('198.51.100.1')]);
    await firewall.drop([v4('198.51.100.2'), dropElement({ address: '2001:db8::1', family: 6 }, 'eth0', false)]);
    const [first, second] = scripts;
    assert.match(
      first!,
      /^add table ip keepalived\ndelete table ip keepalived\nadd table ip6 keepalived\ndelete table ip6 keepalived\nadd table ip keepalived\n/,
    );
    assert.match(first!, /add element ip keepalived vips \{ 198\.51\.100\.1 \}$/);
    assert.doesNotMatch(second!, /delete table|add table ip keepalived/);
    assert.match(second!, /^add table ip6 keepalived\n/);
    assert.match(
      second!,
      /add element ip keepalived vips \{ 198\.51\.100\.2 \}\nadd element ip6 keepalived vips \{ 2001:db8::1 \}$/,
    );
  });

  it('keep a VIP in the set until its last holder lets go; stop deletes the tables made', async () => {
    const { firewall, scripts } = harness();
    await firewall.drop([v4('198.51.100.1')]);
    await firewall.drop([v4('198.51.100.1')]);
    assert.equal(scripts.length, 1, 'a second holder changes nothing');
    await firewall.allow([v4('198.51.100.1')]);
    assert.equal(scripts.length, 1, 'one holder is left');
    await firewall.allow([v4('198.51.100.1')]);
    await firewall.allow([v4('198.51.100.1')]);
    assert.deepEqual(scripts.slice(1), ['delete element ip keepalived vips { 198.51.100.1 }']);
    await firewall.close();
    await firewall.close();
    assert.deepEqual(scripts.slice(2), ['delete table ip keepalived']);
  });

  it('guard: the rule comes before the VIP and goes after it; a failed nft is logged and the VIP still moves', async () => {
    const { firewall } = harness(true);
    const order: string[] = [];
    const errors: string[] = [];
    const inner: AddressPort = {
      add: async () => void order.push('add VIP'),
      remove: async () => void order.push('remove VIP'),
    };
    const log = { error: (_: unknown, message: string) => errors.push(message) } as never;
    const port = firewall.guard(inner, 'eth0', instanceOf(''), log);
    const vips: Vip[] = instanceOf('').vips;
    await port.add(vips);
    await port.remove(vips);
    assert.deepEqual(order, ['add VIP', 'remove VIP']);
    assert.deepEqual(errors, ['could not set the VIP drop rules']);
  });

  it('guard: drop before add, allow after remove', async () => {
    const { firewall, scripts } = harness();
    const order: string[] = [];
    const inner: AddressPort = {
      add: async () => void order.push(`add VIP after ${scripts.length} nft`),
      remove: async () => void order.push(`remove VIP after ${scripts.length} nft`),
    };
    const port = firewall.guard(inner, 'eth0', instanceOf(''), {} as never);
    const { vips } = instanceOf('');
    await port.add(vips);
    await port.remove(vips);
    assert.deepEqual(order, ['add VIP after 1 nft', 'remove VIP after 1 nft']);
    assert.equal(scripts.length, 2);
  });
});
