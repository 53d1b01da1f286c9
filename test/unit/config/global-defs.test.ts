// global_defs against keepalived 2.2.7's list: every keyword it accepts there is implemented,
// accepted silently (it tunes what vigil does not have) or warned about as not implemented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../lab/paths.js';
import { type Config, createMemoryReader, parseConfigText } from '../../../src/config/index.js';
import { IGNORED } from '../../../src/config/keywords/ignored.js';
import { expectDiagnostic, expectLoaded, warningsOf } from './assert-diagnostics.js';

const load = (text: string) => parseConfigText(text, 'mem.conf', { reader: createMemoryReader({}) });
const globals = (body: string): Config =>
  expectLoaded(
    load(
      `global_defs {\n${body}\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n`,
    ),
  );

/** The keywords keepalived 2.2.7 installs for global_defs (keepalived/core/global_parser.c). */
const KEEPALIVED_GLOBAL_DEFS = `bfd_cpu_affinity bfd_no_swap bfd_priority bfd_process_name bfd_rlimit_rtime
bfd_rlimit_rttime bfd_rt_priority checker_cpu_affinity checker_log_all_failures checker_no_swap checker_priority
checker_process_name checker_rlimit_rtime checker_rlimit_rttime checker_rt_priority config_save_dir
data_use_instance dbus_service_name default_interface disable_local_igmp dynamic_interfaces enable_dbus
enable_script_security enable_snmp_checker enable_snmp_keepalived enable_snmp_rfc enable_snmp_rfcv2
enable_snmp_rfcv3 enable_snmp_vrrp enable_traps fifo_write_vrrp_states_on_reload include_check
log_unknown_vrids lvs_flush lvs_flush_on_stop lvs_flush_onstop lvs_netlink_cmd_rcv_bufs
lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force lvs_notify_fifo
lvs_notify_fifo_script lvs_process_name lvs_sync_daemon lvs_timeouts max_auto_priority min_auto_priority_delay
nftables nftables_counters nftables_ifindex nftables_ipvs nftables_ipvs_priority nftables_ipvs_start_fwmark
nftables_priority no_checker_emails no_email_faults notification_email notification_email_from notify_fifo
notify_fifo_script process_monitor_rcv_bufs process_monitor_rcv_bufs_force process_name process_names
random_seed reload_check_config reload_file reload_repeat reload_time_file router_id rs_init_notifies
script_user shutdown_script shutdown_script_timeout smtp_alert smtp_alert_checker smtp_alert_vrrp
smtp_connect_timeout smtp_helo_name smtp_server snmp_socket startup_script startup_script_timeout
tmp_config_directory umask vmac_addr_prefix vmac_prefix vrrp_check_unicast_src vrrp_cpu_affinity
vrrp_down_timer_adverts vrrp_garp_extra_if vrrp_garp_interval vrrp_garp_lower_prio_delay
vrrp_garp_lower_prio_repeat vrrp_garp_master_delay vrrp_garp_master_refresh vrrp_garp_master_refresh_repeat
vrrp_garp_master_repeat vrrp_gna_interval vrrp_higher_prio_send_advert vrrp_ipsets vrrp_iptables
vrrp_lower_prio_no_advert vrrp_mcast_group4 vrrp_mcast_group6 vrrp_min_garp vrrp_netlink_cmd_rcv_bufs
vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force vrrp_no_swap
vrrp_notify_fifo vrrp_notify_fifo_script vrrp_notify_priority_changes vrrp_priority vrrp_process_name
vrrp_rlimit_rtime vrrp_rlimit_rttime vrrp_rt_priority vrrp_rx_bufs_multiplier vrrp_rx_bufs_policy
vrrp_skip_check_adv_addr vrrp_startup_delay vrrp_strict vrrp_version vrrp_vmac_garp_intvl`.split(/\s+/);

/** A plausible value for each keyword that needs one, so that only the keyword is on trial. */
const SAMPLE_ARGS: Record<string, string> = {
  vrrp_version: '3',
  vrrp_priority: '-5',
  checker_priority: '-5',
  router_id: 'lb1',
  script_user: 'root',
  smtp_server: '198.51.100.25',
  smtp_connect_timeout: '10',
  smtp_helo_name: 'lb1',
  notification_email_from: 'lb@example.net',
  vrrp_down_timer_adverts: '2',
  lvs_timeouts: 'tcp 900',
  umask: '0077',
  startup_script: '/etc/keepalived/up.sh',
  shutdown_script: '/etc/keepalived/down.sh',
  startup_script_timeout: '5',
  shutdown_script_timeout: '5',
  vmac_prefix: 'vrrp',
  vrrp_mcast_group4: '224.0.0.19',
  lvs_sync_daemon: 'eth0',
  default_interface: 'eth0',
  vrrp_mcast_group6: 'ff02::13',
  nftables_priority: '-5',
};
const line = (keyword: string): string => {
  if (keyword === 'notification_email') return 'notification_email {\n  ops@example.net\n}';
  if (keyword.includes('notify_fifo')) return `${keyword} /run/${keyword}`;
  const value = SAMPLE_ARGS[keyword] ?? (/(delay|repeat|refresh|interval)$/.test(keyword) ? '1' : '');
  return `${keyword} ${value}`.trim();
};

describe('global_defs', () => {
  it('accepts every keyword keepalived 2.2.7 has there: none is an unknown keyword or refused', () => {
    assert.equal(KEEPALIVED_GLOBAL_DEFS.length, 126);
    for (const keyword of KEEPALIVED_GLOBAL_DEFS) {
      const result = load(`global_defs {\n${line(keyword)}\n}\n`);
      assert.deepEqual(
        result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
        [],
        keyword,
      );
    }
  });

  it("accepts what tunes only keepalived's processes, buffers and files without a word; each is in the docs", () => {
    const docs = readFileSync(path.join(repoRoot, 'docs', 'keepalived-compat.md'), 'utf8');
    for (const [block, groups] of Object.entries(IGNORED)) {
      for (const keyword of Object.values(groups).flat()) {
        const text = block === 'top level' ? `${keyword} 1` : `global_defs {\n  ${keyword} 1 2\n}`;
        assert.deepEqual(load(text).diagnostics, [], keyword);
        assert.ok(docs.includes(`\`${keyword}\``), `docs/keepalived-compat.md lists ${keyword}`);
      }
    }
  });

  it('still warns about the global keywords whose feature vigil lacks, which change what VRRP or LVS does', () => {
    for (const keyword of ['lvs_flush', 'vrrp_garp_extra_if', 'vrrp_iptables', 'enable_snmp_vrrp']) {
      const result = load(`global_defs {\n  ${keyword} x\n}`);
      expectDiagnostic(result, 'warning', 'mem.conf:2:3', 'not implemented');
    }
  });

  it('default_interface: a static_ipaddress without `dev` goes there, one with `dev` stays', () => {
    const config = expectLoaded(
      load(
        'global_defs {\n  default_interface eth1\n}\nstatic_ipaddress {\n  203.0.113.1/24\n  203.0.113.2/24 dev eth2\n}\n',
      ),
    );
    assert.deepEqual(
      config.staticAddresses.map((v) => v.dev),
      ['eth1', 'eth2'],
    );
    assert.equal(
      expectLoaded(load('static_ipaddress {\n  203.0.113.1/24\n}\n')).staticAddresses[0]!.dev,
      undefined,
      'eth0, as before',
    );
  });

  it('reads startup_script and shutdown_script with their users and timeouts; the first of each wins, as in keepalived', () => {
    const config = globals(
      '  startup_script "/etc/ka/up.sh now" nobody nogroup\n  startup_script /etc/ka/other.sh\n' +
        '  shutdown_script /etc/ka/down.sh\n  shutdown_script_timeout 30',
    );
    const { global } = config;
    assert.deepEqual(global.startupScript?.command, ['/etc/ka/up.sh', 'now']);
    assert.deepEqual(global.startupScript?.runAs, { user: 'nobody', group: 'nogroup' });
    assert.deepEqual(global.shutdownScript?.command, ['/etc/ka/down.sh']);
    assert.deepEqual([global.startupScriptTimeout, global.shutdownScriptTimeout], [10, 30]);
    assert.deepEqual(warningsOf(load(`global_defs {\n  startup_script /a\n  startup_script /b\n}`)).length, 1);
    expectDiagnostic(
      load('global_defs {\n  startup_script_timeout 1001\n}'),
      'error',
      'mem.conf:2:26',
      'must be between 1 and 1000',
    );
  });

  it('reads vrrp_notify_priority_changes, and notify_priority_changes of instances and sync groups, unset where not written', () => {
    const config = expectLoaded(
      load(
        'global_defs {\n  vrrp_notify_priority_changes\n}\n' +
          'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  notify_priority_changes off\n  virtual_ipaddress {\n    198.51.100.10/24\n  }\n}\n' +
          'vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 52\n  virtual_ipaddress {\n    198.51.100.11/24\n  }\n}\n' +
          'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  notify_priority_changes\n}\n',
      ),
    );
    assert.equal(config.global.notifyPriorityChanges, true);
    assert.deepEqual(
      config.instances.map((i) => i.notifyPriorityChanges),
      [false, undefined],
    );
    assert.equal(config.syncGroups[0]?.notifyPriorityChanges, true);
  });

  it('reads the lower-priority answer, down timer and unicast source check, and instances inherit them', () => {
    const config = globals(
      '  vrrp_garp_lower_prio_delay 7\n  vrrp_garp_lower_prio_repeat 2\n  vrrp_lower_prio_no_advert\n  vrrp_down_timer_adverts 4\n  vrrp_check_unicast_src',
    );
    const { global } = config;
    assert.deepEqual(
      [global.garpLowerPrioDelay, global.garpLowerPrioRepeat, global.lowerPrioNoAdvert, global.downTimerAdverts],
      [7, 2, true, 4],
    );
    const [vi] = config.instances;
    assert.deepEqual(
      [
        vi!.garpLowerPrioDelay,
        vi!.garpLowerPrioRepeat,
        vi!.lowerPrioNoAdvert,
        vi!.downTimerAdverts,
        vi!.checkUnicastSrc,
      ],
      [7, 2, true, 4, true],
    );
  });

  it('defaults the lower-priority answer to the master values, as keepalived does', () => {
    const { global } = globals('  vrrp_garp_master_delay 9\n  vrrp_garp_master_repeat 3');
    assert.deepEqual([global.garpLowerPrioDelay, global.garpLowerPrioRepeat], [9, 3]);
  });

  it('vrrp_min_garp: one round, no second burst, unless a value is written', () => {
    const min = globals('  vrrp_min_garp');
    assert.deepEqual(
      [min.global.garpMasterRepeat, min.global.garpMasterDelay, min.global.garpLowerPrioRepeat],
      [1, 0, 1],
    );
    assert.deepEqual([min.instances[0]!.garpMasterRepeat, min.instances[0]!.garpMasterDelay], [1, 0]);
    const written = globals('  vrrp_garp_master_repeat 3\n  vrrp_min_garp');
    assert.deepEqual([written.global.garpMasterRepeat, written.global.garpMasterDelay], [3, 0]);
    assert.equal(globals('  vrrp_min_garp off').global.garpMasterRepeat, 5);
  });

  it('lvs_timeouts: tcp, tcpfin and udp in any order, each up to 31 days', () => {
    assert.deepEqual(globals('  lvs_timeouts udp 60 tcp 7200').global.lvsTimeouts, { udp: 60, tcp: 7200 });
    assert.deepEqual(globals('  lvs_timeouts tcpfin 0').global.lvsTimeouts, { tcpFin: 0 });
    assert.equal(globals('').global.lvsTimeouts, undefined);
    const bad = (args: string) => load(`global_defs {\n  lvs_timeouts ${args}\n}`);
    expectDiagnostic(bad('tcp 2678401'), 'error', 'mem.conf:2:20', 'lvs_timeouts tcp');
    expectDiagnostic(bad('sctp 10'), 'error', 'mem.conf:2:16', 'lvs_timeouts');
    expectDiagnostic(bad('tcp 10 udp'), 'error', 'mem.conf:2:23', 'needs a number of seconds');
  });

  it('vrrp_startup_delay in seconds, fractions too; none by default', () => {
    assert.equal(globals('  vrrp_startup_delay 5.5').global.vrrpStartupDelay, 5.5);
    assert.equal(globals('').global.vrrpStartupDelay, 0);
  });

  it('checks the ranges keepalived checks', () => {
    const result = load('global_defs {\n  vrrp_down_timer_adverts 0\n}');
    expectDiagnostic(result, 'error', 'mem.conf:2:27', 'vrrp_down_timer_adverts');
    assert.equal(warningsOf(result).length, 0);
  });
});
