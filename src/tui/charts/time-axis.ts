// One time axis shared by every series of a chart: the line widget takes one row of x labels
// and draws each series' values at those columns, so samples taken at their own times (a check
// per delay_loop, a stats event every 2 s) are read off at the axis' times.
import { formatDuration } from '../../cli/table.js';
import type { Sample } from '../model.js';

/** Columns per chart: fine enough for a trend, few enough that a redraw stays cheap. */
export const AXIS_POINTS = 60;
/** The axis spans the samples held, but never less (two samples a second apart are not the whole width) nor more. */
export const MIN_WINDOW_MS = 10_000;
export const MAX_WINDOW_MS = 30 * 60_000;

/** `points` times, evenly spaced, the last one `now`, reaching back to `earliest` within the bounds. */
export function axisTimes(now: number, earliest: number, points = AXIS_POINTS): number[] {
  const window = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, now - earliest));
  const step = window / (points - 1);
  return Array.from({ length: points }, (_, i) => now - (points - 1 - i) * step);
}

/** `now`, `-12s`, `-4m10s`: how long before `now` a column is. */
export function agoLabel(now: number, at: number): string {
  const seconds = Math.round((now - at) / 1000);
  return seconds <= 0 ? 'now' : `-${formatDuration(seconds)}`;
}

/**
 * The value a series had at each of `times` (ascending): its latest sample at or before it. Before
 * its first sample it has that sample's value, since the widget draws every series from the left
 * edge and has no gaps; a series that began later shows flat there.
 */
export function valuesAt(samples: readonly Sample[], times: readonly number[]): number[] {
  const first = samples[0];
  if (!first) return times.map(() => 0);
  let held = first.value;
  let next = 0;
  return times.map((time) => {
    for (let sample = samples[next]; sample && sample.at <= time; sample = samples[++next]) held = sample.value;
    return held;
  });
}
