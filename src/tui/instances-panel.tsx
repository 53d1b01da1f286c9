// The VRRP instances: who is master, how sure (priorities, adverts), and the last change.
import type { InstanceStatus, VrrpState } from '../api/schema.js';
import { Cells, type Column, fitColumns, titleLine } from './columns.js';
import { ago } from './format.js';
import { Line } from './line.js';
import type { Row } from './rows.js';
import { moreLine, windowAround } from './window.js';

export const STATE_COLORS: Record<VrrpState, string> = {
  MASTER: 'green',
  BACKUP: 'cyan',
  FAULT: 'red',
  INIT: 'gray',
};

type InstanceRow = Extract<Row, { kind: 'instance' }>;

/** What holds the instance, in a word: a failover's yield or take, maintenance, a hand-off under way. */
function holdCell(instance: InstanceStatus): string {
  const op = instance.operator;
  if (!op || op.mode === 'none') return '';
  if (op.handingOff) return 'handoff';
  return op.by === 'maintenance' ? 'maint' : op.mode;
}

function masterCell(instance: InstanceStatus): string {
  if (!instance.masterAddress) return '-';
  const heard = instance.masterPriority === undefined ? '' : ` (${instance.masterPriority})`;
  return `${instance.masterAddress}${heard}`;
}

interface InstanceCells {
  instance: InstanceStatus;
  now: number;
}

/** At 80 columns: instance, state, hold, priorities, changed, and the reason; wider adds the rest. */
const COLUMNS: readonly Column<InstanceCells>[] = [
  { title: 'INSTANCE', width: 12, cell: ({ instance }) => ({ text: instance.name }) },
  { title: 'STATE', width: 6, cell: ({ instance: i }) => ({ text: i.state, color: STATE_COLORS[i.state] }) },
  { title: 'HOLD', width: 7, dropRank: 5, cell: ({ instance }) => ({ text: holdCell(instance), color: 'yellow' }) },
  { title: 'PRIO/EFF', width: 8, cell: ({ instance: i }) => ({ text: `${i.priority}/${i.effectivePriority}` }) },
  { title: 'MASTER (PRIO)', width: 21, dropRank: 3, cell: ({ instance }) => ({ text: masterCell(instance) }) },
  {
    title: 'CHANGED',
    width: 10,
    dropRank: 4,
    cell: ({ instance, now }) => ({ text: instance.lastTransition ? ago(now, instance.lastTransition.at) : '-' }),
  },
  {
    title: 'ADVERTS RX/TX',
    width: 15,
    dropRank: 1,
    cell: ({ instance: { counters } }) => ({ text: `${counters.advertsReceived}/${counters.advertsSent}` }),
  },
  { title: 'IF VRID', width: 13, dropRank: 2, cell: ({ instance: i }) => ({ text: `${i.interface} ${i.vrid}` }) },
];

const INDENT = 2;

function reasonOf(instance: InstanceStatus): string {
  const reason = instance.lastTransition?.reason;
  return (instance.state === 'FAULT' ? (instance.faultReason ?? reason) : reason) ?? '';
}

function InstanceLine(props: {
  columns: readonly Column<InstanceCells>[];
  instance: InstanceStatus;
  selected: boolean;
  now: number;
}) {
  return (
    <Line inverse={props.selected}>
      {props.selected ? '> ' : '  '}
      <Cells columns={props.columns} row={{ instance: props.instance, now: props.now }} />
      {reasonOf(props.instance)}
    </Line>
  );
}

export function InstancesPanel(props: {
  rows: readonly InstanceRow[];
  selectedKey: string | undefined;
  lines: number;
  now: number;
  filtered: boolean;
  width: number;
}) {
  const columns = fitColumns(COLUMNS, props.width, INDENT);
  const focus = props.rows.findIndex((r) => r.key === props.selectedKey);
  const w = windowAround(props.rows.length, props.lines, focus);
  const empty = props.filtered ? '  (no instance matches the filter)' : '  (no VRRP instance configured)';
  return (
    <>
      <Line bold>{titleLine(columns, INDENT, 'REASON')}</Line>
      {props.rows.length === 0 && props.lines > 0 && <Line dimColor>{empty}</Line>}
      {props.rows.slice(w.start, w.end).map((r) => (
        <InstanceLine
          key={r.key}
          columns={columns}
          instance={r.instance}
          selected={r.key === props.selectedKey}
          now={props.now}
        />
      ))}
      {w.above + w.below > 0 && <Line dimColor>{moreLine(w)}</Line>}
    </>
  );
}
