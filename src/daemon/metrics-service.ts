// vigild's /metrics: where it listens (--metrics-listen, else global_defs vigil_metrics_listen,
// else nowhere), rebinding when a reload changes the address, and each scrape rendered from a
// fresh status projection. prom-client is loaded only once metrics are on.
import type { StatusResponse } from '../api/schema.js';
import type { Config } from '../config/index.js';
import type { ListenAddress } from '../inet/listen-address.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import type { Logger } from './logger.js';
import type { MetricFamily } from './metrics-family.js';
import { keepalivedFamilies } from './metrics-keepalived.js';
import type { MetricsRegistry, Rendered } from './metrics-registry.js';
import { MetricsServer } from './metrics-server.js';
import { type ReloadCounts, vigilFamilies } from './metrics-vigil.js';
import type { StateStore } from './store.js';

export interface MetricsContext {
  store: StateStore;
  /** The status as the control API serves it (the kernel's IPVS counters read first). */
  status: () => Promise<StatusResponse>;
  /** --metrics-listen: wins over the config's keyword. */
  flag?: ListenAddress;
  log: Logger;
}

export class MetricsService {
  private server: MetricsServer | undefined;
  private bound: ListenAddress | undefined;
  private registry: MetricsRegistry | undefined;
  /** The render under way: scrapes that come meanwhile get its result. */
  private rendering: Promise<Rendered> | undefined;
  /** Counted from start, whether or not metrics are on yet. */
  private readonly reloads: ReloadCounts = { accepted: 0, rejected: 0 };

  constructor(private readonly context: MetricsContext) {
    context.store.subscribe((event) => {
      if (event.type === 'config.reloaded') this.reloads.accepted++;
      else if (event.type === 'config.rejected') this.reloads.rejected++;
    });
  }

  /**
   * Listens where the flag or `config` says, closing the old listener when that changed. A bind
   * that fails is logged and metrics stay off (VRRP and the checks never depend on them); the next
   * reload tries again.
   */
  async follow(config: Config): Promise<void> {
    const wanted = this.context.flag ?? config.global.metricsListen;
    if (sameAddress(wanted, this.bound)) return;
    const { log } = this.context;
    await this.close();
    if (!wanted) return;
    const where = destinationKeyText(wanted);
    try {
      this.registry ??= new (await import('./metrics-registry.js')).MetricsRegistry();
      this.server = await MetricsServer.listen(wanted, () => this.scrape(), log);
      this.bound = wanted;
      log.info({ listen: where }, `metrics: serving GET http://${where}/metrics`);
    } catch (err) {
      log.error({ listen: where, err: (err as Error).message }, `metrics: cannot listen on ${where}; metrics are off`);
    }
  }

  async close(): Promise<void> {
    const { server, bound } = this;
    this.server = undefined;
    this.bound = undefined;
    if (!server || !bound) return;
    await server.close();
    this.context.log.info({ listen: destinationKeyText(bound) }, 'metrics: listener closed');
  }

  private scrape(): Promise<Rendered> {
    this.rendering ??= this.render().finally(() => (this.rendering = undefined));
    return this.rendering;
  }

  private async render(): Promise<Rendered> {
    const status = await this.context.status();
    return this.registry!.render(metricFamilies(status, this.reloads));
  }
}

/** Everything /metrics exposes: the keepalived exporters' metrics, then vigil's own. */
export const metricFamilies = (status: StatusResponse, reloads: ReloadCounts): MetricFamily[] => [
  ...keepalivedFamilies(status),
  ...vigilFamilies(status, reloads),
];

const sameAddress = (a: ListenAddress | undefined, b: ListenAddress | undefined): boolean =>
  a?.address === b?.address && a?.port === b?.port;
