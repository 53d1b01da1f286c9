// What /metrics exposes, before any exposition format: each metric's name, help, type and label
// names, and its samples. The mapping from status builds these; metrics-registry.ts renders them.

export type MetricType = 'gauge' | 'counter';

export interface MetricSpec {
  name: string;
  help: string;
  type: MetricType;
  labels: readonly string[];
}

export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  spec: MetricSpec;
  samples: Sample[];
}

/** A metric with one sample per item that has a value; an item without one (`undefined`) has no series. */
export function familyOf<T>(
  spec: MetricSpec,
  items: readonly T[],
  labelsOf: (item: T) => Record<string, string>,
  measure: (item: T) => number | undefined,
): MetricFamily {
  const samples: Sample[] = [];
  for (const item of items) {
    const value = measure(item);
    if (value !== undefined) samples.push({ labels: labelsOf(item), value });
  }
  return { spec, samples };
}

/** A metric without labels. */
export const single = (spec: MetricSpec, value: number): MetricFamily => ({ spec, samples: [{ labels: {}, value }] });
