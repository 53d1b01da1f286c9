// use_vmac, vmac_xmit_base and vmac_prefix as keepalived 2.2.7 reads them, with its corrections.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });

const INSTANCE = (body: string, vips = '198.51.100.10/24') =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    ${vips}\n  }\n}\n`;

describe('use_vmac', () => {
  it('takes an optional name, with no warning; vmac_xmit_base and vmac_prefix are read', () => {
    const result = load(`global_defs {\n  vmac_prefix vip\n}\n${INSTANCE('  use_vmac vip51\n  vmac_xmit_base')}`);
    const config = expectLoaded(result);
    assert.deepEqual(warningsOf(result), []);
    assert.deepEqual(config.instances[0]!.vmac, { name: 'vip51' });
    assert.equal(config.instances[0]!.vmacXmitBase, true);
    assert.equal(config.global.vmacPrefix, 'vip');
    assert.deepEqual(expectLoaded(load(INSTANCE('  use_vmac'))).instances[0]!.vmac, {});
  });

  it('refuses a name the kernel would refuse, and warns that a MAC is not used', () => {
    expectDiagnostic(load(INSTANCE('  use_vmac a/b')), 'error', 'mem.conf:4:12', 'not a valid interface name');
    expectDiagnostic(load(INSTANCE('  use_vmac averyveryverylong')), 'error', 'mem.conf:4:12', '1-15 bytes');
    const mac = load(INSTANCE('  use_vmac 02:00:00:00:00:07'));
    expectDiagnostic(mac, 'warning', 'mem.conf:4:12', 'a MAC address for `use_vmac` is not implemented');
  });

  it('vmac_xmit_base without use_vmac is ignored, with a warning', () => {
    const result = load(INSTANCE('  vmac_xmit_base'));
    expectDiagnostic(result, 'warning', 'mem.conf:4:3', 'only valid with `use_vmac`');
    assert.equal(expectLoaded(result).instances[0]!.vmacXmitBase, undefined);
  });

  it('unicast peers with use_vmac get vmac_xmit_base, as keepalived sets it', () => {
    const result = load(INSTANCE('  use_vmac\n  unicast_peer {\n    198.51.100.12\n  }'));
    expectDiagnostic(result, 'warning', 'mem.conf:4:3', 'need `vmac_xmit_base`');
    assert.equal(expectLoaded(result).instances[0]!.vmacXmitBase, true);
  });

  it("puts the instance's family on the vmac (dev naming the interface too) and the other family on the interface", () => {
    const vips = '198.51.100.10/24 dev eth0\n    198.51.100.11/24\n    198.51.100.12/24 dev eth1';
    const config = expectLoaded(
      load(INSTANCE('  use_vmac\n  virtual_ipaddress_excluded {\n    2001:db8::10/64\n  }', vips)),
    );
    const instance = config.instances[0]!;
    assert.deepEqual(
      instance.vips.map((v) => v.dev),
      [undefined, undefined, 'eth1'],
    );
    assert.equal(instance.excludedVips[0]!.dev, 'eth0');
  });
});
