import { ARGS, custom, type KeywordSpec } from './table.js';

/**
 * keepalived keywords that tune what vigil does not have: its separate processes, their
 * scheduling and memory, its own sockets' buffers and files. They change neither VRRP nor LVS,
 * so vigil accepts them without a word; docs/keepalived-compat.md gives each group's reason.
 * A keyword that changes failover behaviour never belongs here: it is implemented, or warned
 * about as not implemented (not-implemented.ts).
 */
export const IGNORED: Readonly<Record<'top level' | 'global_defs', Readonly<Record<string, readonly string[]>>>> = {
  'top level': {
    processes: ['use_pid_dir', 'child_wait_time'],
    netlink: ['linkbeat_use_polling'],
  },
  global_defs: {
    processes: [
      'process_names',
      'process_name',
      'vrrp_process_name',
      'checker_process_name',
      'lvs_process_name',
      'bfd_process_name',
    ],
    scheduling: [
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
      'vrrp_rlimit_rtime',
      'checker_rlimit_rttime',
      'checker_rlimit_rtime',
      'bfd_rlimit_rttime',
      'bfd_rlimit_rtime',
      'max_auto_priority',
      'min_auto_priority_delay',
    ],
    buffers: [
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
    ],
    files: ['tmp_config_directory', 'config_save_dir', 'iproute_usr_dir', 'iproute_etc_dir'],
    reloads: ['reload_check_config'],
    testing: ['random_seed'],
  },
};

/** The ignored keywords of `block` as table entries: any arguments, any block, no effect. */
export function ignoredKeywords<T>(block: keyof typeof IGNORED): KeywordSpec<T>[] {
  return Object.values(IGNORED[block])
    .flat()
    .map((name) => custom<T>(name, { args: ARGS.any, block: 'optional', repeatable: true, apply() {} }));
}
