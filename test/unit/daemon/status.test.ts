import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../../src/config/index.js';
import { StatusResponse } from '../../../src/api/schema.js';
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
}
`;

test('status projects the running config into the API shape, named as operators read it', () => {
  const { config, diagnostics } = parseConfigText(CONFIG, '/etc/keepalived/keepalived.conf');
  assert.ok(config, diagnostics.map((d) => d.message).join('\n'));
  const loadedAt = new Date('2026-11-25T10:00:00Z');
  const store = new StateStore('/etc/keepalived/keepalived.conf', config, ['/etc/keepalived/keepalived.conf'], [], loadedAt);
  const identity = {
    version: '0.1.0',
    pid: 42,
    startedAt: loadedAt,
    socket: '/run/vigil/vigil.sock',
    readOnlySocket: '/run/vigil/vigil-ro.sock',
    stateDir: '/var/lib/vigil',
  };
  const status = StatusResponse.parse(buildStatus(store, identity, new Date('2026-11-25T10:01:30Z')));

  assert.equal(status.daemon.uptimeSeconds, 90);
  assert.deepEqual(
    status.instances.map((i) => ({ name: i.name, family: i.family, version: i.version, advert: i.advertIntSeconds, vips: i.vips, syncGroup: i.syncGroup, nopreempt: i.nopreempt })),
    [{ name: 'VI_6', family: 6, version: 3, advert: 0.5, vips: ['2001:db8::10/64 dev eth0'], syncGroup: 'SG', nopreempt: true }],
  );
  assert.deepEqual(
    status.virtualServers.map((v) => [v.name, v.scheduler, v.lbKind, v.persistenceTimeoutSeconds, v.realServers.map((r) => r.checkers)]),
    [
      ['[2001:db8::10]:443', 'sh', 'DR', 300, [['HTTP_GET']]],
      ['fwmark 7', status.virtualServers[1]?.scheduler, 'NAT', undefined, []],
    ],
  );
  assert.equal(status.virtualServers[0]?.source, '/etc/keepalived/keepalived.conf:18:1');
});

test('a rejected reload is reported until the next accepted one', () => {
  const { config } = parseConfigText(CONFIG, 'k.conf');
  assert.ok(config);
  const store = new StateStore('k.conf', config, ['k.conf'], [], new Date());
  const events: string[] = [];
  store.subscribe((e) => events.push(e.type));
  const error = { severity: 'error' as const, file: 'k.conf', line: 3, col: 1, message: 'bad', text: 'k.conf:3:1: error: bad' };
  store.rejectConfig([error], new Date());
  assert.deepEqual(store.lastRejectedReload?.errors, [error]);
  assert.equal(store.loaded.generation, 1);
  store.acceptConfig(config, ['k.conf'], [], new Date());
  assert.equal(store.lastRejectedReload, undefined);
  assert.equal(store.loaded.generation, 2);
  assert.deepEqual(events, ['config.rejected', 'config.reloaded']);
});
