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
const VIP = ['virtual_ipaddress', 'virtual_ipaddress_excluded', 'static_ipaddress'];
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
    'linkbeat_interfaces',
    'track_group',
    'bfd_instance',
    'garp_group',
    'interface_up_down_delays',
    'SSL',
  ),
  ...entries(
    GLOBAL,
    'checker_log_all_failures',
    'lvs_flush',
    'lvs_flush_on_stop',
    'lvs_flush_onstop',
    'vrrp_garp_extra_if',
    'v3_checksum_as_v2',
    'nftables_ipvs',
    'nftables_ipvs_priority',
    'nftables_ipvs_start_fwmark',
    'vrrp_iptables',
    'vrrp_ipsets',
    'disable_local_igmp',
    'bfd_priority',
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
    'dynamic_interfaces',
    'rs_init_notifies',
    'no_checker_emails',
    'vrrp_delay_after_boot',
    'vmac_addr_prefix',
    'vrrp_vmac_garp_intvl',
    'reload_time_file',
    'reload_repeat',
    'reload_file',
    'data_use_instance',
    'state_file_location',
    'stats_file_location',
    'json_file_location',
    'json_version',
    'use_symlink_paths',
    'set_supplementary_groups',
    'snmp_vs_stats_update_interval',
    'snmp_rs_stats_update_interval',
  ),
  ...entries(
    INSTANCE,
    'use_vmac_addr',
    'use_ipvlan',
    'vrf',
    'track_bfd',
    'track_src_ip',
    'unicast_fault_no_peer',
    'old_unicast_checksum',
    'v3_checksum_as_v2',
    'garp_extra_if',
    'timer_expired_backup',
    'no_virtual_ipaddress',
    'debug',
    'notify_deleted',
    'kernel_rx_buf_size',
    'linkbeat_use_polling',
    'auth_hmac',
  ),
  ...entries(SYNC_GROUP, 'track_bfd', 'notify_deleted'),
  ...options(VIP, 0, 'home', '-nodad', 'nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'use_vmac'),
  ...options(VIP, 1, 'peer'),
  ...options(['static_ipaddress'], 1, 'track_group'),
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
