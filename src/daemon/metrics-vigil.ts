// vigil's own metrics (prefix vigil_), from vigild's status: what the keepalived exporters have
// no name for. Instance labels are the exporter's (iname, intf, vrid) so the two join; real
// servers are labelled vs (as status names the virtual server), rs (ADDR:PORT) and checker.
import type { InstanceStatus, RealServerStatus, StatusResponse, VirtualServerStatus } from '../api/schema.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import { familyOf, type MetricFamily, type MetricSpec, single } from './metrics-family.js';
import { INSTANCE_LABELS, instanceLabels } from './metrics-keepalived.js';

/** Config reloads since vigild started, by outcome. */
export interface ReloadCounts {
  accepted: number;
  rejected: number;
}

const gauge = (name: string, help: string, labels: readonly string[] = []): MetricSpec => ({
  name,
  help,
  type: 'gauge',
  labels,
});
const counter = (name: string, help: string, labels: readonly string[]): MetricSpec => ({
  name,
  help,
  type: 'counter',
  labels,
});

const SPECS = {
  build: gauge('vigil_build_info', 'vigild version; always 1', ['version']),
  generation: gauge('vigil_config_generation', 'Config loads: 1 after start, +1 per accepted reload'),
  reloads: counter('vigil_config_reloads_total', 'Config reloads since vigild started, by result', ['result']),
  lastReload: gauge(
    'vigil_config_last_reload_successful',
    'Whether the latest reload was accepted (1) or rejected (0)',
  ),
  loadedAt: gauge('vigil_config_loaded_timestamp_seconds', 'When the running config was loaded'),
  ipvs: gauge('vigil_ipvs_available', 'Whether vigild can program IPVS'),
  maintenance: gauge('vigil_maintenance', 'Whether this node is in maintenance (vigil maintenance on)'),
  operatorHold: gauge('vigil_vrrp_operator_hold', 'An operator hold on the instance: 1 for the mode it holds', [
    ...INSTANCE_LABELS,
    'mode',
    'by',
  ]),
  priority: gauge('vigil_vrrp_effective_priority', 'Priority advertised now, after tracking', INSTANCE_LABELS),
  drops: counter('vigil_vrrp_advert_drops_total', 'Received adverts dropped, by reason', [
    ...INSTANCE_LABELS,
    'reason',
  ]),
  sendErrors: counter('vigil_vrrp_send_errors_total', 'Adverts that could not be sent', INSTANCE_LABELS),
  announcements: counter(
    'vigil_vrrp_announcements_total',
    'Rounds of gratuitous ARP / unsolicited NA sent',
    INSTANCE_LABELS,
  ),
  up: gauge('vigil_realserver_up', 'Checker verdict: 1 up, 0 down (servers with checkers only)', [
    'vs',
    'rs',
    'checker',
  ]),
  latency: gauge('vigil_realserver_check_latency_seconds', 'Duration of the latest completed check', [
    'vs',
    'rs',
    'checker',
  ]),
  weight: gauge('vigil_lvs_rs_weight', 'Weight of the real server in the kernel', ['vs', 'rs']),
  active: gauge('vigil_lvs_rs_active_connections', 'Active connections (ipvsadm ActiveConn)', ['vs', 'rs']),
  inactive: gauge('vigil_lvs_rs_inactive_connections', 'Inactive connections (ipvsadm InActConn)', ['vs', 'rs']),
  drained: gauge('vigil_realserver_drained', 'Whether an operator drained the real server (vigil drain)', ['vs', 'rs']),
  quorum: gauge('vigil_virtualserver_quorum_up', 'Whether the virtual server has quorum', ['vs']),
  aliveWeight: gauge('vigil_virtualserver_alive_weight', 'Summed weight of the live real servers', ['vs']),
} as const;

export function vigilFamilies(status: StatusResponse, reloads: ReloadCounts): MetricFamily[] {
  return [
    ...daemonFamilies(status, reloads),
    ...instanceFamilies(status.instances),
    ...virtualServerFamilies(status.virtualServers),
    ...realServerFamilies(status.virtualServers),
  ];
}

function daemonFamilies({ daemon, config, ipvs }: StatusResponse, reloads: ReloadCounts): MetricFamily[] {
  const results = [
    { result: 'accepted', count: reloads.accepted },
    { result: 'rejected', count: reloads.rejected },
  ];
  return [
    { spec: SPECS.build, samples: [{ labels: { version: daemon.version }, value: 1 }] },
    single(SPECS.generation, config.generation),
    familyOf(
      SPECS.reloads,
      results,
      ({ result }) => ({ result }),
      ({ count }) => count,
    ),
    single(SPECS.lastReload, config.lastRejectedReload ? 0 : 1),
    single(SPECS.loadedAt, Date.parse(config.loadedAt) / 1000),
    single(SPECS.ipvs, ipvs.available ? 1 : 0),
    single(SPECS.maintenance, daemon.maintenance?.on ? 1 : 0),
  ];
}

function instanceFamilies(instances: readonly InstanceStatus[]): MetricFamily[] {
  const drops = instances.flatMap((i) =>
    Object.entries(i.counters.drops).map(([reason, count]) => ({ labels: { ...instanceLabels(i), reason }, count })),
  );
  return [
    familyOf(SPECS.priority, instances, instanceLabels, (i) => i.effectivePriority),
    familyOf(
      SPECS.drops,
      drops,
      (d) => d.labels,
      (d) => d.count,
    ),
    familyOf(SPECS.sendErrors, instances, instanceLabels, (i) => i.counters.sendErrors),
    familyOf(SPECS.announcements, instances, instanceLabels, (i) => i.counters.announcements),
    familyOf(
      SPECS.operatorHold,
      instances.filter((i) => i.operator && i.operator.mode !== 'none'),
      (i) => ({ ...instanceLabels(i), mode: i.operator!.mode, by: i.operator!.by ?? 'failover' }),
      () => 1,
    ),
  ];
}

function virtualServerFamilies(virtualServers: readonly VirtualServerStatus[]): MetricFamily[] {
  const labels = (vs: VirtualServerStatus) => ({ vs: vs.name });
  return [
    familyOf(SPECS.quorum, virtualServers, labels, (vs) => (vs.quorumHolds ? 1 : 0)),
    familyOf(SPECS.aliveWeight, virtualServers, labels, (vs) => vs.aliveWeight),
  ];
}

interface RealServerRow {
  vs: VirtualServerStatus;
  rs: RealServerStatus;
}

/** Each real server's verdict, latest check and kernel entry; one without checkers has no verdict. */
function realServerFamilies(virtualServers: readonly VirtualServerStatus[]): MetricFamily[] {
  const rows: RealServerRow[] = virtualServers.flatMap((vs) => vs.realServers.map((rs) => ({ vs, rs })));
  const where = ({ vs, rs }: RealServerRow) => ({ vs: vs.name, rs: destinationKeyText(rs) });
  const checked = ({ vs, rs }: RealServerRow) => ({ ...where({ vs, rs }), checker: rs.checkers.join(',') });
  return [
    familyOf(SPECS.up, rows, checked, ({ rs }) => (rs.health === 'unchecked' ? undefined : rs.health === 'up' ? 1 : 0)),
    familyOf(SPECS.latency, rows, checked, ({ rs }) => rs.lastCheck && rs.lastCheck.latencyMs / 1000),
    familyOf(SPECS.weight, rows, where, ({ rs }) => rs.kernel?.weight),
    familyOf(SPECS.active, rows, where, ({ rs }) => rs.kernel?.activeConns),
    familyOf(SPECS.inactive, rows, where, ({ rs }) => rs.kernel?.inactiveConns),
    familyOf(SPECS.drained, rows, where, ({ rs }) => (rs.drained ? 1 : 0)),
  ];
}
