import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { desiredTable } from '../../../src/ipvs/desired.js';
import {
  type DestinationSettings,
  type Operation,
  type Ownership,
  reconcile,
  type ServiceEntry,
  serviceKeyText,
} from '../../../src/ipvs/reconcile.js';

const settings = {
  scheduler: 'wrr',
  persistenceTimeout: 0,
  persistencePrefix: 32,
  onePacket: false,
  schedulerFlag1: false,
  schedulerFlag2: false,
};
const dest = (last: number, weight = 1): DestinationSettings => ({
  address: `203.0.113.${last}`,
  port: 80,
  forward: 'route',
  weight,
  upperThreshold: 0,
  lowerThreshold: 0,
});
const service = (
  port: number,
  destinations: DestinationSettings[],
  overrides: Partial<typeof settings> = {},
): ServiceEntry => ({
  key: { kind: 'addr', family: 4, protocol: 'tcp', address: '198.51.100.80', port },
  settings: { ...settings, ...overrides },
  destinations,
});
const none = (): Ownership => ({ services: new Set(), destinations: new Map() });
/** Ownership as reconcile would leave it after applying `table` from scratch. */
const ownedAfter = (table: ServiceEntry[]) => reconcile(table, [], none()).owned;
const summary = (ops: Operation[]) =>
  ops.map((o) => {
    switch (o.op) {
      case 'addService':
      case 'editService':
      case 'removeService':
        return `${o.op} ${serviceKeyText(o.key)}`;
      default:
        return `${o.op} ${serviceKeyText(o.service)} ${o.destination.address}`;
    }
  });

describe('IPVS reconcile', () => {
  test('from scratch: every service, then its destinations', () => {
    const { operations, owned } = reconcile([service(80, [dest(21), dest(22)])], [], none());
    assert.deepEqual(summary(operations), [
      'addService tcp:198.51.100.80:80',
      'addDestination tcp:198.51.100.80:80 203.0.113.21',
      'addDestination tcp:198.51.100.80:80 203.0.113.22',
    ]);
    assert.deepEqual([...owned.services], ['tcp:198.51.100.80:80']);
  });

  test('nothing to do when the kernel already matches', () => {
    const table = [service(80, [dest(21), dest(22)])];
    assert.deepEqual(reconcile(table, table, ownedAfter(table)).operations, []);
  });

  test('a weight change edits that destination only; a scheduler change edits the service only', () => {
    const before = [service(80, [dest(21), dest(22)])];
    assert.deepEqual(
      summary(reconcile([service(80, [dest(21), dest(22, 5)])], before, ownedAfter(before)).operations),
      ['editDestination tcp:198.51.100.80:80 203.0.113.22'],
    );
    assert.deepEqual(
      summary(
        reconcile([service(80, [dest(21), dest(22)], { scheduler: 'sh' })], before, ownedAfter(before)).operations,
      ),
      ['editService tcp:198.51.100.80:80'],
    );
  });

  test('a new port is another service: the new one is added before the old one goes', () => {
    const before = [service(80, [dest(21)])];
    assert.deepEqual(summary(reconcile([service(8080, [dest(21)])], before, ownedAfter(before)).operations), [
      'addService tcp:198.51.100.80:8080',
      'addDestination tcp:198.51.100.80:8080 203.0.113.21',
      'removeService tcp:198.51.100.80:80',
    ]);
  });

  test('foreign services and foreign destinations are never touched', () => {
    const ours = service(80, [dest(21)]);
    const foreignService = service(443, [dest(99)]);
    const ourServiceWithForeignDestination = service(80, [dest(21), dest(99)]);
    const owned = ownedAfter([ours]);
    assert.deepEqual(reconcile([ours], [ourServiceWithForeignDestination, foreignService], owned).operations, []);
    // Even when our config drops the service, a hand-added real server keeps it alive.
    assert.deepEqual(summary(reconcile([], [ourServiceWithForeignDestination, foreignService], owned).operations), [
      'removeDestination tcp:198.51.100.80:80 203.0.113.21',
    ]);
  });

  test('after a restart, entries already in the kernel are adopted, not re-created', () => {
    const table = [service(80, [dest(21), dest(22)])];
    const { operations, owned } = reconcile(table, table, none());
    assert.deepEqual(operations, []);
    assert.deepEqual(
      [...(owned.destinations.get('tcp:198.51.100.80:80') ?? [])],
      ['203.0.113.21:80', '203.0.113.22:80'],
    );
    // Adopted, so a later config without them removes them.
    assert.deepEqual(summary(reconcile([], table, owned).operations), ['removeService tcp:198.51.100.80:80']);
  });

  test('a 1 % change of 1,000 services × 10 destinations is 1 % of the operations', () => {
    const table = (changed: number) =>
      Array.from({ length: 1000 }, (_, s) => ({
        key: {
          kind: 'addr' as const,
          family: 4 as const,
          protocol: 'tcp' as const,
          address: `198.51.100.${1 + (s % 250)}`,
          port: 1000 + s,
        },
        settings,
        destinations: Array.from({ length: 10 }, (_, d) => dest(d + 1, s * 10 + d < changed ? 9 : 1)),
      }));
    const before = table(0);
    const { operations } = reconcile(table(100), before, ownedAfter(before));
    assert.equal(operations.length, 100);
    assert.ok(operations.every((o) => o.op === 'editDestination'));
  });
});

describe('desired IPVS table from keepalived.conf', () => {
  test('services, groups, persistence, forwarding method and thresholds', () => {
    const { config, diagnostics } = parseConfigText(
      `virtual_server_group WEB {
  198.51.100.80 80
  198.51.100.90-91 80
  fwmark 7
}
virtual_server group WEB {
  protocol TCP
  lb_algo sh
  sh-port
  lb_kind NAT
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  real_server 203.0.113.21 80 {
    weight 3
    uthreshold 100
  }
}
virtual_server 2001:db8::80 443 {
  lb_kind TUN
  protocol UDP
  real_server 2001:db8::21 443 {
  }
}`,
      'k.conf',
    );
    assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
    const table = desiredTable(config);
    assert.deepEqual(
      table.map((s) => serviceKeyText(s.key)),
      ['tcp:198.51.100.80:80', 'tcp:198.51.100.90:80', 'tcp:198.51.100.91:80', 'fwmark:4:7', 'udp:[2001:db8::80]:443'],
    );
    assert.deepEqual(table[0]!.settings, {
      scheduler: 'sh',
      persistenceTimeout: 300,
      persistencePrefix: 24,
      onePacket: false,
      schedulerFlag1: false,
      schedulerFlag2: true,
    });
    assert.deepEqual(table[0]!.destinations, [
      { address: '203.0.113.21', port: 80, forward: 'nat', weight: 3, upperThreshold: 100, lowerThreshold: 0 },
    ]);
    assert.deepEqual(table[4]!.settings.persistencePrefix, 128);
    assert.equal(table[4]!.destinations[0]!.forward, 'tunnel');
  });

  test('ha_suspend: a service is in the table only while its address is held as master', () => {
    const { config } = parseConfigText(
      'virtual_server 198.51.100.80 80 {\n protocol TCP\n ha_suspend\n real_server 203.0.113.21 80 {\n }\n}\nvirtual_server 198.51.100.81 80 {\n protocol TCP\n real_server 203.0.113.21 80 {\n }\n}\n',
      'k.conf',
    );
    assert.ok(config);
    assert.deepEqual(
      desiredTable(config).map((s) => serviceKeyText(s.key)),
      ['tcp:198.51.100.81:80'],
    );
    assert.deepEqual(
      desiredTable(config, { masterAddresses: new Set(['198.51.100.80']) }).map((s) => serviceKeyText(s.key)),
      ['tcp:198.51.100.80:80', 'tcp:198.51.100.81:80'],
    );
  });

  test('a DR group sends each service its destinations with the service port (none for a fwmark), once each, as keepalived does', () => {
    const { config, diagnostics } = parseConfigText(
      `virtual_server_group WEB {
  198.51.100.80 80
  198.51.100.81 443
  fwmark 7
}
virtual_server group WEB {
  protocol TCP
  lb_kind DR
  sorry_server 203.0.113.99 9090
  sorry_server_inhibit
  real_server 203.0.113.21 8080 {
  }
  real_server 203.0.113.21 8081 {
    weight 5
  }
  real_server 203.0.113.22 {
  }
}`,
      'k.conf',
    );
    assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
    // The configuration keeps the written ports: checks connect to them.
    assert.deepEqual(
      config.virtualServers[0]!.realServers.map((rs) => rs.port),
      [8080, 8081, 0],
    );
    const table = desiredTable(config);
    assert.deepEqual(
      table.map((s) => [serviceKeyText(s.key), s.destinations.map((d) => `${d.address}:${d.port} ${d.weight}`)]),
      [
        ['tcp:198.51.100.80:80', ['203.0.113.21:80 1', '203.0.113.22:80 1', '203.0.113.99:80 0']],
        ['tcp:198.51.100.81:443', ['203.0.113.21:443 1', '203.0.113.22:443 1', '203.0.113.99:443 0']],
        ['fwmark:4:7', ['203.0.113.21:0 1', '203.0.113.22:0 1', '203.0.113.99:0 0']],
      ],
    );
  });

  test('a NAT sorry server without a port stays at port 0, as keepalived programs it', () => {
    const { config } = parseConfigText(
      'virtual_server 198.51.100.80 80 {\n protocol TCP\n sorry_server 203.0.113.99\n sorry_server_inhibit\n real_server 203.0.113.21 {\n }\n}\n',
      'k.conf',
    );
    assert.ok(config);
    assert.deepEqual(
      desiredTable(config)[0]!.destinations.map((d) => `${d.address}:${d.port} ${d.forward}`),
      ['203.0.113.21:80 nat', '203.0.113.99:0 nat'],
    );
  });
});
