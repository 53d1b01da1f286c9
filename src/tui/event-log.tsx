// The daemon's events and the operator's actions, newest at the bottom; PgUp/PgDn scroll back.
import { clockTime } from './format.js';
import { Line } from './line.js';
import type { LogEntry } from './model.js';

const SEVERITY_COLORS: Record<LogEntry['severity'], string | undefined> = {
  info: undefined,
  warn: 'yellow',
  error: 'red',
};

/** The entries shown in `lines` lines, scrolled `back` entries up from the newest (never past the oldest). */
export function logSlice(log: readonly LogEntry[], lines: number, back: number) {
  const end = Math.max(Math.min(lines, log.length), log.length - back);
  return { entries: log.slice(Math.max(0, end - lines), end), newer: log.length - end };
}

export function EventLog(props: { log: readonly LogEntry[]; lines: number; back: number }) {
  const { entries, newer } = logSlice(props.log, props.lines, props.back);
  return (
    <>
      <Line bold>{newer > 0 ? `  EVENTS (${newer} newer: PgDn)` : '  EVENTS'}</Line>
      {entries.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a log line has no identity but its place on screen
        <Line key={i} color={SEVERITY_COLORS[e.severity]}>
          {`  ${clockTime(e.at)} ${e.text}`}
        </Line>
      ))}
    </>
  );
}
