// IPVS inside vigild: the config's virtual servers made real in the kernel by reconciling, with
// what vigild owns kept in its state dir, so that a restart adopts its own table (no connection
// dropped) and never touches anyone else's. Every read of the kernel's table (and its counters)
// goes into the store.
import path from 'node:path';
import type { Config, LvsTimeouts } from '../config/index.js';
import { desiredTable, type TableInputs } from '../ipvs/desired.js';
import { applyAll, type IpvsKernel, type KernelService } from '../ipvs/kernel.js';
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
import type { IpvsView, KernelTable, StateStore } from './store.js';

/** The kernel side the service needs: src/ipvs/kernel.ts, or an in-memory one in tests. */
export type IpvsKernelPort = Pick<IpvsKernel, 'table' | 'apply' | 'setTimeouts' | 'close'>;

export interface IpvsContext {
  stateDir: string;
  log: Logger;
  openKernel: () => Promise<IpvsKernelPort>;
  /** Where what the kernel has, and each change to it, goes. */
  store: StateStore;
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
  /** Calls queued and not yet started, which a like call joins (see queueOnce). */
  private readonly waiting = new Map<'refresh' | 'observe', Promise<void>>();

  private readonly log: Logger;
  /** The lvs_timeouts last set in the kernel, as text: a reload that keeps them sets nothing. */
  private timeoutsSet: string | undefined;

  private constructor(
    private readonly kernel: IpvsKernelPort | undefined,
    /** Why this service programs nothing (IPVS unavailable, or no virtual server), when it does not. */
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
    const probe = new IpvsService(undefined, 'not in use: no virtual_server configured', context);
    if (config.virtualServers.length === 0 && probe.owned.services.size === 0) return probe.unused();
    let kernel: IpvsKernelPort;
    try {
      kernel = await openKernel();
    } catch (err) {
      const reason = (err as Error).message;
      log.error({ err: reason }, `IPVS unavailable: ${reason}; virtual servers are not programmed (VRRP runs on)`);
      return new IpvsService(undefined, reason, context).unused();
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
    return this.queue(async () => {
      await this.applyTimeouts(config.global.lvsTimeouts);
      await this.applyTable(desiredTable(config, inputs));
    });
  }

  /** lvs_timeouts, at each load as keepalived sets them; a refusal is logged, and the table applied all the same. */
  private async applyTimeouts(timeouts: LvsTimeouts | undefined): Promise<void> {
    const text = JSON.stringify(timeouts);
    if (!this.kernel || !timeouts || text === this.timeoutsSet) return;
    try {
      await this.kernel.setTimeouts(timeouts);
      this.timeoutsSet = text;
      this.log.info({ timeouts }, 'IPVS connection timeouts set');
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'setting the IPVS connection timeouts (lvs_timeouts) failed');
    }
  }

  /**
   * Re-applies the state `current` gives when its turn comes. A burst of health changes costs one
   * pass over the kernel, not one each (see queueOnce).
   */
  refresh(current: () => { config: Config; inputs: TableInputs }): Promise<void> {
    return this.queueOnce('refresh', () => {
      const { config, inputs } = current();
      return this.applyTable(desiredTable(config, inputs));
    });
  }

  /**
   * Reads the kernel's table with its counters into the store, for status and the stats stream.
   * Queued after the changes already asked for, so it never shows a table halfway through a
   * reconcile; many readers at once cost one read.
   */
  observe(): Promise<void> {
    return this.queueOnce('observe', async () => {
      if (this.kernel) this.context.store.ipvsObserved(this.view(await this.kernel.table()));
    });
  }

  private queue(work: () => Promise<void>): Promise<void> {
    const next = this.pending.then(work);
    this.pending = next.catch(() => undefined);
    return next;
  }

  /** Queues `work`, or joins the call of the same kind that is still waiting for its turn. */
  private queueOnce(kind: 'refresh' | 'observe', work: () => Promise<void>): Promise<void> {
    const waiting = this.waiting.get(kind);
    if (waiting) return waiting;
    const run = this.queue(() => {
      this.waiting.delete(kind);
      return work();
    });
    this.waiting.set(kind, run);
    return run;
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
    if (operations.length > 0)
      this.log.info(
        { operations: operations.length, failed, ownedServices: this.owned.services.size },
        'IPVS table reconciled',
      );
    this.context.store.ipvsReconciled(this.view(after), operations.map(describe), failed, new Date());
  }

  /** On stop: removes what vigild owns, unless told to leave the table for the next run. */
  async stop(keepTable: boolean): Promise<void> {
    if (!keepTable) await this.queue(() => this.applyTable([]));
    this.kernel?.close();
  }

  /** Tells the store why this service programs nothing. */
  private unused(): IpvsService {
    this.context.store.ipvsObserved({
      available: false,
      error: this.unavailable,
      ownedServices: 0,
      kernel: new Map(),
    });
    return this;
  }

  private view(table: readonly KernelService[]): IpvsView {
    return { available: true, ownedServices: this.owned.services.size, kernel: indexed(table) };
  }

  private save(): void {
    writeStateFile(this.file, {
      services: [...this.owned.services],
      destinations: Object.fromEntries([...this.owned.destinations].map(([k, v]) => [k, [...v]])),
    });
  }
}

/** The kernel's table by service and destination key, each destination with its weight and counters. */
function indexed(table: readonly KernelService[]): KernelTable {
  return new Map(
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
