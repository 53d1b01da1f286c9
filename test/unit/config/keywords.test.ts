import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Config, createMemoryReader, NOT_IMPLEMENTED, parseConfigText } from '../../../src/config/index.js';
import { expectDiagnostic, expectLoaded, expectOnlyErrors, warningsOf } from './assert-diagnostics.js';

const noFiles = createMemoryReader({});
const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: noFiles });
const loaded = (text: string): Config => expectLoaded(load(text));

const INSTANCE = (body = '', vip = '198.51.100.10/24') =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;

describe('typed values and keepalived defaults', () => {
  it('fills keepalived defaults for global_defs and instances', () => {
    const config = loaded(INSTANCE());
    assert.deepEqual(config.global, {
      vrrpVersion: 2,
      vrrpMcastGroup4: '224.0.0.18',
      vrrpMcastGroup6: 'ff02::12',
      garpMasterDelay: 5,
      garpMasterRepeat: 5,
      garpMasterRefresh: 0,
      garpMasterRefreshRepeat: 1,
      garpInterval: 0,
      gnaInterval: 0,
      garpLowerPrioDelay: 5,
      garpLowerPrioRepeat: 5,
      lowerPrioNoAdvert: false,
      downTimerAdverts: 3,
      checkUnicastSrc: false,
      minGarp: false,
      vrrpStartupDelay: 0,
      logUnknownVrids: false,
      enableScriptSecurity: false,
      skipCheckAdvAddr: false,
      higherPrioSendAdvert: true,
      notifyFifos: {},
      mail: { connectTimeout: 30, to: [], noFaults: false },
      notifyPriorityChanges: false,
      fifoWriteStatesOnReload: false,
      startupScriptTimeout: 10,
      shutdownScriptTimeout: 10,
      vrrpStrict: false,
      nftables: { named: false, table: 'keepalived', priority: -1, counters: false, ifindex: false },
    });
    const [vi] = config.instances;
    assert.deepEqual(
      [
        vi!.initialState,
        vi!.priority,
        vi!.version,
        vi!.advertInt,
        vi!.family,
        vi!.nopreempt,
        vi!.preemptDelay,
        vi!.garpMasterDelay,
      ],
      ['BACKUP', 100, 2, 1, 4, false, 0, 5],
    );
    assert.deepEqual(vi!.pos, { file: 'mem.conf', line: 1, col: 1 });
  });

  it('inherits global garp and advert settings unless the instance sets them, wherever global_defs is', () => {
    const config = loaded(
      `${INSTANCE('  garp_master_repeat 2')}global_defs {\n  vrrp_garp_master_delay 10\n  vrrp_garp_master_repeat 3\n  vrrp_skip_check_adv_addr\n  vrrp_higher_prio_send_advert off\n  vrrp_garp_interval 0.001\n}\n`,
    );
    const [vi] = config.instances;
    assert.deepEqual(
      [vi!.garpMasterDelay, vi!.garpMasterRepeat, vi!.skipCheckAdvAddr, vi!.higherPrioSendAdvert],
      [10, 2, true, false],
    );
    assert.equal(config.global.garpInterval, 0.001);
  });

  it('reads vrrp_priority and checker_priority as nice values, -20 to 19, unset by default', () => {
    const config = loaded(`global_defs {\n  vrrp_priority -5\n  checker_priority 10\n}\n`);
    assert.deepEqual([config.global.vrrpNice, config.global.checkerNice], [-5, 10]);
    assert.deepEqual(warningsOf(load(`global_defs {\n  vrrp_priority -5\n}\n`)), [], 'no longer "not implemented"');
    assert.equal(loaded('global_defs {\n}\n').global.checkerNice, undefined);
    expectDiagnostic(load('global_defs {\n  checker_priority 20\n}\n'), 'error', 'mem.conf:2:20', 'between -20 and 19');
  });

  it("reads keepalived's umask as a C number or as S_I bits, unset by default", () => {
    const umask = (text: string) => loaded(`global_defs {\n  umask ${text}\n}\n`).global.umask;
    assert.deepEqual(
      [umask('0177'), umask('0x3f'), umask('18'), umask('IWGRP|IWOTH'), umask('IWGRP | IROTH')],
      [0o177, 0o77, 0o22, 0o22, 0o24],
    );
    assert.deepEqual(warningsOf(load('global_defs {\n  umask 022\n}\n')), [], 'no longer "not implemented"');
    assert.equal(loaded('global_defs {\n}\n').global.umask, undefined);
    expectDiagnostic(
      load('global_defs {\n  umask IWHAT\n}\n'),
      'error',
      'mem.conf:2:9',
      'expects a number such as 0177',
    );
    expectDiagnostic(
      load('global_defs {\n  umask 01777\n}\n'),
      'error',
      'mem.conf:2:9',
      'expects a number such as 0177',
    );
  });

  it('runs IPv6 instances as VRRPv3 unless a version is set, and honours native_ipv6', () => {
    assert.equal(loaded(INSTANCE('', '2001:db8::1')).instances[0]!.version, 3);
    const native = load(INSTANCE('  native_ipv6'));
    expectOnlyErrors(native, [['mem.conf:4:3', '`native_ipv6` forces IPv6']]);
  });

  it('reads VIP options and normalizes addresses', () => {
    const config = loaded(INSTANCE('', '198.51.100.10/24 brd 198.51.100.255 dev eth0 scope global label eth0:1'));
    const [vip] = config.instances[0]!.vips;
    assert.deepEqual(
      { ...vip, pos: undefined },
      {
        address: '198.51.100.10',
        prefix: 24,
        family: 4,
        brd: '198.51.100.255',
        dev: 'eth0',
        scope: 'global',
        label: 'eth0:1',
        pos: undefined,
      },
    );
    const v6 = loaded(INSTANCE('', '2001:0DB8:0000:0000:0000:0000:0000:0001')).instances[0]!.vips[0]!;
    assert.deepEqual([v6.address, v6.prefix], ['2001:db8::1', 128]);
    expectOnlyErrors(load(INSTANCE('', '198.51.100.10 scope galaxy')), [['mem.conf:6:25', '`scope` must be one of']]);
    expectOnlyErrors(load(INSTANCE('', '198.51.100.10 devv eth0')), [
      ['mem.conf:6:19', 'unknown `virtual_ipaddress` option `devv`; did you mean `dev`?'],
    ]);
  });

  it('drops the scope and label of an IPv6 VIP with a warning, as keepalived 2.2.7 does', () => {
    // keepalived 2.2.7: "Cannot specify scope for IPv6 addresses (2001:db8::1/64) - ignoring
    // scope"; `scope global` (its 0) passes silently. The kernel sets an IPv6 address's scope
    // itself, so `ip -6 addr` shows the same either way.
    const vips = (vip: string) => load(INSTANCE('', vip));
    const link = vips('2001:db8::1/64 scope link');
    expectDiagnostic(link, 'warning', 'mem.conf:6:26', '`scope link` is ignored for an IPv6 address');
    assert.equal(expectLoaded(link).instances[0]!.vips[0]!.scope, undefined);
    const global = vips('2001:db8::1/64 scope global');
    assert.deepEqual(warningsOf(global), []);
    assert.equal(expectLoaded(global).instances[0]!.vips[0]!.scope, undefined);
    const label = vips('fe80::99/64 label eth0:6');
    expectDiagnostic(label, 'warning', 'mem.conf:6:23', '`label eth0:6` is ignored for an IPv6 address');
    assert.equal(expectLoaded(label).instances[0]!.vips[0]!.label, undefined);
    assert.equal(loaded(INSTANCE('', '198.51.100.10 scope link')).instances[0]!.vips[0]!.scope, 'link');
  });

  it('reads track entries with weights and reverse', () => {
    const config = loaded(
      `vrrp_script chk {\n  script /bin/true\n  weight 10 reverse\n}\ntrack_file maint {\n  file /run/maint\n  weight -5\n  init_file 0 overwrite\n}\n${INSTANCE('  track_interface {\n    eth0 weight -10 reverse\n    lo\n  }\n  track_script {\n    chk weight 5 noreverse\n  }\n  track_file {\n    maint\n  }')}`,
    );
    const vi = config.instances[0]!;
    assert.deepEqual(
      vi.trackInterfaces.map(({ pos, ...t }) => t),
      [{ name: 'eth0', weight: -10, reverse: true }, { name: 'lo' }],
    );
    assert.deepEqual(
      vi.trackScripts.map(({ pos, ...t }) => t),
      [{ name: 'chk', weight: 5, reverse: false }],
    );
    assert.deepEqual(config.scripts[0]!.weightReverse, true);
    assert.deepEqual(
      { ...config.trackFiles[0]!, pos: undefined },
      {
        name: 'maint',
        pos: undefined,
        file: '/run/maint',
        weight: -5,
        weightReverse: false,
        initFile: { value: 0, overwrite: true },
      },
    );
  });

  it('splits script commands into argv, honouring quotes inside the quoted command', () => {
    const config = loaded(
      `vrrp_script chk {\n  script "/bin/sh -c 'test -f /run/up' \\"a b\\""\n  user nobody :nogroup\n}\n${INSTANCE('  notify_master /etc/vigil/up.sh')}`,
    );
    assert.deepEqual(config.scripts[0]!.script, ['/bin/sh', '-c', 'test -f /run/up', 'a b']);
    assert.deepEqual(config.scripts[0]!.user, { user: 'nobody', group: 'nogroup' });
    assert.deepEqual(config.instances[0]!.notify.master, ['/etc/vigil/up.sh']);
  });

  it('makes an IPv6 /128 VIP deprecated unless preferred_lft says otherwise, as keepalived does', () => {
    const vips = (line: string) => loaded(INSTANCE('', line)).instances[0]!.vips[0]!;
    assert.equal(vips('2001:db8::10/128').preferredLifetime, 0);
    assert.equal(vips('2001:db8::10/64').preferredLifetime, undefined);
    assert.equal(vips('2001:db8::10/128 preferred_lft forever').preferredLifetime, undefined);
    assert.equal(vips('2001:db8::10/64 preferred_lft 30').preferredLifetime, 30);
    assert.equal(vips('198.51.100.10/32 preferred_lft 0').preferredLifetime, undefined);
  });

  it('reads `\\"` as keepalived 2.2.7 does: no escape in a value, an escaped quote in a script command', () => {
    // keepalived ran `notify_master "/usr/bin/touch \"/tmp/d1k/q a\" /tmp/d1k/q2"` as touch
    // of `/tmp/d1k/q a` and `/tmp/d1k/q2` (see lexer.test.ts).
    const script = loaded(INSTANCE('  notify_master "/usr/bin/touch \\"/tmp/q a\\" /tmp/q2"'));
    assert.deepEqual(script.instances[0]!.notify.master, ['/usr/bin/touch', '/tmp/q a', '/tmp/q2']);
    const auth = load(INSTANCE('  authentication {\n    auth_type PASS\n    auth_pass "ab\\"cd"\n  }'));
    assert.deepEqual(expectLoaded(auth).instances[0]!.auth, { type: 'PASS', password: 'ab\\' });
    expectDiagnostic(auth, 'warning', 'mem.conf:6:22', 'reads `\\"` as a backslash, then a quote');
  });

  it('reads a script keyword again from the line as written, as keepalived does: single quotes, escapes read twice', () => {
    const result = load(
      `global_defs {\n  notify_fifo /run/f\n  notify_fifo_script "/bin/log '-v'" nobody nogroup\n}\n` +
        `vrrp_script chk {\n  script "/bin/grep -q 'a\\\\.b' \\x41"\n}\n` +
        `vrrp_script two {\n  script /bin/check --fast\n}\n${INSTANCE('  notify_master \'/bin/up "x  y" a b\'')}`,
    );
    const config = expectLoaded(result);
    assert.deepEqual(config.scripts[0]!.script, ['/bin/grep', '-q', 'a.b', 'A']);
    assert.deepEqual(config.scripts[1]!.script, ['/bin/check']);
    assert.deepEqual(config.instances[0]!.notify.master, ['/bin/up', 'x  y', 'a', 'b']);
    assert.deepEqual(config.global.notifyFifos.all?.script, ['/bin/log', '-v']);
    assert.deepEqual(config.global.notifyFifos.all?.scriptUser, { user: 'nobody', group: 'nogroup' });
    expectDiagnostic(result, 'warning', 'mem.conf:9:21', '`--fast` is ignored, as in keepalived');
  });

  it('reads a word split at a quote as keepalived 2.2.7 does: separate words, but one word in a script command', () => {
    const result = load(INSTANCE('  notify_master /bin/echo"x y"', '198.51.100.20/32"dev"eth1'));
    assert.deepEqual(result.config!.instances[0]!.vips[0]!.dev, 'eth1');
    assert.deepEqual(result.config!.instances[0]!.notify.master, ['/bin/echox', 'y']);
    const auth = load(INSTANCE('  authentication {\n    auth_type PASS\n    auth_pass ab"!"cd\n  }'));
    assert.deepEqual(
      auth.diagnostics.map((d) => [d.severity, `${d.pos.line}:${d.pos.col}`]),
      [['warning', '6:17']],
    );
    assert.deepEqual(auth.config!.instances[0]!.auth, { type: 'PASS', password: 'ab' });
    assert.deepEqual(
      warningsOf(result).map((d) => `${d.pos.line}:${d.pos.col}`),
      ['4:26', '6:21'],
    );
  });

  it('reads the conditional lines of the config id it is given, in included files too', () => {
    const reader = createMemoryReader({
      '/etc/k/inc.conf': INSTANCE('  @lb1 priority 150\n  @^lb1 priority 50').replace('VI_1', 'VI_2'),
    });
    const main = '@lb1 include inc.conf\n@^lb1 global_defs { router_id other }\n';
    const priorities = (configId?: string) => {
      const config = expectLoaded(parseConfigText(main, '/etc/k/keepalived.conf', { reader, configId }));
      return [config.instances.map((vi) => vi.priority), config.global.routerId];
    };
    assert.deepEqual(priorities('lb1'), [[150], undefined]);
    assert.deepEqual(priorities('lb2'), [[], 'other']);
    assert.deepEqual(priorities(undefined), [[], 'other']);
  });

  it('warns that a user after a notify command is ignored (and hints at quoting)', () => {
    const result = load(INSTANCE('  notify_master /etc/vigil/up.sh master'));
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:4:34',
      'running `notify_master` as user `master` is accepted but not implemented',
    );
    assert.deepEqual(result.config!.instances[0]!.notify.master, ['/etc/vigil/up.sh']);
  });

  it('warns that preempt_delay does nothing for a MASTER-state instance', () => {
    const result = load(INSTANCE('  state MASTER\n  preempt_delay 30'));
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:5:3',
      '`preempt_delay` has no effect on an instance that starts as MASTER',
    );
    assert.equal(result.config!.instances[0]!.preemptDelay, 30);
  });

  it('warns when a keyword is set twice and keeps the later value', () => {
    const result = load(INSTANCE('  priority 90\n  priority 110'));
    expectDiagnostic(
      result,
      'warning',
      'mem.conf:5:3',
      '`priority` is already set at mem.conf:4:3; this later one wins',
    );
    assert.equal(result.config!.instances[0]!.priority, 110);
  });

  it('reads sync groups with members on one line or several', () => {
    const config = loaded(
      `${INSTANCE()}${INSTANCE().replace('VI_1', 'VI_2').replace('51', '52').replace('.10/', '.11/')}vrrp_sync_group SG {\n  group { VI_1\n VI_2 }\n  notify "/etc/vigil/sg.sh --all"\n}\n`,
    );
    assert.deepEqual(config.syncGroups[0]!.members, ['VI_1', 'VI_2']);
    assert.deepEqual(config.syncGroups[0]!.notify.any, ['/etc/vigil/sg.sh', '--all']);
  });

  it('keeps one list of accepted-but-not-implemented keywords', () => {
    assert.ok(NOT_IMPLEMENTED.some((e) => e.keyword === 'use_vmac_addr' && e.blocks.includes('vrrp_instance')));
    assert.ok(NOT_IMPLEMENTED.some((e) => e.keyword === 'garp_group'));
    const keys = NOT_IMPLEMENTED.flatMap((e) => e.blocks.map((b) => `${b} ${e.keyword}`));
    assert.equal(new Set(keys).size, keys.length, 'no duplicate entries');
  });
});

describe('LVS keywords', () => {
  it('applies keepalived defaults and inherits check timing: checker, then real server, then virtual server', () => {
    const config = loaded(`virtual_server 198.51.100.80 80 {
  protocol TCP
  delay_loop 20
  retry 4
  connect_timeout 7
  virtualhost vs.example.net
  real_server 198.51.100.21 {
    delay_before_retry 9
    TCP_CHECK {
    }
    HTTP_GET {
      url {
        path /
      }
      retry 1
    }
    DNS_CHECK {
    }
    MISC_CHECK {
      misc_path /bin/true
    }
  }
}
`);
    const vs = config.virtualServers[0]!;
    assert.deepEqual([vs.protocol, vs.scheduler, vs.lbKind, vs.quorum, vs.hysteresis], ['TCP', 'wlc', 'NAT', 1, 0]);
    const rs = vs.realServers[0]!;
    assert.deepEqual([rs.port, rs.weight], [80, 1]);
    const [tcp, http, dns, misc] = rs.checkers;
    assert.deepEqual(
      tcp?.type === 'TCP_CHECK' && [tcp.delayLoop, tcp.retry, tcp.delayBeforeRetry, tcp.warmup, tcp.connectTimeout],
      [20, 4, 9, 20, 7],
    );
    assert.equal(http?.type, 'HTTP_GET');
    assert.deepEqual(http?.type === 'HTTP_GET' && [http.retry, http.virtualhost, http.urls[0]!.statusCodes], [
      1,
      'vs.example.net',
      undefined,
    ]);
    assert.deepEqual(dns?.type === 'DNS_CHECK' && [dns.queryType, dns.name, dns.retry], ['SOA', '.', 4]);
    assert.deepEqual(misc?.type === 'MISC_CHECK' && [misc.timeout, misc.retry], [20, 4]);
  });

  it('uses keepalived per-checker retry defaults when nothing is set', () => {
    const config = loaded(
      'virtual_server 198.51.100.80 53 {\n  protocol UDP\n  real_server 198.51.100.21 53 {\n    DNS_CHECK {\n      type A\n      name example.net\n    }\n    MISC_CHECK {\n      misc_path /bin/true\n    }\n  }\n}\n',
    );
    const [dns, misc] = config.virtualServers[0]!.realServers[0]!.checkers;
    assert.deepEqual(dns?.type === 'DNS_CHECK' && [dns.queryType, dns.name, dns.retry, dns.delayBeforeRetry], [
      'A',
      'example.net',
      3,
      60,
    ]);
    assert.deepEqual(misc?.type === 'MISC_CHECK' && [misc.retry, misc.delayBeforeRetry], [0, 1]);
  });

  it('SMTP_CHECK and DNS_CHECK load without the not-run warning: vigild runs them', () => {
    const result = load(
      'virtual_server 198.51.100.80 25 {\n  protocol TCP\n  real_server 198.51.100.21 25 {\n    SMTP_CHECK {\n      helo_name lb1.example.net\n      host {\n        connect_ip 198.51.100.22\n      }\n    }\n    DNS_CHECK {\n      type DNSKEY\n      name example.net\n    }\n  }\n}\n',
    );
    assert.deepEqual(warningsOf(result), []);
    const [smtp, dns] = expectLoaded(result).virtualServers[0]!.realServers[0]!.checkers;
    assert.deepEqual(smtp?.type === 'SMTP_CHECK' && [smtp.heloName, smtp.hosts[0]?.connectIp], [
      'lb1.example.net',
      '198.51.100.22',
    ]);
    assert.equal(dns?.type === 'DNS_CHECK' && dns.queryType, 'DNSKEY');
  });

  it("reads DNS_CHECK's type in any case, as keepalived does", () => {
    const config = loaded(
      'virtual_server 198.51.100.80 53 {\n  protocol UDP\n  real_server 198.51.100.21 53 {\n    DNS_CHECK {\n      type aaaa\n    }\n  }\n}\n',
    );
    const dns = config.virtualServers[0]!.realServers[0]!.checkers[0];
    assert.equal(dns?.type === 'DNS_CHECK' && dns.queryType, 'AAAA');
  });

  it('reads UDP_CHECK hex payloads the keepalived way', () => {
    const config = loaded(
      'virtual_server 198.51.100.80 53 {\n  protocol UDP\n  real_server 198.51.100.21 53 {\n    UDP_CHECK {\n      payload Ab12f 3\n      require_reply 12xX\n      max_reply_length 512\n    }\n  }\n}\n',
    );
    const [udp] = config.virtualServers[0]!.realServers[0]!.checkers;
    assert.deepEqual(
      udp?.type === 'UDP_CHECK' && [udp.payload, udp.requireReply, udp.minReplyLength, udp.maxReplyLength],
      ['ab120f03', { pattern: '12xx' }, 0, 512],
    );
  });

  it('reads fwmark and group virtual servers, groups with ranges, and persistence', () => {
    const config = loaded(`virtual_server_group WEB {
  198.51.100.80 80
  198.51.100.81-89 80
  198.51.100.96/30 443
  2001:db8::10-1f 80
  fwmark 7 inet6
}
virtual_server group WEB {
  protocol TCP
  persistence_timeout
  persistence_granularity 255.255.255.0
  real_server 198.51.100.21 80
}
virtual_server fwmark 9 {
  lb_algo mh
  mh-fallback
  real_server 2001:db8::21 80 {
  }
}
virtual_server 198.51.100.80 {
  protocol TCP
  persistence_timeout 600
  real_server 198.51.100.21
}
`);
    assert.deepEqual(
      config.virtualServerGroups[0]!.entries.map(({ pos, ...e }) => e),
      [
        { kind: 'ip', address: '198.51.100.80', family: 4, port: 80 },
        { kind: 'range', first: '198.51.100.81', last: '198.51.100.89', family: 4, port: 80 },
        { kind: 'range', first: '198.51.100.96', last: '198.51.100.99', family: 4, port: 443 },
        { kind: 'range', first: '2001:db8::10', last: '2001:db8::1f', family: 6, port: 80 },
        { kind: 'fwmark', mark: 7, family: 6 },
      ],
    );
    const [group, mark, portless] = config.virtualServers;
    assert.deepEqual(group!.key, { kind: 'group', name: 'WEB' });
    assert.deepEqual(
      [group!.persistenceTimeout, group!.persistenceGranularity, group!.realServers[0]!.port],
      [360, '255.255.255.0', 80],
    );
    assert.deepEqual(mark!.key, { kind: 'fwmark', mark: 9, family: 6 });
    assert.deepEqual([mark!.scheduler, mark!.schedFlags.mhFallback], ['mh', true]);
    assert.deepEqual(
      [portless!.key.kind === 'ip' && portless!.key.port, portless!.persistenceTimeout, portless!.realServers[0]!.port],
      [0, 600, 0],
    );
  });

  it('requires urls for HTTP_GET and a path in each url, and checks status codes and digests', () => {
    const result = load(
      'virtual_server 198.51.100.80 80 {\n  real_server 198.51.100.21 80 {\n    HTTP_GET {\n    }\n    SSL_GET {\n      url {\n        digest 123\n        status_code 200-199 700\n      }\n      enable_sni\n    }\n  }\n  protocol TCP\n}\n',
    );
    expectOnlyErrors(result, [
      ['mem.conf:3:5', '`HTTP_GET` needs at least one `url { path ... }` block'],
      ['mem.conf:6:7', '`url` needs a `path`'],
      ['mem.conf:7:16', '`digest` expects an MD5 digest of 32 hex digits'],
      ['mem.conf:8:21', '`status_code` expects HTTP status codes (100-599) or ranges such as 200-299, got `200-199`'],
    ]);
  });

  const sslVirtualServer = (body: string) =>
    `virtual_server 198.51.100.80 80 {\n  protocol TCP\n  real_server 198.51.100.21 80 {\n    SSL_GET {\n${body}\n    }\n  }\n}\n`;
  const sslGet = (config: Config) => {
    const checker = config.virtualServers[0]!.realServers[0]!.checkers[0]!;
    assert.equal(checker.type, 'SSL_GET');
    return checker.type === 'SSL_GET' ? checker : assert.fail('SSL_GET');
  };

  it('reads http_protocol (keepalived takes 1.0c too), enable_sni with or without a value, and regex with its companions', () => {
    const checker = sslGet(
      loaded(
        sslVirtualServer(
          '      http_protocol 1.0c\n      enable_sni true\n      url {\n        path /health\n        regex "ok|ready"\n        regex_no_match\n        regex_options caseless dotall\n        regex_min_offset 2\n        regex_max_offset 40\n      }',
        ),
      ),
    );
    assert.deepEqual(
      [checker.httpProtocol, checker.enableSni, checker.urls[0]!.regex],
      [
        '1.0C',
        true,
        { pattern: 'ok|ready', options: ['caseless', 'dotall'], noMatch: true, minOffset: 2, maxOffset: 40 },
      ],
    );
    const plain = sslGet(loaded(sslVirtualServer('      url {\n        path /\n      }')));
    assert.deepEqual([plain.httpProtocol, plain.enableSni, plain.urls[0]!.regex], ['1.0', false, undefined]);
  });

  it('says where http_protocol, regex_options, a regex that does not compile and crossed offsets are wrong', () => {
    const result = load(
      sslVirtualServer(
        '      http_protocol 2\n      url {\n        path /\n        regex "(unclosed"\n        regex_options extended\n        regex_min_offset 9\n        regex_max_offset 3\n      }',
      ),
    );
    expectOnlyErrors(result, [
      ['mem.conf:5:21', '`http_protocol` expects 1.0, 1.0C, 1.1, got `2`'],
      ['mem.conf:9:23', '`regex_options` can be caseless, multiline, dotall, utf in vigil'],
      ['mem.conf:8:15', '`regex` does not compile as a JavaScript regular expression'],
      ['mem.conf:11:26', '`regex_max_offset` 3 is before `regex_min_offset` 9'],
    ]);
  });

  it('warns that regex companions without a regex do nothing, as keepalived ignores them', () => {
    const result = load(sslVirtualServer('      url {\n        path /\n        regex_no_match\n      }'));
    expectDiagnostic(result, 'warning', 'mem.conf:7:9', '`regex_no_match` has no effect without a `regex` in this url');
    assert.equal(sslGet(expectLoaded(result)).urls[0]!.regex, undefined);
  });
});
