// Renders metric families in the Prometheus text format with prom-client. One registry for the
// life of the listener: each render resets every metric and sets it from the families, so a
// series whose object went away (an instance removed by a reload) is gone from the next scrape.
// A metric a turn of the event loop: with 1,000 real servers a scrape is some 70 ms of work
// (bench:metrics), which in one piece would hold up VRRP on the same thread; a metric is at most
// one series per real server, a few ms.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Counter, Gauge, Registry } from 'prom-client';
import type { MetricFamily, MetricSpec } from './metrics-family.js';

export interface Rendered {
  contentType: string;
  body: string;
}

export class MetricsRegistry {
  private readonly registry = new Registry();
  private readonly metrics = new Map<string, Gauge | Counter>();

  /** Not re-entrant: the caller renders one scrape at a time (metrics-service.ts). */
  async render(families: readonly MetricFamily[]): Promise<Rendered> {
    const texts: string[] = [];
    for (const { spec, samples } of families) {
      const metric = this.metricOf(spec);
      metric.reset();
      for (const { labels, value } of samples) {
        if (metric instanceof Counter) metric.inc(labels, value);
        else metric.set(labels, value);
      }
      texts.push(await this.registry.getSingleMetricAsString(spec.name));
      await nextTurn();
    }
    // As Registry.metrics() joins them.
    return { contentType: this.registry.contentType, body: `${texts.join('\n\n')}\n` };
  }

  private metricOf(spec: MetricSpec): Gauge | Counter {
    let metric = this.metrics.get(spec.name);
    if (!metric) {
      const config = { name: spec.name, help: spec.help, labelNames: spec.labels, registers: [this.registry] };
      metric = spec.type === 'counter' ? new Counter(config) : new Gauge(config);
      this.metrics.set(spec.name, metric);
    }
    return metric;
  }
}
