// What a DNS_CHECK as written in keepalived.conf queries: the real server, or connect_ip and
// connect_port, from bindto / bind_port, out of bind_if, with fwmark on the query.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dnsTarget } from '../../../src/check/dns.js';
import { createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { expectLoaded, warningsOf } from '../config/assert-diagnostics.js';

function targetOf(options: string) {
  const text = `virtual_server 203.0.113.80 53 {
  protocol UDP
  real_server 198.51.100.21 53 {
    DNS_CHECK {
      type AAAA
      name www.example.net
      connect_timeout 2
${options}
    }
  }
}
`;
  const result = parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });
  assert.deepEqual(warningsOf(result), [], 'keepalived takes these options in DNS_CHECK, and so does vigil');
  const config = expectLoaded(result);
  const checker = config.virtualServers[0]!.realServers[0]!.checkers[0]!;
  assert.equal(checker.type, 'DNS_CHECK');
  return dnsTarget(checker, { address: '198.51.100.21', port: 53 });
}

describe('dnsTarget', () => {
  test('without connection options the real server is queried, the kernel choosing source and route', () => {
    assert.deepEqual(targetOf(''), {
      host: '198.51.100.21',
      port: 53,
      timeoutMs: 2000,
      name: 'www.example.net',
      queryType: 'AAAA',
    });
  });

  test('connect_ip, connect_port, bindto, bind_port, bind_if and fwmark all reach the query', () => {
    const options = [
      'connect_ip 198.51.100.22',
      'connect_port 5353',
      'bindto 198.51.100.1',
      'bind_port 4053',
      'bind_if eth1',
      'fwmark 7',
    ];
    assert.deepEqual(targetOf(options.map((line) => `      ${line}`).join('\n')), {
      host: '198.51.100.22',
      port: 5353,
      bindTo: '198.51.100.1',
      bindPort: 4053,
      bindIf: 'eth1',
      fwmark: 7,
      timeoutMs: 2000,
      name: 'www.example.net',
      queryType: 'AAAA',
    });
  });
});
