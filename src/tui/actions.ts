// What each operator key asks vigild, and how the question reads before it is sent. Every
// action is the same API request the CLI makes; the TUI only asks "are you sure" first.
import type { VigilClient } from '../api/client.js';
import type { DrainResponse, FailoverRequest, InstanceStatus, StatusResponse } from '../api/schema.js';
import { renderDrain } from '../cli/render-drain.js';
import type { Row } from './rows.js';

export type ActionClient = Pick<VigilClient, 'drain' | 'undrain' | 'failover' | 'maintenance' | 'reload'>;

/** A request waiting for y/n: the question, lines to read before answering, and the request. */
export interface Confirmation {
  /** The request in a few words, for the busy line and an error: `drain 198.51.100.21:80`. */
  what: string;
  question: string;
  detail?: string[];
  /** Sends the request; resolves with the daemon's answer as one line. */
  run(): Promise<string>;
}

/** Why a key does nothing on the selection, as a line for the status bar. */
export type Refusal = string;

const oneLine = (text: string) => text.split('\n').join('; ');

export function drainAction(client: ActionClient, row: Row | undefined, drain: boolean): Confirmation | Refusal {
  const verb = drain ? 'drain' : 'undrain';
  if (row?.kind !== 'realServer') return `${verb}: select a real server first (arrows or j/k)`;
  const request = { realServer: row.name, virtualServer: row.virtualServer.name };
  const send = (r: typeof request): Promise<DrainResponse> => (drain ? client.drain(r) : client.undrain(r));
  return {
    what: `${verb} ${row.name}`,
    question: `${drain ? 'Drain' : 'Undrain'} ${row.name} in ${row.virtualServer.name}?`,
    run: async () => oneLine(renderDrain(await send(request), verb)),
  };
}

/** The failover a key means on this instance: release a hold, hand a master off, or take over. */
function failoverKind(instance: InstanceStatus): FailoverRequest['action'] | undefined {
  if (instance.operator && instance.operator.mode !== 'none') return 'release';
  if (instance.state === 'MASTER') return 'handoff';
  if (instance.state === 'BACKUP') return 'take';
  return undefined;
}

const FAILOVER_QUESTIONS: Record<FailoverRequest['action'], (name: string) => string> = {
  handoff: (name) => `Hand ${name} off to a backup (it stays backup until released)?`,
  take: (name) => `Take ${name} over as master (priority 254, held until released)?`,
  release: (name) => `Release the operator hold on ${name}?`,
};

export function failoverAction(client: ActionClient, row: Row | undefined): Confirmation | Refusal {
  if (row?.kind !== 'instance') return 'failover: select a VRRP instance first (arrows or j/k)';
  const { instance } = row;
  const action = failoverKind(instance);
  if (!action) return `failover: ${instance.name} is ${instance.state}, neither master nor backup`;
  const group = instance.syncGroup ? ` (sync group ${instance.syncGroup}: every member moves)` : '';
  return {
    what: `failover ${action} ${instance.name}`,
    question: `${FAILOVER_QUESTIONS[action](instance.name)}${group}`,
    run: async () => (await client.failover({ action, instance: instance.name })).message,
  };
}

export function maintenanceAction(client: ActionClient, status: StatusResponse | undefined): Confirmation | Refusal {
  if (!status) return 'maintenance: no status from vigild yet';
  const on = !status.daemon.maintenance?.on;
  return {
    what: `maintenance ${on ? 'on' : 'off'}`,
    question: on
      ? 'Maintenance on: hold every instance as backup (masters hand off)?'
      : 'Maintenance off: release every instance to its configured priority?',
    run: async () => (await client.maintenance({ on })).message,
  };
}
