// keepalived's stats dump (SIGUSR2, /tmp/keepalived.stats): per instance, its advert, mastership
// and error counters under keepalived's headings, in keepalived's order and indentation.
import type { InstanceView } from './instance-view.js';

export function statsDump(instances: readonly InstanceView[]): string {
  return instances.map(instanceStats).join('');
}

function instanceStats({ name, stats: s }: InstanceView): string {
  const lines = [
    `VRRP Instance: ${name}`,
    '  Advertisements:',
    `    Received: ${s.advert_rcvd}`,
    `    Sent: ${s.advert_sent}`,
    `  Became master: ${s.become_master}`,
    `  Released master: ${s.release_master}`,
    '  Packet Errors:',
    `    Length: ${s.packet_len_err}`,
    `    TTL: ${s.ip_ttl_err}`,
    `    Invalid Type: ${s.invalid_type_rcvd}`,
    `    Advertisement Interval: ${s.advert_interval_err}`,
    `    Address List: ${s.addr_list_err}`,
    '  Authentication Errors:',
    `    Invalid Type: ${s.invalid_authtype}`,
    `    Type Mismatch: ${s.authtype_mismatch}`,
    `    Failure: ${s.auth_failure}`,
    '  Priority Zero:',
    `    Received: ${s.pri_zero_rcvd}`,
    `    Sent: ${s.pri_zero_sent}`,
  ];
  return `${lines.join('\n')}\n`;
}
