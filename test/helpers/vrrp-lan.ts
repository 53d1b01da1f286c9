/**
 * A simulated LAN for the VRRP state machines, driven by a fake clock: routers run one machine
 * per virtual router (or one sync group over all of them), adverts reach every other running
 * router with that virtual router after `latencyMs`, and due timers fire in time order. It
 * records what an operator would see: transitions with their times, adverts sent, and which
 * routers hold each virtual router's addresses.
 */
import {
  type Action,
  type Input,
  type MachineOptions,
  type MachineSnapshot,
  VrrpMachine,
  type VrrpState,
} from '../../src/vrrp/machine.js';
import { SyncGroup } from '../../src/vrrp/sync-group.js';

export interface LanEvent {
  at: number;
  router: string;
  /** The virtual router, or `group:NAME` for a sync group's own transitions. */
  vr: string;
  action: Action;
}

type Emitted = { vr: string; action: Action };

interface Router {
  address: string;
  options: ReadonlyMap<string, MachineOptions>;
  running: boolean;
  step(vr: string, input: Input, now: number): Emitted[];
  tick(now: number): Emitted[];
  nextDeadline(): number | undefined;
  snapshot(vr: string): MachineSnapshot;
}

interface Delivery {
  at: number;
  seq: number;
  to: string;
  vr: string;
  input: Input;
}

export function machineOptions(address: string, overrides: Partial<MachineOptions> = {}): MachineOptions {
  return {
    version: 3,
    priority: 100,
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    initialState: 'BACKUP',
    primaryAddress: address,
    ...overrides,
  };
}

function standalone(address: string, options: Map<string, MachineOptions>): Router {
  const machines = new Map([...options].map(([vr, o]) => [vr, new VrrpMachine(o)]));
  const machine = (vr: string): VrrpMachine => machines.get(vr)!;
  return {
    address,
    options,
    running: true,
    step: (vr, input, now) =>
      machine(vr)
        .step(input, now)
        .map((action) => ({ vr, action })),
    tick: (now) => [...machines].flatMap(([vr, m]) => m.step({ type: 'tick' }, now).map((action) => ({ vr, action }))),
    nextDeadline: () => min([...machines.values()].map((m) => m.nextDeadline())),
    snapshot: (vr) => machine(vr).snapshot(),
  };
}

function grouped(name: string, address: string, options: Map<string, MachineOptions>): Router {
  const group = new SyncGroup(name, Object.fromEntries(options));
  const emitted = (actions: ReturnType<SyncGroup['step']>): Emitted[] =>
    actions.map((a) =>
      a.type === 'member'
        ? { vr: a.member, action: a.action }
        : { vr: `group:${name}`, action: { type: 'transition', from: a.from, to: a.to, reason: a.reason } },
    );
  return {
    address,
    options,
    running: true,
    step: (vr, input, now) => emitted(group.step({ type: 'member', member: vr, input }, now)),
    tick: (now) => emitted(group.step({ type: 'tick' }, now)),
    nextDeadline: () => group.nextDeadline(),
    snapshot: (vr) => group.snapshot().members[vr]!,
  };
}

export class Lan {
  now = 0;
  readonly events: LanEvent[] = [];
  readonly #routers = new Map<string, Router>();
  readonly #holding = new Map<string, Set<string>>();
  #queue: Delivery[] = [];
  #seq = 0;

  constructor(readonly latencyMs = 0) {}

  /** A router with one machine per virtual router; `syncGroup` puts them all in one group. */
  addRouter(name: string, address: string, vrs: Record<string, Partial<MachineOptions>>, syncGroup?: string): void {
    const options = new Map(Object.entries(vrs).map(([vr, o]) => [vr, machineOptions(address, o)]));
    this.#routers.set(
      name,
      syncGroup === undefined ? standalone(address, options) : grouped(syncGroup, address, options),
    );
    this.#holding.set(name, new Set());
  }

  /** Feed `startup` to each of the router's virtual routers. */
  start(router: string): void {
    for (const vr of this.#router(router).options.keys()) this.input(router, vr, { type: 'startup' });
  }

  input(router: string, vr: string, input: Input): void {
    this.#apply(router, this.#router(router).step(vr, input, this.now));
  }

  /** The router dies: it stops sending and answering, and its addresses vanish with it. */
  crash(router: string): void {
    this.#router(router).running = false;
    this.#holding.get(router)!.clear();
  }

  /** Deliver adverts and fire timers, in time order, up to and including `t`; packets before timers at the same instant. */
  runUntil(t: number): void {
    for (;;) {
      const packet = this.#queue[0];
      const timer = this.#nextTimer();
      const next = min([packet?.at, timer?.at]);
      if (next === undefined || next > t) break;
      this.now = next;
      if (packet && packet.at === next) {
        this.#queue.shift();
        if (this.#router(packet.to).running) this.input(packet.to, packet.vr, packet.input);
      } else {
        this.#apply(timer!.router, this.#router(timer!.router).tick(next));
      }
    }
    this.now = t;
  }

  snapshot(router: string, vr: string): MachineSnapshot {
    return this.#router(router).snapshot(vr);
  }

  state(router: string, vr: string): VrrpState {
    return this.snapshot(router, vr).state;
  }

  /** Routers holding the virtual router's addresses now. */
  holders(vr: string): string[] {
    return [...this.#holding].filter(([, vrs]) => vrs.has(vr)).map(([router]) => router);
  }

  /** `[time, router, vr, new state]` for every transition, oldest first. */
  transitions(filter: { router?: string; vr?: string } = {}): [number, string, string, VrrpState][] {
    return this.events
      .filter(
        (e) =>
          (filter.router === undefined || e.router === filter.router) &&
          (filter.vr === undefined || e.vr === filter.vr),
      )
      .flatMap((e) =>
        e.action.type === 'transition'
          ? [[e.at, e.router, e.vr, e.action.to] as [number, string, string, VrrpState]]
          : [],
      );
  }

  /** Priorities of the adverts a router sent for a virtual router, with times. */
  adverts(router: string, vr: string): [number, number][] {
    return this.events.flatMap((e) =>
      e.router === router && e.vr === vr && e.action.type === 'sendAdvert'
        ? [[e.at, e.action.priority] as [number, number]]
        : [],
    );
  }

  #router(name: string): Router {
    const router = this.#routers.get(name);
    if (!router) throw new Error(`no router ${name}`);
    return router;
  }

  #nextTimer(): { router: string; at: number } | undefined {
    let next: { router: string; at: number } | undefined;
    for (const [name, router] of this.#routers) {
      const at = router.running ? router.nextDeadline() : undefined;
      if (at !== undefined && (next === undefined || at < next.at)) next = { router: name, at };
    }
    return next;
  }

  #apply(name: string, emitted: Emitted[]): void {
    const router = this.#router(name);
    for (const { vr, action } of emitted) {
      this.events.push({ at: this.now, router: name, vr, action });
      if (action.type === 'becomeMaster') this.#holding.get(name)!.add(vr);
      if (action.type === 'leaveMaster') this.#holding.get(name)!.delete(vr);
      if (action.type === 'sendAdvert') this.#broadcast(name, router, vr, action.priority);
    }
  }

  #broadcast(from: string, sender: Router, vr: string, priority: number): void {
    const advert: Input = {
      type: 'advert',
      priority,
      advertIntervalCs: sender.options.get(vr)!.advertIntervalCs,
      source: sender.address,
    };
    for (const [name, router] of this.#routers) {
      if (name === from || !router.running || !router.options.has(vr)) continue;
      this.#queue.push({ at: this.now + this.latencyMs, seq: this.#seq++, to: name, vr, input: advert });
    }
    this.#queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

function min(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v) => v !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
}

/**
 * Drive one machine on a fake clock up to and including `until`: feed each input at its time and
 * fire the machine's timer whenever it is due (an input and a timer at the same instant: the
 * input first). Returns every action with the time it was produced.
 */
export function driveMachine(machine: VrrpMachine, inputs: [number, Input][], until: number): [number, Action][] {
  const pending = [...inputs].sort((a, b) => a[0] - b[0]);
  const log: [number, Action][] = [];
  for (;;) {
    const next = min([pending[0]?.[0], machine.nextDeadline()]);
    if (next === undefined || next > until) return log;
    const input: Input = pending[0]?.[0] === next ? pending.shift()![1] : { type: 'tick' };
    for (const action of machine.step(input, next)) log.push([next, action]);
  }
}

/** The same input every `periodMs` from `first` up to and including `last`. */
export function every(periodMs: number, first: number, last: number, input: Input): [number, Input][] {
  const inputs: [number, Input][] = [];
  for (let at = first; at <= last; at += periodMs) inputs.push([at, input]);
  return inputs;
}
