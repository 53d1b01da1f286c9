// IPVS inside vigild: the config's virtual servers made real in the kernel by reconciling, with
// what vigild owns kept in its state dir, so that a restart adopts its own table (no connection
// dropped) and never touches anyone else's.
import path from 'node:path';
import type { DaemonEvent } from '../api/schema.js';
import type { Config } from '../config/index.js';
import { desiredTable, type TableInputs } from '../ipvs/desired.js';
import { applyAll, type IpvsKernel } from '../ipvs/kernel.js';
import {
  destinationKeyText,
  type Operation,
  type Ownership,
  reconcile,
  type ServiceEntry,
  serviceKeyText,
} from '../ipvs/reconcile.js';
import type { Logger } from './logger.js';
import { readStateFile, writeStateFile } from './state-file.js';
import type { LiveState } from './status.js';

/** The kernel side the service needs: src/ipvs/kernel.ts, or an in-memory one in tests. */
export type IpvsKernelPort = Pick<IpvsKernel, 'table' | 'apply' | 'close'>;

export interface IpvsContext {
  stateDir: string;
  log: Logger;
  openKernel: () => Promise<IpvsKernelPort>;
  /** Where changes to the kernel's table are announced (the daemon's event stream). */
  publish?: (event: Extract<DaemonEvent, { type: 'ipvs.reconciled' }>) => void;
}

interface OwnershipFile {
  services: string[];
  destinations: Record<string, string[]>;
}

const isOwnershipFile = (v: unknown): v is OwnershipFile =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as OwnershipFile).services) &&
  typeof (v as OwnershipFile).destinations === 'object';

export class IpvsService {
  private owned: Ownership;
  private readonly file: string;
  private pending: Promise<void> = Promise.resolve();
  private waitingRefresh: Promise<void> | undefined;

  private readonly log: Logger;

  private constructor(
    private readonly kernel: IpvsKernelPort | undefined,
    /** Why IPVS cannot be used, when it cannot. */
    private readonly unavailable: string | undefined,
    private readonly context: IpvsContext,
  ) {
    this.log = context.log;
    this.file = path.join(context.stateDir, 'owned-ipvs.json');
    const saved = readStateFile<OwnershipFile>(this.file, { services: [], destinations: {} }, isOwnershipFile);
    this.owned = {
      services: new Set(saved.services),
      destinations: new Map(Object.entries(saved.destinations).map(([k, v]) => [k, new Set(v)])),
    };
  }

  /**
   * Opens IPVS when the config has virtual servers (or a previous run left services it owns) and
   * programs the table. IPVS that cannot be opened is logged and reported, never fatal: VRRP
   * must run on regardless.
   */
  static async start(config: Config, context: IpvsContext, inputs: TableInputs = {}): Promise<IpvsService> {
    const { log, openKernel } = context;
    const probe = new IpvsService(undefined, undefined, context);
    if (config.virtualServers.length === 0 && probe.owned.services.size === 0) return probe;
    let kernel: IpvsKernelPort;
    try {
      kernel = await openKernel();
    } catch (err) {
      const reason = (err as Error).message;
      log.error({ err: reason }, `IPVS unavailable: ${reason}; virtual servers are not programmed (VRRP runs on)`);
      return new IpvsService(undefined, reason, context);
    }
    const service = new IpvsService(kernel, undefined, context);
    await service.apply(config, inputs);
    return service;
  }

  /**
   * Makes the kernel match `config` as adjusted by health, quorum and VRRP mastership, touching
   * only what vigild owns. Calls run one after another.
   */
  apply(config: Config, inputs: TableInputs = {}): Promise<void> {
    return this.queue(() => this.applyTable(desiredTable(config, inputs)));
  }

  /**
   * Re-applies the state `current` gives when its turn comes. A call made while another is still
   * waiting joins it, so a burst of health changes costs one pass over the kernel, not one each.
   */
  refresh(current: () => { config: Config; inputs: TableInputs }): Promise<void> {
    if (this.waitingRefresh) return this.waitingRefresh;
    const run = this.queue(() => {
      this.waitingRefresh = undefined;
      const { config, inputs } = current();
      return this.applyTable(desiredTable(config, inputs));
    });
    this.waitingRefresh = run;
    return run;
  }

  private queue(work: () => Promise<void>): Promise<void> {
    const next = this.pending.then(work);
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async applyTable(desired: ServiceEntry[]): Promise<void> {
    if (!this.kernel) return;
    const before = await this.kernel.table();
    const { operations, owned } = reconcile(desired, before, this.owned);
    const results = await applyAll(this.kernel, operations);
    let failed = 0;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') return;
      failed++;
      const operation = operations[index]!;
      this.log.error(
        { operation: operation.op, err: (result.reason as Error).message },
        `IPVS ${describe(operation)} failed`,
      );
    });
    // Own exactly what is now in the kernel of what we meant to own (a failed add is not ours).
    const after = operations.length > 0 ? await this.kernel.table() : before;
    this.owned = ownedPresent(owned, after);
    this.save();
    if (operations.length > 0) {
      this.log.info(
        { operations: operations.length, failed, ownedServices: this.owned.services.size },
        'IPVS table reconciled',
      );
      this.context.publish?.({
        type: 'ipvs.reconciled',
        at: new Date().toISOString(),
        operations: operations.map(describe),
        failed,
      });
    }
  }

  /** On stop: removes what vigild owns, unless told to leave the table for the next run. */
  async stop(keepTable: boolean): Promise<void> {
    if (!keepTable) await this.queue(() => this.applyTable([]));
    this.kernel?.close();
  }

  async snapshot(): Promise<NonNullable<LiveState['ipvs']>> {
    if (!this.kernel)
      return {
        available: false,
        error: this.unavailable ?? 'not in use: no virtual_server configured',
        ownedServices: 0,
        kernel: new Map(),
      };
    const table = await this.kernel.table();
    const kernel = new Map(
      table.map((s) => [
        serviceKeyText(s.key),
        new Map(
          s.destinations.flatMap((d) => {
            const counters = s.counters.get(destinationKeyText(d));
            return counters ? [[destinationKeyText(d), { weight: d.weight, ...counters }]] : [];
          }),
        ),
      ]),
    );
    return { available: true, ownedServices: this.owned.services.size, kernel };
  }

  private save(): void {
    writeStateFile(this.file, {
      services: [...this.owned.services],
      destinations: Object.fromEntries([...this.owned.destinations].map(([k, v]) => [k, [...v]])),
    });
  }
}

function ownedPresent(owned: Ownership, table: readonly ServiceEntry[]): Ownership {
  const present = new Map(table.map((s) => [serviceKeyText(s.key), new Set(s.destinations.map(destinationKeyText))]));
  const result: Ownership = { services: new Set(), destinations: new Map() };
  for (const key of owned.services) {
    const destinations = present.get(key);
    if (!destinations) continue;
    result.services.add(key);
    result.destinations.set(key, new Set([...(owned.destinations.get(key) ?? [])].filter((d) => destinations.has(d))));
  }
  return result;
}

function describe(operation: Operation): string {
  return 'key' in operation
    ? `${operation.op} ${serviceKeyText(operation.key)}`
    : `${operation.op} ${destinationKeyText(operation.destination)} in ${serviceKeyText(operation.service)}`;
}
