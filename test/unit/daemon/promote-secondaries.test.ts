// promote_secondaries over a fake /proc/sys: turned on where it was off while an instance asks,
// off again when none does (a reload) and at stop; where it was on already it is never touched.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { PromoteSecondaries } from '../../../src/daemon/promote-secondaries.js';

const instance = (name: string, ifname: string, vrid: number, extra = '') =>
  `vrrp_instance ${name} {\n  interface ${ifname}\n  virtual_router_id ${vrid}\n  ${extra}\n  virtual_ipaddress {\n    198.51.100.${vrid}/24\n  }\n}\n`;
const configOf = (text: string) => {
  const { config, diagnostics } = parseConfigText(text, 'k.conf', { reader: createMemoryReader({}) });
  assert.ok(config, JSON.stringify(diagnostics));
  return config;
};

function fakeSysctl(values: Record<string, number>) {
  const writes: string[] = [];
  return {
    writes,
    read: (path: string) => values[path],
    write: (path: string, value: number) => {
      values[path] = value;
      writes.push(`${path}=${value}`);
    },
  };
}

const ETH0 = 'net/ipv4/conf/eth0/promote_secondaries';
const ETH1 = 'net/ipv4/conf/eth1/promote_secondaries';

describe('promote_secondaries', () => {
  test('on where it was off, once for two instances on the interface; off at stop', () => {
    const sysctl = fakeSysctl({ [ETH0]: 0 });
    const promoted = new PromoteSecondaries(pino({ level: 'silent' }), sysctl);
    promoted.apply(
      configOf(instance('A', 'eth0', 51, 'promote_secondaries') + instance('B', 'eth0', 52, 'promote_secondaries')),
    );
    assert.deepEqual(sysctl.writes, [`${ETH0}=1`]);
    promoted.clear();
    assert.deepEqual(sysctl.writes, [`${ETH0}=1`, `${ETH0}=0`]);
  });

  test('an interface where it is on already is never touched; a reload that drops it turns it off', () => {
    const sysctl = fakeSysctl({ [ETH0]: 1, [ETH1]: 0 });
    const promoted = new PromoteSecondaries(pino({ level: 'silent' }), sysctl);
    promoted.apply(
      configOf(instance('A', 'eth0', 51, 'promote_secondaries') + instance('B', 'eth1', 52, 'promote_secondaries')),
    );
    assert.deepEqual(sysctl.writes, [`${ETH1}=1`]);
    promoted.apply(configOf(instance('A', 'eth0', 51, 'promote_secondaries') + instance('B', 'eth1', 52)));
    assert.deepEqual(sysctl.writes, [`${ETH1}=1`, `${ETH1}=0`]);
    promoted.clear();
    assert.equal(sysctl.writes.length, 2, 'eth0 was on before vigild and stays on');
  });

  test('with use_vmac it is ignored with a warning: the vmac has it anyway', () => {
    const { config, diagnostics } = parseConfigText(
      instance('A', 'eth0', 51, 'use_vmac\n  promote_secondaries'),
      'k.conf',
    );
    assert.equal(config?.instances[0]?.promoteSecondaries, undefined);
    assert.ok(diagnostics.some((d) => d.message.includes('`promote_secondaries` is set on vmacs anyway')));
  });
});
