// The changes `vigil reload` prints: what an operator needs to see before and after applying a
// config, per instance (and how it is applied), per VIP address, per virtual and real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReloadChange } from '../../../src/cli/render-reload.js';
import { type Config, parseConfigText } from '../../../src/config/index.js';
import { reloadDiff } from '../../../src/daemon/reload-diff.js';

function config(text: string): Config {
  const { config, diagnostics } = parseConfigText(text, 'k.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
}

const instance = (name: string, vrid: number, vips: string[], extra = '') => `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${vrid}
  priority 100
  ${extra}
  virtual_ipaddress {
    ${vips.join('\n    ')}
  }
}
`;

const service = (realServers: string[], extra = '') => `virtual_server 198.51.100.80 80 {
  lb_algo rr
  lb_kind DR
  protocol TCP
  ${extra}
${realServers.map((rs) => `  real_server ${rs} 80 {\n    weight 1\n  }`).join('\n')}
}
`;

const lines = (before: string, after: string) => reloadDiff(config(before), config(after)).map(formatReloadChange);

describe('reload diff', () => {
  test('the same config, moved about in the file, changes nothing', () => {
    const text = instance('A', 1, ['198.51.100.10/24']) + service(['203.0.113.21']);
    assert.deepEqual(lines(text, `\n\n${text}`), []);
  });

  test('instances added, removed, updated in place and restarted, each saying how', () => {
    assert.deepEqual(
      lines(
        instance('A', 1, ['198.51.100.10/24']) +
          instance('B', 2, ['198.51.100.11/24']) +
          instance('C', 3, ['198.51.100.12/24']),
        instance('A', 1, ['198.51.100.10/24'], 'priority 110') +
          instance('B', 2, ['198.51.100.11/24'], 'advert_int 2') +
          instance('D', 4, ['198.51.100.13/24']),
      ),
      [
        '~ instance A (priority (in place))',
        '~ instance B (advertInt (restart: advertInt changed))',
        '+ instance D (eth0 VRID 4)',
        '- instance C (eth0 VRID 3)',
        '+ VIP 198.51.100.13/24 on eth0 (D)',
        '- VIP 198.51.100.12/24 on eth0 (C)',
      ],
    );
  });

  test('VRIDs swapped: each virtual router is updated in place under its new name; no VIP is removed', () => {
    assert.deepEqual(
      lines(
        instance('A', 1, ['198.51.100.10/24']) + instance('B', 2, ['198.51.100.11/24']),
        instance('A', 2, ['198.51.100.10/24']) + instance('B', 1, ['198.51.100.11/24']),
      ),
      ['~ instance A (name, vips (in place, was B))', '~ instance B (name, vips (in place, was A))'],
    );
  });

  test('a VIP moved between instances is one change, not a removal and an addition', () => {
    assert.deepEqual(
      lines(
        instance('A', 1, ['198.51.100.10/24', '198.51.100.20/24']) + instance('B', 2, ['198.51.100.11/24']),
        instance('A', 1, ['198.51.100.10/24']) + instance('B', 2, ['198.51.100.11/24', '198.51.100.20/24']),
      ),
      ['~ instance A (vips (in place))', '~ instance B (vips (in place))', '~ VIP 198.51.100.20/24 on eth0 (A -> B)'],
    );
  });

  test('virtual and real servers added, removed and changed', () => {
    const before = service(['203.0.113.21', '203.0.113.22']);
    const after = `${service(['203.0.113.21', '203.0.113.23'], 'delay_loop 9').replace('weight 1', 'weight 3')}virtual_server 198.51.100.81 53 {
  protocol UDP
  real_server 203.0.113.31 53 {
  }
}
`;
    assert.deepEqual(lines(before, after), [
      '~ virtual server TCP 198.51.100.80:80 (delayLoop)',
      '~ real server 203.0.113.21:80 in TCP 198.51.100.80:80 (weight)',
      '+ real server 203.0.113.23:80 in TCP 198.51.100.80:80',
      '- real server 203.0.113.22:80 in TCP 198.51.100.80:80',
      '+ virtual server UDP 198.51.100.81:53',
    ]);
  });
});
