// The metrics of the keepalived exporters, from vigild's status, so that their dashboards and
// alert rules read vigild unchanged. VRRP: mehdy/keepalived-exporter (v1.0 and later) names,
// labels, help texts and state numbers. LVS: gen2brain/keepalived_exporter's real-server
// counters. What vigil has no figure for is left out rather than exported as zero (docs/metrics.md).
import type { InstanceStatus, RealServerStatus, StatusResponse, VirtualServerStatus } from '../api/schema.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import { type KeepalivedStats, keepalivedStats } from './dumps/instance-view.js';
import { familyOf, type MetricFamily, type MetricSpec, single } from './metrics-family.js';

/** The exporter's labels of an instance. */
export const INSTANCE_LABELS = ['iname', 'intf', 'vrid'] as const;

export const instanceLabels = (i: InstanceStatus): Record<string, string> => ({
  iname: i.name,
  intf: i.interface,
  vrid: String(i.vrid),
});

/** The exporter's numbers for keepalived's states (its INIT, BACKUP, MASTER, FAULT order). */
export const STATE_VALUE: Record<InstanceStatus['state'], number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3 };

const counter = (name: string, help: string): MetricSpec => ({ name, help, type: 'counter', labels: INSTANCE_LABELS });

/** Each exporter counter and the keepalived stats field it reads (vigil's counters under keepalived's names). */
const VRRP_COUNTERS: [MetricSpec, keyof KeepalivedStats][] = [
  [counter('keepalived_advertisements_received_total', 'Advertisements received'), 'advert_rcvd'],
  [counter('keepalived_advertisements_sent_total', 'Advertisements sent'), 'advert_sent'],
  [counter('keepalived_become_master_total', 'Became master'), 'become_master'],
  [counter('keepalived_release_master_total', 'Released master'), 'release_master'],
  [counter('keepalived_packet_length_errors_total', 'Packet length errors'), 'packet_len_err'],
  [counter('keepalived_advertisements_interval_errors_total', 'Advertisement interval errors'), 'advert_interval_err'],
  [counter('keepalived_ip_ttl_errors_total', 'TTL errors'), 'ip_ttl_err'],
  [counter('keepalived_invalid_type_received_total', 'Invalid type errors'), 'invalid_type_rcvd'],
  [counter('keepalived_address_list_errors_total', 'Address list errors'), 'addr_list_err'],
  [counter('keepalived_authentication_invalid_total', 'Authentication invalid'), 'invalid_authtype'],
  [counter('keepalived_authentication_mismatch_total', 'Authentication mismatch'), 'authtype_mismatch'],
  [counter('keepalived_authentication_failure_total', 'Authentication failure'), 'auth_failure'],
  [counter('keepalived_priority_zero_received_total', 'Priority zero received'), 'pri_zero_rcvd'],
  [counter('keepalived_priority_zero_sent_total', 'Priority zero sent'), 'pri_zero_sent'],
];

const UP: MetricSpec = { name: 'keepalived_up', help: 'Status', type: 'gauge', labels: [] };

const VRRP_STATE: MetricSpec = {
  name: 'keepalived_vrrp_state',
  help: 'State of vrrp',
  type: 'gauge',
  labels: [...INSTANCE_LABELS, 'ip_address'],
};

export function keepalivedFamilies(status: StatusResponse): MetricFamily[] {
  return [single(UP, 1), vrrpStates(status.instances), ...vrrpCounters(status.instances), ...lvsFamilies(status)];
}

/**
 * One series per VIP, as the exporter has it: `ip_address` and `intf` are the first and third
 * words of the VIP in keepalived.data (`ADDR/PREFIX dev IF ...`). An instance without VIPs has
 * one series with an empty `ip_address`.
 */
function vrrpStates(instances: readonly InstanceStatus[]): MetricFamily {
  const rows = instances.flatMap((i) => {
    const vips =
      i.vips.length > 0 ? i.vips.map((vip) => vipLabels(vip, i.interface)) : [{ ip_address: '', intf: i.interface }];
    return vips.map((vip) => ({ labels: { ...instanceLabels(i), ...vip }, state: i.state }));
  });
  return familyOf(
    VRRP_STATE,
    rows,
    (r) => r.labels,
    (r) => STATE_VALUE[r.state],
  );
}

/** `ADDR/PREFIX [dev IF]` as status writes a VIP; without `dev` it is on the instance's interface. */
function vipLabels(vip: string, instanceInterface: string): { ip_address: string; intf: string } {
  const [address, dev, name] = vip.split(' ');
  return { ip_address: address ?? vip, intf: (dev === 'dev' && name) || instanceInterface };
}

function vrrpCounters(instances: readonly InstanceStatus[]): MetricFamily[] {
  const stats = instances.map((i) => ({ labels: instanceLabels(i), stats: keepalivedStats(i.counters) }));
  return VRRP_COUNTERS.map(([spec, field]) =>
    familyOf(
      spec,
      stats,
      (s) => s.labels,
      (s) => s.stats[field],
    ),
  );
}

/** IP protocol numbers, as the exporter labels them; a fwmark service is TCP in the kernel. */
const PROTOCOL_NUMBER: Record<VirtualServerStatus['protocol'], string> = { TCP: '6', UDP: '17', SCTP: '132', FWM: '6' };

const RS_LABELS = ['vip', 'addr', 'proto'] as const;

type KernelStats = NonNullable<RealServerStatus['kernel']>['stats'];

const RS_COUNTERS: [string, string, keyof KernelStats][] = [
  ['keepalived_lvs_rs_in_packets', 'RS in packets', 'packetsIn'],
  ['keepalived_lvs_rs_out_packets', 'RS out packets', 'packetsOut'],
  ['keepalived_lvs_rs_in_bytes', 'RS in bytes', 'bytesIn'],
  ['keepalived_lvs_rs_out_bytes', 'RS out bytes', 'bytesOut'],
  ['keepalived_lvs_rs_conn', 'RS connections', 'connections'],
];

interface KernelDestinationRow {
  labels: Record<string, string>;
  stats: KernelStats;
}

/** Every destination the kernel has of vigild's virtual servers, the sorry servers in service too. */
function kernelDestinations(virtualServers: readonly VirtualServerStatus[]): KernelDestinationRow[] {
  return virtualServers.flatMap((vs) => {
    const destinations = [...vs.realServers, ...(vs.sorryServer ? [vs.sorryServer] : [])];
    return destinations.flatMap((d) =>
      d.kernel
        ? [
            {
              labels: { vip: vs.name, addr: destinationKeyText(d), proto: PROTOCOL_NUMBER[vs.protocol] },
              stats: d.kernel.stats,
            },
          ]
        : [],
    );
  });
}

function lvsFamilies(status: StatusResponse): MetricFamily[] {
  const rows = kernelDestinations(status.virtualServers);
  return RS_COUNTERS.map(([name, help, field]) =>
    familyOf(
      { name, help, type: 'counter', labels: RS_LABELS },
      rows,
      (r) => r.labels,
      (r) => r.stats[field],
    ),
  );
}
