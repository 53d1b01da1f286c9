// One VRRP instance as keepalived.conf gives it, for tests of what runs it.
import assert from 'node:assert/strict';
import { type Config, parseConfigText, type VrrpInstance } from '../../src/config/index.js';

/** VI_1 (VRID 51, priority 150, BACKUP) on `ifname`: 198.51.100.200/24, and 2001:db8::200/64 as an excluded VIP. */
export function instanceOn(ifname: string, extra = ''): VrrpInstance {
  return configWith(ifname, extra).instances[0]!;
}

/** The config of instanceOn, with `globals` in a global_defs block. */
export function configWith(ifname: string, extra = '', globals = ''): Config {
  const { config, diagnostics } = parseConfigText(
    `global_defs {
  ${globals}
}
vrrp_instance VI_1 {
  state BACKUP
  interface ${ifname}
  virtual_router_id 51
  priority 150
  advert_int 1
  ${extra}
  virtual_ipaddress {
    198.51.100.200/24
  }
  virtual_ipaddress_excluded {
    2001:db8::200/64
  }
}`,
    'k.conf',
  );
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  return config;
}
