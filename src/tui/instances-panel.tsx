// The VRRP instances: who is master, how sure (priorities, adverts), and the last change.
import { Text } from 'ink';
import type { InstanceStatus, VrrpState } from '../api/schema.js';
import { ago, fit } from './format.js';
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

const COLUMNS =
  `  ${fit('INSTANCE', 12)} ${fit('STATE', 6)} ${fit('HOLD', 7)} ${fit('PRIO/EFF', 8)} ` +
  `${fit('MASTER (PRIO)', 21)} ${fit('CHANGED', 10)} ${fit('ADVERTS RX/TX', 15)} ${fit('IF VRID', 13)} REASON`;

function InstanceLine({ instance, selected, now }: { instance: InstanceStatus; selected: boolean; now: number }) {
  const t = instance.lastTransition;
  const reason = instance.state === 'FAULT' ? (instance.faultReason ?? t?.reason) : t?.reason;
  return (
    <Line inverse={selected}>
      {selected ? '> ' : '  '}
      {fit(instance.name, 12)} <Text color={STATE_COLORS[instance.state]}>{fit(instance.state, 6)}</Text>{' '}
      <Text color="yellow">{fit(holdCell(instance), 7)}</Text>{' '}
      {fit(`${instance.priority}/${instance.effectivePriority}`, 8)} {fit(masterCell(instance), 21)}{' '}
      {fit(t ? ago(now, t.at) : '-', 10)}{' '}
      {fit(`${instance.counters.advertsReceived}/${instance.counters.advertsSent}`, 15)}{' '}
      {fit(`${instance.interface} ${instance.vrid}`, 13)} {reason ?? ''}
    </Line>
  );
}

export function InstancesPanel(props: {
  rows: readonly InstanceRow[];
  selectedKey: string | undefined;
  lines: number;
  now: number;
  filtered: boolean;
}) {
  const focus = props.rows.findIndex((r) => r.key === props.selectedKey);
  const w = windowAround(props.rows.length, props.lines, focus);
  const empty = props.filtered ? '  (no instance matches the filter)' : '  (no VRRP instance configured)';
  return (
    <>
      <Line bold>{COLUMNS}</Line>
      {props.rows.length === 0 && props.lines > 0 && <Line dimColor>{empty}</Line>}
      {props.rows.slice(w.start, w.end).map((r) => (
        <InstanceLine key={r.key} instance={r.instance} selected={r.key === props.selectedKey} now={props.now} />
      ))}
      {w.above + w.below > 0 && <Line dimColor>{moreLine(w)}</Line>}
    </>
  );
}
