// The virtual servers and their real servers: health, weights as configured and as the kernel
// has them, drains, connections, and check latency over time.
import { Text } from 'ink';
import type { RealServerHealth, RealServerStatus, VirtualServerStatus } from '../api/schema.js';
import { fit } from './format.js';
import { Line } from './line.js';
import type { MonitorModel } from './model.js';
import type { RealServerRow, VirtualServerGroup } from './rows.js';
import { sparkline } from './sparkline.js';
import { moreLine, windowAround } from './window.js';

const HEALTH_COLORS: Record<RealServerHealth, string> = { up: 'green', down: 'red', unchecked: 'gray' };

/** Samples in the latency trend: enough to see a drift, short enough for 80 columns. */
const TREND_WIDTH = 16;

const COLUMNS =
  `    ${fit('VIRTUAL / REAL SERVER', 24)} ${fit('HEALTH', 9)} ${fit('WGT/KERN', 9)} ${fit('DRAIN', 7)} ` +
  `${fit('ACT/INACT', 11)} ${fit('CHECK', 8)} ${fit('LATENCY TREND', TREND_WIDTH)} REASON`;

type PanelLine = { kind: 'vs'; group: VirtualServerGroup } | { kind: 'rs'; row: RealServerRow };

function vsText(vs: VirtualServerStatus): string {
  const persistence = vs.persistenceTimeoutSeconds ? ` persistent ${vs.persistenceTimeoutSeconds}s` : '';
  return `${vs.protocol} ${vs.name}  ${vs.scheduler} ${vs.lbKind}${persistence}  alive weight ${vs.aliveWeight}`;
}

function VirtualServerLine({ vs }: { vs: VirtualServerStatus }) {
  return (
    <Line bold>
      {'  '}
      {vsText(vs)}
      {!vs.quorumHolds && <Text color="red">{`  QUORUM LOST (needs ${vs.quorum})`}</Text>}
      {vs.sorryServer?.active && (
        <Text color="yellow">{`  sorry server ${vs.sorryServer.address}:${vs.sorryServer.port} serving`}</Text>
      )}
    </Line>
  );
}

function weightCell(rs: RealServerStatus): string {
  return `${rs.dynamicWeight ?? rs.weight}/${rs.kernel ? rs.kernel.weight : '-'}`;
}

function RealServerLine(props: { row: RealServerRow; selected: boolean; trend: string }) {
  const rs = props.row.realServer;
  const latency = rs.lastCheck ? `${rs.lastCheck.latencyMs.toFixed(1)}ms` : '-';
  const conns = rs.kernel ? `${rs.kernel.activeConns}/${rs.kernel.inactiveConns}` : '-';
  return (
    <Line inverse={props.selected}>
      {props.selected ? '>   ' : '    '}
      {fit(props.row.name, 24)} <Text color={HEALTH_COLORS[rs.health]}>{fit(rs.health, 9)}</Text>{' '}
      {fit(weightCell(rs), 9)} <Text color="magenta">{fit(rs.drained ? 'DRAINED' : '', 7)}</Text> {fit(conns, 11)}{' '}
      {fit(latency, 8)} <Text color="blue">{fit(props.trend, TREND_WIDTH)}</Text> {rs.healthReason ?? ''}
    </Line>
  );
}

export function ServersPanel(props: {
  groups: readonly VirtualServerGroup[];
  selectedKey: string | undefined;
  lines: number;
  model: Pick<MonitorModel, 'latency'>;
  filtered: boolean;
}) {
  const lines: PanelLine[] = props.groups.flatMap((group) => [
    { kind: 'vs' as const, group },
    ...group.rows.map((row) => ({ kind: 'rs' as const, row })),
  ]);
  const focus = lines.findIndex((l) => l.kind === 'rs' && l.row.key === props.selectedKey);
  const w = windowAround(lines.length, props.lines, focus);
  const empty = props.filtered ? '  (no server matches the filter)' : '  (no virtual server configured)';
  return (
    <>
      <Line bold>{COLUMNS}</Line>
      {lines.length === 0 && props.lines > 0 && <Line dimColor>{empty}</Line>}
      {lines
        .slice(w.start, w.end)
        .map((l) =>
          l.kind === 'vs' ? (
            <VirtualServerLine key={`v ${l.group.virtualServer.name}`} vs={l.group.virtualServer} />
          ) : (
            <RealServerLine
              key={l.row.key}
              row={l.row}
              selected={l.row.key === props.selectedKey}
              trend={sparkline(props.model.latency(l.row.virtualServer.name, l.row.name), TREND_WIDTH)}
            />
          ),
        )}
      {w.above + w.below > 0 && <Line dimColor>{moreLine(w)}</Line>}
    </>
  );
}

/** Lines the panel would take with room for all: a line per virtual server and per real server. */
export function serverLines(groups: readonly VirtualServerGroup[]): number {
  return groups.reduce((n, g) => n + 1 + g.rows.length, 0);
}
