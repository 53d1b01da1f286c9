// Check latency at a glance: the last samples as block characters, lowest to highest.
import type { Sample } from './model.js';

const BARS = '▁▂▃▄▅▆▇█';

/** The newest `width` samples, scaled between their own minimum and maximum. */
export function sparkline(samples: readonly Sample[], width: number): string {
  if (width <= 0) return '';
  const values = samples.slice(-width).map((s) => s.value);
  if (values.length === 0) return '';
  const low = Math.min(...values);
  const span = Math.max(...values) - low;
  return values.map((v) => BARS[span === 0 ? 0 : Math.round(((v - low) / span) * (BARS.length - 1))]).join('');
}
