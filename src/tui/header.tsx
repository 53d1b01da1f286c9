// The top lines: which daemon, on which socket, and whether what is below is live. Anything
// that changes how to read the screen (connection lost, maintenance, no IPVS) gets a line.

import { formatDuration } from '../cli/table.js';
import { ago } from './format.js';
import { Line } from './line.js';
import type { MonitorModel } from './model.js';

interface HeaderLine {
  text: string;
  color?: string;
}

function connectionLine(model: Pick<MonitorModel, 'connection'>, now: number): HeaderLine {
  const c = model.connection;
  if (c.state === 'live') return { text: '● live', color: 'green' };
  if (c.state === 'connecting') return { text: '… connecting to vigild', color: 'yellow' };
  return {
    text: `✖ lost ${ago(now, c.since)}, retrying: ${c.reason} (what is below is from before)`,
    color: 'red',
  };
}

/** The header's lines, so the layout knows how many there are. */
export function headerLines(model: Pick<MonitorModel, 'connection' | 'status' | 'socket'>, now: number): HeaderLine[] {
  const status = model.status;
  if (!status) return [{ text: `vigil monitor · ${model.socket}` }, connectionLine(model, now)];
  const { daemon, config, ipvs } = status;
  const lines: HeaderLine[] = [
    {
      text: `vigild ${daemon.version} pid ${daemon.pid} up ${formatDuration(daemon.uptimeSeconds)} · ${model.socket} · config generation ${config.generation}`,
    },
    connectionLine(model, now),
  ];
  if (daemon.maintenance?.on)
    lines.push({ text: 'MAINTENANCE on: every instance is held as backup (m turns it off)', color: 'yellow' });
  if (!ipvs.available)
    lines.push({
      text: `IPVS unavailable: ${ipvs.error ?? 'no reason given'} (VRRP and checks still run)`,
      color: 'red',
    });
  return lines;
}

export function Header({ lines }: { lines: readonly HeaderLine[] }) {
  return (
    <>
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the header's lines have no identity but their place
        <Line key={i} color={l.color} bold={i === 0}>
          {l.text}
        </Line>
      ))}
    </>
  );
}
