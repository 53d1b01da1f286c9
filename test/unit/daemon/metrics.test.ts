// /metrics from a status: the keepalived exporters' names, labels, help texts and values, and
// vigil's own, rendered by prom-client and read back with a Prometheus text-format parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceStatus, RealServerStatus, StatusResponse, VirtualServerStatus } from '../../../src/api/schema.js';
import { MetricsRegistry } from '../../../src/daemon/metrics-registry.js';
import { metricFamilies } from '../../../src/daemon/metrics-service.js';
import type { ReloadCounts } from '../../../src/daemon/metrics-vigil.js';
import { emptyCounters } from '../../../src/vrrp/instance.js';
import { parseScrape } from '../../helpers/prometheus-text.js';

function instance(overrides: Partial<InstanceStatus>): InstanceStatus {
  return {
    name: 'VI_1',
    interface: 'eth0',
    vrid: 51,
    version: 3,
    family: 4,
    state: 'BACKUP',
    initialState: 'BACKUP',
    priority: 100,
    effectivePriority: 100,
    advertIntSeconds: 1,
    nopreempt: false,
    vips: [],
    counters: emptyCounters(),
    source: 'k.conf:1:1',
    ...overrides,
  };
}

const stats = (n: number) => ({
  connections: n,
  packetsIn: n * 10,
  packetsOut: n * 9,
  bytesIn: n * 1000,
  bytesOut: n * 900,
  connectionRate: 0,
  packetRateIn: 0,
  packetRateOut: 0,
  byteRateIn: 0,
  byteRateOut: 0,
});

function realServer(overrides: Partial<RealServerStatus>): RealServerStatus {
  return {
    address: '203.0.113.21',
    port: 80,
    weight: 1,
    health: 'unchecked',
    checkers: [],
    drained: false,
    source: 'k.conf:9:3',
    ...overrides,
  };
}

function virtualServer(overrides: Partial<VirtualServerStatus>): VirtualServerStatus {
  return {
    name: '198.51.100.10:80',
    protocol: 'TCP',
    scheduler: 'wrr',
    lbKind: 'DR',
    quorum: 1,
    hysteresis: 0,
    aliveWeight: 1,
    quorumHolds: true,
    realServers: [],
    source: 'k.conf:8:1',
    ...overrides,
  };
}

function status(instances: InstanceStatus[], virtualServers: VirtualServerStatus[] = []): StatusResponse {
  return {
    apiVersion: 1,
    daemon: {
      version: '0.1.0',
      pid: 1,
      startedAt: '2026-12-01T00:00:00.000Z',
      uptimeSeconds: 5,
      socket: '/run/vigil/vigil.sock',
      readOnlySocket: '/run/vigil/vigil-ro.sock',
      stateDir: '/var/lib/vigil',
    },
    config: {
      path: '/etc/keepalived/keepalived.conf',
      files: [],
      loadedAt: '2026-12-01T00:00:10.000Z',
      generation: 3,
      warnings: [],
    },
    instances,
    ipvs: { available: true, ownedServices: 1 },
    virtualServers,
  };
}

const NO_RELOADS: ReloadCounts = { accepted: 0, rejected: 0 };

async function scrape(s: StatusResponse, reloads = NO_RELOADS, registry = new MetricsRegistry()) {
  const { body, contentType } = await registry.render(metricFamilies(s, reloads));
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  return parseScrape(body);
}

const WEB = { iname: 'VI_WEB', intf: 'eth0', vrid: '51' };

describe('/metrics: the keepalived exporter names (mehdy/keepalived-exporter)', () => {
  it('keepalived_vrrp_state is one series per VIP, valued 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT', async () => {
    const m = await scrape(
      status([
        instance({
          name: 'VI_WEB',
          state: 'MASTER',
          vips: ['198.51.100.10/24 dev eth0', '198.51.100.11/32', '2001:db8::10/64 dev eth1'],
        }),
        instance({ name: 'VI_DB', vrid: 52, interface: 'eth2', state: 'FAULT' }),
        instance({ name: 'VI_OFF', vrid: 53, state: 'INIT', vips: ['198.51.100.30/24'] }),
      ]),
    );
    const family = m.families.get('keepalived_vrrp_state');
    assert.equal(family?.type, 'GAUGE');
    assert.equal(family?.help, 'State of vrrp');
    assert.deepEqual(
      m.series('keepalived_vrrp_state'),
      new Map([
        ['iname=VI_WEB,intf=eth0,ip_address=198.51.100.10/24,vrid=51', 2],
        ['iname=VI_WEB,intf=eth0,ip_address=198.51.100.11/32,vrid=51', 2],
        ['iname=VI_WEB,intf=eth1,ip_address=2001:db8::10/64,vrid=51', 2],
        // Without VIPs: one series, empty ip_address, as the exporter has it.
        ['iname=VI_DB,intf=eth2,ip_address=,vrid=52', 3],
        ['iname=VI_OFF,intf=eth0,ip_address=198.51.100.30/24,vrid=53', 0],
      ]),
    );
    assert.equal(m.value('keepalived_up'), 1);
  });

  it("maps vigil's counters and drop reasons onto the exporter's counters", async () => {
    const counters: InstanceStatus['counters'] = {
      advertsSent: 120,
      advertsReceived: 30,
      priorityZeroSent: 1,
      priorityZeroReceived: 2,
      becameMaster: 3,
      releasedMaster: 2,
      announcements: 4,
      sendErrors: 5,
      drops: {
        too_short: 1,
        bad_length: 2,
        bad_ttl: 3,
        interval_mismatch: 4,
        bad_interval: 1,
        auth_mismatch: 6,
        bad_checksum: 7,
      },
    };
    const m = await scrape(status([instance({ name: 'VI_WEB', counters })]));
    const expected: [string, number][] = [
      ['keepalived_advertisements_sent_total', 120],
      ['keepalived_advertisements_received_total', 30],
      ['keepalived_become_master_total', 3],
      ['keepalived_release_master_total', 2],
      ['keepalived_priority_zero_sent_total', 1],
      ['keepalived_priority_zero_received_total', 2],
      ['keepalived_packet_length_errors_total', 3],
      ['keepalived_ip_ttl_errors_total', 3],
      ['keepalived_advertisements_interval_errors_total', 5],
      ['keepalived_authentication_failure_total', 6],
      ['keepalived_authentication_invalid_total', 0],
      ['keepalived_authentication_mismatch_total', 0],
      ['keepalived_invalid_type_received_total', 0],
      ['keepalived_address_list_errors_total', 0],
    ];
    for (const [name, value] of expected) {
      assert.equal(m.value(name, WEB), value, name);
      assert.equal(m.families.get(name)?.type, 'COUNTER', name);
    }
    assert.equal(m.families.get('keepalived_advertisements_sent_total')?.help, 'Advertisements sent');
    // vigil's finer reasons, a checksum error among them, which keepalived has no counter for.
    assert.equal(m.value('vigil_vrrp_advert_drops_total', { ...WEB, reason: 'bad_checksum' }), 7);
    assert.equal(m.value('vigil_vrrp_send_errors_total', WEB), 5);
    assert.equal(m.value('vigil_vrrp_announcements_total', WEB), 4);
  });

  it('has no series for what vigil has no figure for, rather than zeros', async () => {
    const m = await scrape(status([instance({ name: 'VI_WEB' })]));
    for (const name of [
      'keepalived_gratuitous_arp_delay_total',
      'keepalived_script_status',
      'keepalived_lvs_vip_conn',
    ]) {
      assert.equal(m.families.has(name), false, name);
    }
  });
});

describe('/metrics: LVS counters (gen2brain/keepalived_exporter) and vigil_ real servers', () => {
  const web = virtualServer({
    realServers: [
      realServer({
        health: 'up',
        checkers: ['HTTP_GET'],
        lastCheck: { at: '2026-12-01T00:00:20.000Z', latencyMs: 12.5 },
        kernel: { weight: 2, activeConns: 7, inactiveConns: 3, persistConns: 0, stats: stats(4) },
      }),
      realServer({ address: '203.0.113.22', health: 'down', checkers: ['TCP_CHECK', 'MISC_CHECK'] }),
      realServer({ address: '203.0.113.23' }),
    ],
    sorryServer: {
      address: '203.0.113.99',
      port: 80,
      active: false,
      kernel: { weight: 0, activeConns: 0, inactiveConns: 0, persistConns: 0, stats: stats(1) },
    },
  });
  const v6mark = virtualServer({
    name: 'fwmark 7',
    protocol: 'FWM',
    quorumHolds: false,
    aliveWeight: 0,
    realServers: [
      realServer({
        address: '2001:db8::21',
        port: 443,
        kernel: { weight: 1, activeConns: 0, inactiveConns: 0, persistConns: 0, stats: stats(2) },
      }),
    ],
  });

  it('exports each kernel destination under vip/addr/proto, and none for a server the kernel lacks', async () => {
    const m = await scrape(status([], [web, v6mark]));
    assert.deepEqual(
      m.series('keepalived_lvs_rs_conn'),
      new Map([
        ['addr=203.0.113.21:80,proto=6,vip=198.51.100.10:80', 4],
        ['addr=203.0.113.99:80,proto=6,vip=198.51.100.10:80', 1],
        ['addr=[2001:db8::21]:443,proto=6,vip=fwmark 7', 2],
      ]),
    );
    const rs = { vip: '198.51.100.10:80', addr: '203.0.113.21:80', proto: '6' };
    assert.equal(m.value('keepalived_lvs_rs_in_packets', rs), 40);
    assert.equal(m.value('keepalived_lvs_rs_out_packets', rs), 36);
    assert.equal(m.value('keepalived_lvs_rs_in_bytes', rs), 4000);
    assert.equal(m.value('keepalived_lvs_rs_out_bytes', rs), 3600);
    assert.equal(m.families.get('keepalived_lvs_rs_conn')?.help, 'RS connections');
    assert.equal(m.families.get('keepalived_lvs_rs_conn')?.type, 'COUNTER');
  });

  it('exports verdicts and latency of checked servers, kernel weights and connections, and quorum', async () => {
    const m = await scrape(status([], [web, v6mark]));
    assert.deepEqual(
      m.series('vigil_realserver_up'),
      new Map([
        ['checker=HTTP_GET,rs=203.0.113.21:80,vs=198.51.100.10:80', 1],
        ['checker=TCP_CHECK,MISC_CHECK,rs=203.0.113.22:80,vs=198.51.100.10:80', 0],
      ]),
    );
    const first = { vs: '198.51.100.10:80', rs: '203.0.113.21:80' };
    assert.equal(m.value('vigil_realserver_check_latency_seconds', { ...first, checker: 'HTTP_GET' }), 0.0125);
    assert.equal(m.value('vigil_lvs_rs_weight', first), 2);
    assert.equal(m.value('vigil_lvs_rs_active_connections', first), 7);
    assert.equal(m.value('vigil_lvs_rs_inactive_connections', first), 3);
    assert.equal(m.value('vigil_lvs_rs_weight', { ...first, rs: '203.0.113.22:80' }), undefined);
    assert.equal(m.value('vigil_virtualserver_quorum_up', { vs: '198.51.100.10:80' }), 1);
    assert.equal(m.value('vigil_virtualserver_quorum_up', { vs: 'fwmark 7' }), 0);
  });
});

describe('/metrics: config and reloads', () => {
  it('exports the generation, reloads by result and whether the last one was accepted', async () => {
    const rejected = status([]);
    rejected.config.lastRejectedReload = { at: '2026-12-01T00:00:30.000Z', errors: [] };
    const m = await scrape(rejected, { accepted: 2, rejected: 1 });
    assert.equal(m.value('vigil_config_generation'), 3);
    assert.equal(m.value('vigil_config_reloads_total', { result: 'accepted' }), 2);
    assert.equal(m.value('vigil_config_reloads_total', { result: 'rejected' }), 1);
    assert.equal(m.value('vigil_config_last_reload_successful'), 0);
    assert.equal(m.value('vigil_config_loaded_timestamp_seconds'), Date.parse('2026-12-01T00:00:10.000Z') / 1000);
    assert.equal(m.value('vigil_build_info', { version: '0.1.0' }), 1);
    assert.equal(m.value('vigil_ipvs_available'), 1);
  });

  it('drops the series of an instance a reload removed from the next scrape', async () => {
    const registry = new MetricsRegistry();
    const before = await scrape(
      status([instance({ name: 'VI_WEB' }), instance({ name: 'VI_DB', vrid: 52 })]),
      NO_RELOADS,
      registry,
    );
    assert.equal(before.series('keepalived_advertisements_sent_total').size, 2);
    const after = await scrape(status([instance({ name: 'VI_WEB' })]), NO_RELOADS, registry);
    assert.deepEqual(
      [...after.series('keepalived_advertisements_sent_total').keys()],
      ['iname=VI_WEB,intf=eth0,vrid=51'],
    );
  });
});

describe('/metrics: operator holds and drains', () => {
  it('exports maintenance, each held instance with its mode, and drained real servers', async () => {
    const held = status(
      [
        instance({
          name: 'VI_WEB',
          operator: { mode: 'yield', by: 'maintenance', since: '2026-12-01T00:00:20.000Z', handingOff: false },
        }),
        instance({ name: 'VI_DB', vrid: 52 }),
      ],
      [
        virtualServer({
          realServers: [
            realServer({ drained: true, drainedSince: '2026-12-01T00:00:25.000Z' }),
            realServer({ address: '203.0.113.22' }),
          ],
        }),
      ],
    );
    held.daemon.maintenance = { on: true, since: '2026-12-01T00:00:20.000Z' };
    const m = await scrape(held);
    assert.equal(m.value('vigil_maintenance'), 1);
    assert.deepEqual(
      m.series('vigil_vrrp_operator_hold'),
      new Map([['by=maintenance,iname=VI_WEB,intf=eth0,mode=yield,vrid=51', 1]]),
    );
    assert.equal(m.value('vigil_realserver_drained', { vs: '198.51.100.10:80', rs: '203.0.113.21:80' }), 1);
    assert.equal(m.value('vigil_realserver_drained', { vs: '198.51.100.10:80', rs: '203.0.113.22:80' }), 0);
  });
});
