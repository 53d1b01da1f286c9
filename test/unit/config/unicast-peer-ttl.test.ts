// unicast_peer's min_ttl and max_ttl, as keepalived 2.2.7 reads them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded } from './assert-diagnostics.js';

const load = (peers: string, extra = '') =>
  parseConfigText(
    `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${extra}  unicast_peer {\n${peers}\n  }\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n`,
    'mem.conf',
    { reader: createMemoryReader({}) },
  );

describe('unicast_peer min_ttl / max_ttl', () => {
  it('are read per peer, 0 to 255, and either one turns check_unicast_src on', () => {
    const instance = expectLoaded(load('    198.51.100.12 min_ttl 250\n    198.51.100.13 max_ttl 64')).instances[0]!;
    assert.deepEqual(
      instance.unicastPeers.map(({ address, minTtl, maxTtl }) => [address, minTtl, maxTtl]),
      [
        ['198.51.100.12', 250, undefined],
        ['198.51.100.13', undefined, 64],
      ],
    );
    assert.equal(instance.checkUnicastSrc, true);
    assert.equal(expectLoaded(load('    198.51.100.12')).instances[0]!.checkUnicastSrc, false);
  });

  it('refuses a value out of range or missing, and warns of a range that drops everything', () => {
    expectDiagnostic(load('    198.51.100.12 min_ttl 256'), 'error', 'mem.conf:5:27', 'between 0 and 255');
    expectDiagnostic(load('    198.51.100.12 max_ttl'), 'error', 'mem.conf:5:19', '`max_ttl` needs a value');
    expectDiagnostic(
      load('    198.51.100.12 min_ttl 200 max_ttl 100'),
      'warning',
      'mem.conf:5:5',
      'every advert from it is dropped',
    );
  });

  it('unicast_ttl: 1 to 255, for an instance with unicast peers; without them it is ignored with a warning', () => {
    assert.equal(expectLoaded(load('    198.51.100.12', '  unicast_ttl 64\n')).instances[0]!.unicastTtl, 64);
    expectDiagnostic(load('    198.51.100.12', '  unicast_ttl 0\n'), 'error', 'mem.conf:4:15', 'between 1 and 255');
    const alone = parseConfigText(
      'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  unicast_ttl 64\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n',
      'mem.conf',
    );
    expectDiagnostic(alone, 'warning', 'mem.conf:4:3', '`unicast_ttl` does not apply without unicast peers');
    assert.equal(expectLoaded(alone).instances[0]!.unicastTtl, undefined);
  });
});
