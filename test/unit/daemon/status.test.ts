import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusResponse } from '../../../src/api/schema.js';
import type { RealServerHealth } from '../../../src/check/index.js';
import { renderStatus } from '../../../src/cli/render-status.js';
import { parseConfigText } from '../../../src/config/index.js';
import { buildStatus } from '../../../src/daemon/status.js';
import { StateStore } from '../../../src/daemon/store.js';

const CONFIG = `
vrrp_sync_group SG {
  group {
    VI_6
  }
}
vrrp_instance VI_6 {
  state BACKUP
  interface eth0
  virtual_router_id 9
  version 3
  advert_int 0.5
  nopreempt
  virtual_ipaddress {
    2001:DB8:0:0::10/64 dev eth0
  }
}
virtual_server 2001:db8::10 443 {
  protocol TCP
  lb_algo sh
  lb_kind DR
  persistence_timeout 300
  real_server 2001:db8::21 443 {
    HTTP_GET {
      url {
        path /healthz
        status_code 200
      }
    }
  }
}
virtual_server fwmark 7 {
  lb_kind NAT
  real_server 203.0.113.31 8080 {
  }
}
`;

test('status projects the running config into the API shape, named as operators read it', async () => {
  const { config, diagnostics } = parseConfigText(CONFIG, '/etc/keepalived/keepalived.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const loadedAt = new Date('2026-11-25T10:00:00Z');
  const store = new StateStore(
    '/etc/keepalived/keepalived.conf',
    config,
    ['/etc/keepalived/keepalived.conf'],
    [],
    loadedAt,
  );
  const identity = {
    version: '0.1.0',
    pid: 42,
    startedAt: loadedAt,
    socket: '/run/vigil/vigil.sock',
    readOnlySocket: '/run/vigil/vigil-ro.sock',
    stateDir: '/var/lib/vigil',
  };
  const status = StatusResponse.parse(await buildStatus(store, identity, new Date('2026-11-25T10:01:30Z')));

  assert.equal(status.daemon.uptimeSeconds, 90);
  assert.deepEqual(
    status.instances.map((i) => ({
      name: i.name,
      family: i.family,
      version: i.version,
      advert: i.advertIntSeconds,
      vips: i.vips,
      syncGroup: i.syncGroup,
      nopreempt: i.nopreempt,
    })),
    [
      {
        name: 'VI_6',
        family: 6,
        version: 3,
        advert: 0.5,
        vips: ['2001:db8::10/64 dev eth0'],
        syncGroup: 'SG',
        nopreempt: true,
      },
    ],
  );
  assert.deepEqual(
    status.virtualServers.map((v) => [
      v.name,
      v.protocol,
      v.scheduler,
      v.lbKind,
      v.persistenceTimeoutSeconds,
      v.realServers.map((r) => r.checkers),
    ]),
    [
      ['[2001:db8::10]:443', 'TCP', 'sh', 'DR', 300, [['HTTP_GET']]],
      ['fwmark 7', 'FWM', status.virtualServers[1]?.scheduler, 'NAT', undefined, [[]]],
    ],
  );
  assert.equal(status.virtualServers[0]?.source, '/etc/keepalived/keepalived.conf:18:1');
});

test('a rejected reload is reported until the next accepted one', async () => {
  const { config } = parseConfigText(CONFIG, 'k.conf');
  assert.ok(config);
  const store = new StateStore('k.conf', config, ['k.conf'], [], new Date());
  const events: string[] = [];
  store.subscribe((e) => events.push(e.type));
  const error = {
    severity: 'error' as const,
    file: 'k.conf',
    line: 3,
    col: 1,
    message: 'bad',
    text: 'k.conf:3:1: error: bad',
  };
  store.rejectConfig([error], new Date());
  assert.deepEqual(store.lastRejectedReload?.errors, [error]);
  assert.equal(store.loaded.generation, 1);
  store.acceptConfig(config, ['k.conf'], [], new Date());
  assert.equal(store.lastRejectedReload, undefined);
  assert.equal(store.loaded.generation, 2);
  assert.deepEqual(events, ['config.rejected', 'config.reloaded']);
});

test('health and quorum: a down server with its reason, lost quorum with the sorry server in service, shown in status and in the table', async () => {
  const { config } = parseConfigText(
    `virtual_server 198.51.100.80 80 {
  protocol TCP
  lb_kind DR
  quorum 2
  sorry_server 203.0.113.99 80
  real_server 203.0.113.21 80 {
    TCP_CHECK {
    }
  }
  real_server 203.0.113.22 80 {
    MISC_CHECK {
      misc_path /bin/true
      misc_dynamic
    }
  }
  real_server 203.0.113.23 80 {
  }
}
`,
    'k.conf',
  );
  assert.ok(config);
  const at = new Date('2026-11-25T10:00:00Z');
  const store = new StateStore('k.conf', config, ['k.conf'], [], at);
  const identity = { version: '0.1.0', pid: 1, startedAt: at, socket: 's', readOnlySocket: 'r', stateDir: 'd' };
  const health = new Map<string, RealServerHealth>([
    [
      '203.0.113.21',
      {
        alive: false,
        reason: 'TCP_CHECK: connection refused',
        since: at.getTime(),
        lastCheckAt: at.getTime(),
        lastLatencyMs: 0.4,
        checked: true,
      },
    ],
    ['203.0.113.22', { alive: true, weight: 0, since: at.getTime(), checked: true }],
    ['203.0.113.23', { alive: true, since: at.getTime(), checked: false }],
  ]);
  store.readHealthFrom((id) => health.get(id.split('|')[1]!.split(':')[0]!));
  store.quorumWeighed(config.virtualServers[0]!, false, 1, at);
  const status = StatusResponse.parse(await buildStatus(store, identity, at));
  const [vs] = status.virtualServers;
  assert.deepEqual(
    vs?.realServers.map((r) => [r.health, r.healthReason, r.dynamicWeight]),
    [
      ['down', 'TCP_CHECK: connection refused', undefined],
      ['up', undefined, 0],
      ['unchecked', undefined, undefined],
    ],
  );
  assert.equal(vs?.aliveWeight, 1, 'a dynamic weight of 0 counts as 0; the unchecked server counts');
  assert.deepEqual(vs?.sorryServer, { address: '203.0.113.99', port: 80, active: true, kernel: undefined });

  const text = renderStatus(status);
  assert.match(text, /^198\.51\.100\.80:80 .* 203\.0\.113\.21:80 +- +- +- +DOWN +TCP_CHECK$/m);
  assert.match(text, /^ +203\.0\.113\.22:80 +- +- +- +up \(weight 0\) +MISC_CHECK$/m);
  assert.match(text, /^ +203\.0\.113\.99:80 +- +- +- +SORRY \(in service\) +-$/m);
  assert.match(text, /^ {2}198\.51\.100\.80:80: QUORUM LOST: live weight 1, quorum 2 \(hysteresis 0\)$/m);
  assert.match(text, /^ {2}203\.0\.113\.21:80 of 198\.51\.100\.80:80: down since .*: TCP_CHECK: connection refused$/m);
});

test('a status of thousands of real servers is built a few hundred a turn, so VRRP timers run meanwhile', async () => {
  const realServers = Array.from({ length: 3000 }, (_, i) => `  real_server 203.0.113.9 ${10000 + i} {\n  }`);
  const text = `virtual_server 198.51.100.10 80 {\n  lb_kind NAT\n${realServers.join('\n')}\n}\n`;
  const { config } = parseConfigText(text, 'k.conf');
  assert.ok(config);
  const at = new Date('2026-11-25T10:00:00Z');
  const store = new StateStore('k.conf', config, ['k.conf'], [], at);
  const identity = { version: '0.1.0', pid: 1, startedAt: at, socket: 's', readOnlySocket: 'r', stateDir: 'd' };
  let turns = 0;
  let ticker = setImmediate(function tick() {
    turns++;
    ticker = setImmediate(tick);
  });
  const status = await buildStatus(store, identity, at);
  clearImmediate(ticker);
  assert.equal(status.virtualServers[0]?.realServers.length, 3000);
  assert.equal(status.virtualServers[0]?.realServers[2999]?.port, 12999, 'in the config order');
  assert.ok(turns >= 10, `the event loop turned ${turns} times while 3,000 servers were projected`);
});
