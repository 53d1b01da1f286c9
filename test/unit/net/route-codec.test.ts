// Route and rule requests, byte for byte as Debian's keepalived 2.2.7 sends them for the same
// config lines (captured with strace -e write=all in a lab namespace, eth0 being ifindex 3).
import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../../src/net/netlink-codec.js';
import {
  NLM_F_APPEND,
  ROUTE_ADD_FLAGS,
  RULE_ADD_FLAGS,
  routeRequest,
  ruleRequest,
} from '../../../src/net/route-codec.js';

const littleEndianOnly = { skip: os.endianness() !== 'LE' && 'byte-exact expectations are little-endian' };

const { config } = parseConfigText(
  `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    198.51.100.200/24 dev eth0
  }
  virtual_routes {
    src 198.51.100.200 203.0.113.0/26 via 198.51.100.1 dev eth0 table 1000 metric 5
    2001:db8:1::/64 via 2001:db8::1 dev eth0 table 100 append
    blackhole 203.0.113.128/25 onlink
    198.51.98.0/24 nexthop via 198.51.100.2 dev eth0 weight 2 nexthop via 198.51.100.3 onlink
  }
  virtual_rules {
    not from 198.51.100.200 to 203.0.113.0/24 fwmark 0x10/0xff iif eth0 oif eth0 tos 4 table 1000 preference 100
    to 203.0.113.9 preference 102 goto 200 no_track
  }
}
`,
  'mem.conf',
  { reader: createMemoryReader({}) },
);
const { virtualRoutes: routes, virtualRules: rules } = config!.instances[0]!;
const eth0 = (name: string) => (name === 'eth0' ? 3 : assert.fail(name));

describe('route requests', littleEndianOnly, () => {
  test('add: table above 255 as RTA_TABLE, preferred source, gateway, device, metric', () => {
    assert.equal(
      routeRequest(routes[0]!, eth0, 'add').toString('hex'),
      '021a0000001200010000000008000f00e803000008000100cb00710008000700c63364c808000500c633640108000400030000000800060005000000',
    );
  });

  test('add: IPv6 in the header table', () => {
    assert.equal(
      routeRequest(routes[1]!, eth0, 'add').toString('hex'),
      '0a40000064120001000000001400010020010db80001000000000000000000001400050020010db80000000000000000000000010800040003000000',
    );
  });

  test('add: a blackhole with onlink in rtm_flags', () => {
    assert.equal(routeRequest(routes[2]!, eth0, 'add').toString('hex'), '02190000fe1200060400000008000100cb007180');
  });

  test('add: nexthops in RTA_MULTIPATH, weight less one in rtnh_hops', () => {
    assert.equal(
      routeRequest(routes[3]!, eth0, 'add').toString('hex'),
      '02180000fe1200010000000008000100c633620024000900100000010300000008000500c6336402100004000000000008000500c6336403',
    );
  });

  test('remove: any scope, the type only when written, the protocol kept', () => {
    assert.equal(
      routeRequest(routes[0]!, eth0, 'remove').toString('hex'),
      '021a00000012ff000000000008000f00e803000008000100cb00710008000700c63364c808000500c633640108000400030000000800060005000000',
    );
    assert.equal(routeRequest(routes[2]!, eth0, 'remove').toString('hex'), '02190000fe12ff060400000008000100cb007180');
  });

  test('flags: keepalived prepends unless told add or append', () => {
    assert.equal(ROUTE_ADD_FLAGS[routes[0]!.mode], NLM_F_CREATE);
    assert.equal(ROUTE_ADD_FLAGS[routes[1]!.mode], NLM_F_CREATE | NLM_F_APPEND);
    assert.equal(ROUTE_ADD_FLAGS.add, NLM_F_CREATE | NLM_F_EXCL);
    assert.equal(RULE_ADD_FLAGS, NLM_F_CREATE | NLM_F_EXCL);
  });
});

describe('rule requests', littleEndianOnly, () => {
  test('selectors, not, fwmark and mask, interfaces, table above 255, protocol keepalived', () => {
    assert.equal(
      ruleRequest(rules[0]!).toString('hex'),
      '02182004000000010200000008000f00e803000008000200c63364c808000100cb007100080006006400000008000a001000000008001000ff0000000900030065746830000000000900110065746830000000000500150012000000',
    );
  });

  test('goto, and no protocol on an untracked rule', () => {
    assert.equal(
      ruleRequest(rules[1]!).toString('hex'),
      '02200000000000020000000008000100cb007109080006006600000008000400c8000000',
    );
  });
});
