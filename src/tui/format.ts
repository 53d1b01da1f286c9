// Cells of the monitor's tables: padded or cut to a column's width, times relative to the
// injected clock, so a row keeps its shape and a test its text.
import { formatDuration } from '../cli/table.js';

/** `text` padded to `width`, or cut with `…` when longer: one cell of a column. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  return `${text.slice(0, width - 1)}…`;
}

/** `12s ago`, `4m10s ago`: how long before `now` the ISO time `at` was. */
export function ago(now: number, at: string | number): string {
  const then = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(then)) return '?';
  return `${formatDuration(Math.max(0, now - then) / 1000)} ago`;
}

/** `14:03:27`: a log line's time of day, local as the operator's clock. */
export function clockTime(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
