// global_defs vigil_metrics_listen and vigild's --metrics-listen take one address syntax.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { parseListenAddress } from '../../../src/inet/listen-address.js';
import { expectDiagnostic, expectLoaded } from './assert-diagnostics.js';

const load = (value: string) =>
  parseConfigText(`global_defs {\n  vigil_metrics_listen ${value}\n}\n`, 'mem.conf', {
    reader: createMemoryReader({}),
  });

describe('vigil_metrics_listen', () => {
  it('reads ADDR:PORT and [IPv6]:PORT, the IPv6 canonical', () => {
    assert.deepEqual(expectLoaded(load('127.0.0.1:9650')).global.metricsListen, { address: '127.0.0.1', port: 9650 });
    assert.deepEqual(expectLoaded(load('[2001:DB8:0::1]:9165')).global.metricsListen, {
      address: '2001:db8::1',
      port: 9165,
    });
  });

  it('is unset by default: no listener', () => {
    const result = parseConfigText('global_defs {\n  router_id lb1\n}\n', 'mem.conf', {
      reader: createMemoryReader({}),
    });
    assert.equal(expectLoaded(result).global.metricsListen, undefined);
  });

  it('refuses what is not a literal address with a port, at the value', () => {
    for (const bad of [
      'localhost:9650',
      '127.0.0.1',
      '2001:db8::1:9650',
      '[198.51.100.1]:80',
      '127.0.0.1:0',
      '127.0.0.1:70000',
    ]) {
      expectDiagnostic(load(bad), 'error', 'mem.conf:2:24', 'vigil_metrics_listen');
    }
  });
});

describe('parseListenAddress', () => {
  it('says what it expects', () => {
    assert.deepEqual(parseListenAddress('9650'), {
      error: '`9650` is not ADDR:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9650',
    });
    assert.deepEqual(parseListenAddress('0.0.0.0:9650'), { address: '0.0.0.0', port: 9650 });
  });
});
