import { CHECKER_TYPES } from '../types.js';

/**
 * Everything keepalived accepts that vigil parses but does not act on yet. Using one of these
 * is a warning, not an error, so existing keepalived configurations load. This is the single
 * list: implementing a feature means removing its entry here and adding a keyword to a table.
 */
export interface NotImplemented {
  keyword: string;
  /** Blocks (table names) where keepalived accepts it. */
  blocks: readonly string[];
  /**
   * For options inside a line (virtual_ipaddress, unicast_peer entries): how many values
   * follow the option word. Block keywords are skipped whole, so they leave this unset.
   */
  values?: number;
}

const TOP = ['top level'];
const GLOBAL = ['global_defs'];
const INSTANCE = ['vrrp_instance'];
const SYNC_GROUP = ['vrrp_sync_group'];
const VS = ['virtual_server'];
const RS = ['real_server'];
const VIP = ['virtual_ipaddress', 'virtual_ipaddress_excluded'];
const ALL_CHECKERS: readonly string[] = CHECKER_TYPES.filter((type) => type !== 'FILE_CHECK');
const HTTP = ['HTTP_GET', 'SSL_GET'];

const entries = (blocks: readonly string[], ...keywords: string[]): NotImplemented[] =>
  keywords.map((keyword) => ({ keyword, blocks }));
const options = (blocks: readonly string[], values: number, ...keywords: string[]): NotImplemented[] =>
  keywords.map((keyword) => ({ keyword, blocks, values }));

export const NOT_IMPLEMENTED: readonly NotImplemented[] = [
  ...entries(
    TOP,
    'net_namespace',
    'net_namespace_ipvs',
    'namespace_with_ipsets',
    'instance',
    'use_pid_dir',
    'linkbeat_use_polling',
    'child_wait_time',
    'linkbeat_interfaces',
    'track_group',
    'static_ipaddress',
    'static_routes',
    'static_rules',
    'vrrp_track_process',
    'bfd_instance',
    'garp_group',
    'interface_up_down_delays',
    'SSL',
  ),
  ...entries(
    GLOBAL,
    'checker_log_all_failures',
    'vrrp_mcast_group4',
    'vrrp_mcast_group6',
    'default_interface',
    'lvs_sync_daemon',
    'lvs_timeouts',
    'lvs_flush',
    'lvs_flush_on_stop',
    'vrrp_garp_lower_prio_repeat',
    'vrrp_garp_lower_prio_delay',
    'vrrp_min_garp',
    'vrrp_garp_extra_if',
    'vrrp_down_timer_adverts',
    'vrrp_lower_prio_no_advert',
    'v3_checksum_as_v2',
    'nftables',
    'nftables_priority',
    'nftables_counters',
    'nftables_ifindex',
    'nftables_ipvs',
    'nftables_ipvs_priority',
    'nftables_ipvs_start_fwmark',
    'vrrp_iptables',
    'vrrp_ipsets',
    'disable_local_igmp',
    'vrrp_check_unicast_src',
    'vrrp_notify_priority_changes',
    'max_auto_priority',
    'min_auto_priority_delay',
    'bfd_priority',
    'vrrp_no_swap',
    'checker_no_swap',
    'bfd_no_swap',
    'vrrp_cpu_affinity',
    'checker_cpu_affinity',
    'bfd_cpu_affinity',
    'vrrp_rt_priority',
    'checker_rt_priority',
    'bfd_rt_priority',
    'vrrp_rlimit_rttime',
    'checker_rlimit_rttime',
    'bfd_rlimit_rttime',
    'snmp_socket',
    'enable_snmp_vrrp',
    'enable_snmp_checker',
    'enable_snmp_rfc',
    'enable_snmp_rfcv2',
    'enable_snmp_rfcv3',
    'enable_snmp_keepalived',
    'enable_traps',
    'enable_dbus',
    'dbus_service_name',
    'dbus_no_interface_name',
    'fifo_write_vrrp_states_on_reload',
    'dynamic_interfaces',
    'vrrp_netlink_cmd_rcv_bufs',
    'vrrp_netlink_cmd_rcv_bufs_force',
    'vrrp_netlink_monitor_rcv_bufs',
    'vrrp_netlink_monitor_rcv_bufs_force',
    'lvs_netlink_cmd_rcv_bufs',
    'lvs_netlink_cmd_rcv_bufs_force',
    'lvs_netlink_monitor_rcv_bufs',
    'lvs_netlink_monitor_rcv_bufs_force',
    'process_monitor_rcv_bufs',
    'process_monitor_rcv_bufs_force',
    'vrrp_rx_bufs_policy',
    'vrrp_rx_bufs_multiplier',
    'rs_init_notifies',
    'no_checker_emails',
    'umask',
    'vrrp_startup_delay',
    'vrrp_delay_after_boot',
    'log_unknown_vrids',
    'vmac_prefix',
    'vmac_addr_prefix',
    'random_seed',
    'reload_check_config',
    'reload_time_file',
    'reload_repeat',
    'reload_file',
    'data_use_instance',
    'state_file_location',
    'stats_file_location',
    'json_file_location',
    'json_version',
    'iproute_usr_dir',
    'iproute_etc_dir',
    'tmp_config_directory',
    'config_save_dir',
    'process_names',
    'process_name',
    'vrrp_process_name',
    'checker_process_name',
    'bfd_process_name',
    'use_symlink_paths',
    'set_supplementary_groups',
    'startup_script',
    'startup_script_timeout',
    'shutdown_script',
    'shutdown_script_timeout',
    'snmp_vs_stats_update_interval',
    'snmp_rs_stats_update_interval',
  ),
  ...entries(
    INSTANCE,
    'use_vmac',
    'use_vmac_addr',
    'vmac_xmit_base',
    'use_ipvlan',
    'vrf',
    'track_process',
    'track_bfd',
    'mcast_dst_ip',
    'track_src_ip',
    'check_unicast_src',
    'unicast_fault_no_peer',
    'unicast_ttl',
    'old_unicast_checksum',
    'v3_checksum_as_v2',
    'garp_lower_prio_delay',
    'garp_lower_prio_repeat',
    'garp_extra_if',
    'down_timer_adverts',
    'timer_expired_backup',
    'lower_prio_no_advert',
    'no_virtual_ipaddress',
    'promote_secondaries',
    'virtual_routes',
    'virtual_rules',
    'no_accept',
    'strict_mode',
    'debug',
    'notify_master_rx_lower_pri',
    'notify_deleted',
    'notify_priority_changes',
    'kernel_rx_buf_size',
    'linkbeat_use_polling',
    'auth_hmac',
    'lvs_sync_daemon_interface',
  ),
  ...entries(
    SYNC_GROUP,
    'track_interface',
    'track_script',
    'track_file',
    'track_process',
    'track_bfd',
    'notify_deleted',
    'notify_priority_changes',
    'global_tracking',
    'sync_group_tracking_weight',
  ),
  ...options(VIP, 0, 'home', '-nodad', 'nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'no_track', 'use_vmac'),
  ...options(VIP, 1, 'peer', 'preferred_lft'),
  ...options(['unicast_peer'], 1, 'min_ttl', 'max_ttl'),
  ...entries(VS, 'flag-1', 'flag-2', 'flag-3', 'persistence_engine', 'snmp_name', 'sorry_server_lvs_method'),
  ...entries(RS, 'lvs_method', 'snmp_name', 'BFD_CHECK'),
  ...entries(ALL_CHECKERS, 'log_all_failures'),
  ...entries(['MISC_CHECK'], 'connect_timeout'),
  ...entries(HTTP, 'fast_recovery'),
  ...entries(['SSL_GET'], 'sni_name', 'tls_compliant'),
  ...entries(
    ['url'],
    // The PCRE2 JIT stack size: nothing to size in JavaScript's engine.
    'regex_stack',
    'tls_compliant',
  ),
];

export function findNotImplemented(block: string, keyword: string): NotImplemented | undefined {
  return NOT_IMPLEMENTED.find((entry) => entry.keyword === keyword && entry.blocks.includes(block));
}

export function notImplementedMessage(keyword: string): string {
  return `\`${keyword}\` is accepted but not implemented by vigil yet; ignored`;
}
