// Reads a /metrics body with a Prometheus text-format parser (not vigild's own code), into what
// tests compare: each family's help and type, and each series' value by its labels.
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

export interface Scrape {
  families: Map<string, ParsedFamily>;
  /** The value of `name` with exactly `labels`; undefined when there is no such series. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every series of `name`, as `label=value,...` text sorted by label name → value. */
  series(name: string): Map<string, number>;
}

const labelKey = (labels: Record<string, string> = {}): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const series = (name: string) =>
    new Map((families.get(name)?.metrics ?? []).map((m) => [labelKey(m.labels), Number(m.value)]));
  return { families, series, value: (name, labels) => series(name).get(labelKey(labels)) };
}
