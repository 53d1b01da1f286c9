import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { example } from '../../../lab/paths.js';
import { type Checker, type HttpCheck, loadConfig, type MiscCheck, summarize } from '../../../src/config/index.js';
import { expectLoaded } from './assert-diagnostics.js';

const load = (...parts: string[]) => {
  const result = loadConfig(example(...parts));
  const config = expectLoaded(result);
  assert.deepEqual(result.diagnostics, [], 'examples must load without warnings too');
  return { config, result };
};

const instance = (config: ReturnType<typeof load>['config'], name: string) => {
  const found = config.instances.find((i) => i.name === name);
  assert.ok(found, `instance ${name}`);
  return found;
};

const only = <T extends Checker['type']>(checkers: Checker[], type: T): Extract<Checker, { type: T }> => {
  assert.equal(checkers.length, 1);
  assert.equal(checkers[0]!.type, type);
  return checkers[0] as Extract<Checker, { type: T }>;
};

describe('examples', () => {
  it('every examples/*.conf loads with no diagnostics beyond checkers not run yet', () => {
    const files = readdirSync(example()).filter((f) => f.endsWith('.conf'));
    assert.ok(files.length >= 5);
    for (const file of files) load(file);
  });

  it('web-vip.conf: two VRRPv3 instances with a tracked script and notify scripts', () => {
    const { config } = load('web-vip.conf');
    assert.deepEqual(summarize(config), { instances: 2, virtualServers: 0, realServers: 0 });
    assert.equal(config.global.routerId, 'web-a');
    assert.equal(config.global.vrrpVersion, 3);
    assert.deepEqual(config.global.scriptUser, { user: 'keepalived_script' });

    const [script] = config.scripts;
    assert.deepEqual(script && { ...script, pos: undefined }, {
      name: 'chk_nginx',
      pos: undefined,
      script: ['/usr/bin/pgrep', '-x', 'nginx'],
      interval: 2,
      timeout: 1,
      weight: -20,
      weightReverse: false,
      rise: 2,
      fall: 2,
      initFail: false,
    });

    const web = instance(config, 'VI_WEB');
    assert.equal(web.initialState, 'MASTER');
    assert.equal(web.vrid, 51);
    assert.equal(web.priority, 150);
    assert.equal(web.version, 3);
    assert.equal(web.family, 4);
    assert.deepEqual(
      web.vips.map(({ pos, ...vip }) => vip),
      [{ address: '203.0.113.10', prefix: 24, family: 4, dev: 'eth0', label: 'eth0:web' }],
    );
    assert.deepEqual(
      web.trackScripts.map((t) => [t.name, t.weight]),
      [['chk_nginx', undefined]],
    );
    assert.deepEqual(web.notify.master, ['/etc/vigil/notify.sh', 'master', 'VI_WEB']);
    assert.deepEqual(web.notify.fault, ['/etc/vigil/notify.sh', 'fault', 'VI_WEB']);

    const api = instance(config, 'VI_API');
    assert.equal(api.advertInt, 0.5);
    assert.equal(api.nopreempt, true);
    assert.deepEqual(
      api.vips.map((v) => `${v.address}/${v.prefix}`),
      ['203.0.113.11/24', '203.0.113.12/24'],
    );
    assert.deepEqual(
      api.trackInterfaces.map((t) => t.name),
      ['eth0'],
    );
    assert.deepEqual(
      api.trackScripts.map((t) => [t.name, t.weight]),
      [['chk_nginx', -30]],
    );
    assert.deepEqual(api.notify.any, ['/etc/vigil/notify-any.sh']);
  });

  it('lvs-dr.conf: DR virtual servers with HTTP_GET and TCP_CHECK real servers', () => {
    const { config } = load('lvs-dr.conf');
    assert.deepEqual(summarize(config), { instances: 1, virtualServers: 2, realServers: 4 });
    const [http, https] = config.virtualServers;
    assert.deepEqual(http!.key, { kind: 'ip', address: '198.51.100.80', family: 4, port: 80 });
    assert.equal(http!.scheduler, 'wrr');
    assert.equal(http!.lbKind, 'DR');
    assert.equal(http!.protocol, 'TCP');
    assert.equal(http!.delayLoop, 6);
    assert.deepEqual(http!.sorryServer && { ...http!.sorryServer, pos: undefined }, {
      address: '198.51.100.99',
      port: 80,
      family: 4,
      pos: undefined,
    });
    assert.deepEqual(
      http!.realServers.map((rs) => [rs.address, rs.port, rs.weight]),
      [
        ['198.51.100.21', 80, 3],
        ['198.51.100.22', 80, 2],
      ],
    );

    const first: HttpCheck = only(http!.realServers[0]!.checkers, 'HTTP_GET');
    assert.equal(first.urls.length, 2);
    assert.equal(first.urls[0]!.path, '/health');
    const codes = first.urls[0]!.statusCodes!;
    assert.equal(codes.length, 101);
    assert.deepEqual([codes[0], codes[99], codes[100]], [200, 299, 304]);
    assert.equal(first.urls[1]!.digest, '9b3a0c85a887a256d6939da88aabd8cd');
    assert.deepEqual([first.connectTimeout, first.retry, first.delayBeforeRetry, first.delayLoop], [3, 3, 2, 6]);

    const second: HttpCheck = only(http!.realServers[1]!.checkers, 'HTTP_GET');
    assert.deepEqual(second.urls[0]!.statusCodes, [200]);
    assert.equal(second.urls[0]!.virtualhost, 'www.example.net');
    // Unset values come from the virtual server and keepalived's HTTP_GET defaults.
    assert.deepEqual([second.retry, second.delayBeforeRetry, second.delayLoop, second.warmup], [1, 3, 6, 6]);

    assert.equal(https!.scheduler, 'sh');
    assert.equal(https!.schedFlags.shPort, true);
    assert.equal(https!.persistenceTimeout, 300);
    const tcp = only(https!.realServers[1]!.checkers, 'TCP_CHECK');
    assert.deepEqual([tcp.connectPort, tcp.connectTimeout, tcp.delayLoop], [443, 3, 10]);
    assert.equal(https!.realServers[0]!.weight, 1);
  });

  it('db-misc-check.conf: MISC_CHECK commands split into argv', () => {
    const { config } = load('db-misc-check.conf');
    const [vs] = config.virtualServers;
    assert.equal(vs!.lbKind, 'NAT');
    assert.equal(vs!.scheduler, 'wlc');
    const first: MiscCheck = only(vs!.realServers[0]!.checkers, 'MISC_CHECK');
    assert.deepEqual(first.path, ['/usr/local/bin/check_pg', '--host', '198.51.100.31', '--port', '5432']);
    assert.deepEqual([first.timeout, first.dynamic, first.retry], [5, false, 0]);
    assert.deepEqual(first.user, { user: 'postgres' });
    assert.equal(vs!.realServers[0]!.inhibitOnFailure, true);
    const second = only(vs!.realServers[1]!.checkers, 'MISC_CHECK');
    assert.equal(second.dynamic, true);
    assert.equal(vs!.realServers[1]!.inhibitOnFailure, false);
  });

  it('unicast.conf: VRRPv2 unicast with PASS authentication', () => {
    const { config } = load('unicast.conf');
    const edge = instance(config, 'VI_EDGE');
    assert.equal(edge.version, 2);
    assert.equal(edge.unicastSrcIp, '198.51.100.2');
    assert.deepEqual(
      edge.unicastPeers.map((p) => p.address),
      ['198.51.100.3'],
    );
    assert.deepEqual(edge.auth, { type: 'PASS', password: 'edge2025' });
  });

  it('ipv6.conf: an IPv6 VRRPv3 instance with normalized addresses', () => {
    const { config } = load('ipv6.conf');
    const v6 = instance(config, 'VI_V6');
    assert.equal(v6.family, 6);
    assert.equal(v6.version, 3);
    assert.equal(v6.advertInt, 0.5);
    assert.deepEqual(
      v6.vips.map((v) => [v.address, v.prefix, v.family]),
      [
        ['2001:db8::100', 64, 6],
        ['2001:db8::101', 64, 6],
      ],
    );
    assert.deepEqual(
      v6.excludedVips.map((v) => [v.address, v.family]),
      [['203.0.113.60', 4]],
    );
  });

  it('conf.d-include: the main file includes conf.d/*.conf in order', () => {
    const { config, result } = load('conf.d-include', 'keepalived.conf');
    assert.deepEqual(result.files, [
      example('conf.d-include', 'keepalived.conf'),
      example('conf.d-include', 'conf.d', '10-scripts.conf'),
      example('conf.d-include', 'conf.d', '20-frontend.conf'),
      example('conf.d-include', 'conf.d', '30-lvs.conf'),
    ]);
    assert.equal(config.global.routerId, 'inc-a');
    assert.deepEqual(
      instance(config, 'VI_FRONT').trackScripts.map((t) => t.name),
      ['chk_haproxy'],
    );
    const smtp = only(config.virtualServers[0]!.realServers[0]!.checkers, 'SMTP_CHECK');
    assert.equal(smtp.heloName, 'lb.example.net');
    assert.equal(
      config.virtualServers[0]!.realServers[0]!.pos.file,
      example('conf.d-include', 'conf.d', '30-lvs.conf'),
    );
  });
});
