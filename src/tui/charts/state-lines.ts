// The side panel beside the charts: whether vigild is followed, whether IPVS is there, each VRRP
// instance's state and each virtual server's health, in blessed's tag markup.
import type { InstanceStatus, VirtualServerStatus } from '../../api/schema.js';
import { localTime } from '../../cli/render-status.js';
import type { Connection, MonitorModel } from '../model.js';

const STATE_COLOUR: Record<InstanceStatus['state'], string> = {
  MASTER: 'green',
  BACKUP: 'cyan',
  FAULT: 'red',
  INIT: 'yellow',
};

/** Text from the daemon, safe inside tag markup (a reason may hold braces). */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (brace) => (brace === '{' ? '{open}' : '{close}'));
}

function coloured(colour: string, text: string): string {
  return `{${colour}-fg}${escapeTags(text)}{/${colour}-fg}`;
}

/**
 * Said plainly, and still true however long ago the last redraw was (nothing changes while the
 * daemon is away): since when, not for how long.
 */
export function connectionLine(connection: Connection): string {
  switch (connection.state) {
    case 'live':
      return `vigild ${coloured('green', 'live')}`;
    case 'connecting':
      return `vigild ${coloured('yellow', 'connecting')}`;
    case 'lost': {
      const since = localTime(new Date(connection.since).toISOString()).slice('YYYY-MM-DD '.length);
      return `vigild ${coloured('red', `lost: ${connection.reason}, retrying`)} (since ${since})`;
    }
  }
}

function instanceLine(instance: InstanceStatus): string {
  const priority =
    instance.effectivePriority === instance.priority
      ? `${instance.priority}`
      : `${instance.priority}/${instance.effectivePriority}`;
  const hold =
    instance.operator && instance.operator.mode !== 'none'
      ? ` ${instance.operator.mode} (${instance.operator.by ?? 'operator'})`
      : '';
  return `${escapeTags(instance.name)} ${coloured(STATE_COLOUR[instance.state], instance.state)} prio ${priority}${escapeTags(hold)}`;
}

function virtualServerLine(vs: VirtualServerStatus): string {
  const up = vs.realServers.filter((rs) => rs.health !== 'down').length;
  const health = `${up}/${vs.realServers.length} up`;
  const quorum = vs.quorumHolds ? '' : ` ${coloured('red', 'quorum lost')}`;
  return `${escapeTags(vs.name)} ${up === vs.realServers.length ? health : coloured('yellow', health)}${quorum}`;
}

export function stateLines(model: MonitorModel): string[] {
  const lines = [connectionLine(model.connection), coloured('gray', model.socket)];
  const status = model.status;
  if (!status) return lines;
  if (status.daemon.maintenance?.on) lines.push(coloured('yellow', 'maintenance on'));
  if (!status.ipvs.available)
    lines.push(coloured('yellow', `IPVS unavailable: ${status.ipvs.error ?? 'no reason given'}`));
  lines.push('', '{bold}VRRP{/bold}', ...status.instances.map(instanceLine));
  if (status.instances.length === 0) lines.push('no instances');
  lines.push('', '{bold}virtual servers{/bold}', ...status.virtualServers.map(virtualServerLine));
  if (status.virtualServers.length === 0) lines.push('none');
  return lines;
}
