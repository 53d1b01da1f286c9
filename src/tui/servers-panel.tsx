// The virtual servers and their real servers: health, weights as configured and as the kernel
// has them, drains, connections, and check latency over time.
import { Text } from 'ink';
import type { RealServerHealth, RealServerStatus, VirtualServerStatus } from '../api/schema.js';
import { Cells, type Column, fitColumns, titleLine } from './columns.js';
import { Line } from './line.js';
import type { MonitorModel } from './model.js';
import type { RealServerRow, VirtualServerGroup } from './rows.js';
import { sparkline } from './sparkline.js';
import { moreLine, windowAround } from './window.js';

const HEALTH_COLORS: Record<RealServerHealth, string> = { up: 'green', down: 'red', unchecked: 'gray' };

/** Samples in the latency trend: enough to see a drift. */
const TREND_WIDTH = 14;

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

interface RealServerCells {
  row: RealServerRow;
  trend: string;
}

/**
 * At 80 columns: server, health, drain, connections and the reason; at 100 the weights and the
 * trend too (the trend says more than the last latency, which goes first).
 */
const COLUMNS: readonly Column<RealServerCells>[] = [
  { title: 'VIRTUAL / REAL SERVER', width: 24, cell: ({ row }) => ({ text: row.name }) },
  {
    title: 'HEALTH',
    width: 9,
    cell: ({ row: { realServer: rs } }) => ({ text: rs.health, color: HEALTH_COLORS[rs.health] }),
  },
  { title: 'WGT/KERN', width: 9, dropRank: 3, cell: ({ row }) => ({ text: weightCell(row.realServer) }) },
  {
    title: 'DRAIN',
    width: 7,
    dropRank: 5,
    cell: ({ row }) => ({ text: row.realServer.drained ? 'DRAINED' : '', color: 'magenta' }),
  },
  {
    title: 'ACT/INACT',
    width: 11,
    dropRank: 4,
    cell: ({ row: { realServer: rs } }) => ({
      text: rs.kernel ? `${rs.kernel.activeConns}/${rs.kernel.inactiveConns}` : '-',
    }),
  },
  {
    title: 'CHECK',
    width: 8,
    dropRank: 1,
    cell: ({ row: { realServer: rs } }) => ({ text: rs.lastCheck ? `${rs.lastCheck.latencyMs.toFixed(1)}ms` : '-' }),
  },
  { title: 'LATENCY TREND', width: TREND_WIDTH, dropRank: 2, cell: ({ trend }) => ({ text: trend, color: 'blue' }) },
];

const INDENT = 4;

function RealServerLine(props: { columns: readonly Column<RealServerCells>[]; selected: boolean } & RealServerCells) {
  return (
    <Line inverse={props.selected}>
      {props.selected ? '>   ' : '    '}
      <Cells columns={props.columns} row={props} />
      {props.row.realServer.healthReason ?? ''}
    </Line>
  );
}

export function ServersPanel(props: {
  groups: readonly VirtualServerGroup[];
  selectedKey: string | undefined;
  lines: number;
  model: Pick<MonitorModel, 'latency'>;
  filtered: boolean;
  width: number;
}) {
  const columns = fitColumns(COLUMNS, props.width, INDENT);
  const lines: PanelLine[] = props.groups.flatMap((group) => [
    { kind: 'vs' as const, group },
    ...group.rows.map((row) => ({ kind: 'rs' as const, row })),
  ]);
  const focus = lines.findIndex((l) => l.kind === 'rs' && l.row.key === props.selectedKey);
  const w = windowAround(lines.length, props.lines, focus);
  const empty = props.filtered ? '  (no server matches the filter)' : '  (no virtual server configured)';
  return (
    <>
      <Line bold>{titleLine(columns, INDENT, 'REASON')}</Line>
      {lines.length === 0 && props.lines > 0 && <Line dimColor>{empty}</Line>}
      {lines
        .slice(w.start, w.end)
        .map((l) =>
          l.kind === 'vs' ? (
            <VirtualServerLine key={`v ${l.group.virtualServer.name}`} vs={l.group.virtualServer} />
          ) : (
            <RealServerLine
              key={l.row.key}
              columns={columns}
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
