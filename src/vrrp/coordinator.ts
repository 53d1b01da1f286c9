// Drives state machines with real time: one machine for a lone instance, or a sync group's
// machines together. It owns the single timer for their deadlines and hands each resulting
// action to the instance it belongs to.
import type { Action, Input, MachineOptions, MachineSnapshot, VrrpState } from './machine.js';
import { VrrpMachine } from './machine.js';
import { SyncGroup, type SyncGroupAction } from './sync-group.js';

/** Both shapes behind one interface: inputs per member in, actions per member out. */
interface MachineCore {
  step(member: string, input: Input, now: number): SyncGroupAction[];
  nextDeadline(): number | undefined;
  snapshot(member: string): MachineSnapshot;
}

function soloCore(member: string, options: MachineOptions): MachineCore {
  const machine = new VrrpMachine(options);
  return {
    step: (_member, input, now) => machine.step(input, now).map((action) => ({ type: 'member', member, action })),
    nextDeadline: () => machine.nextDeadline(),
    snapshot: () => machine.snapshot(),
  };
}

function groupCore(name: string, members: Record<string, MachineOptions>): MachineCore {
  const group = new SyncGroup(name, members);
  return {
    step: (member, input, now) => group.step(input.type === 'tick' ? input : { type: 'member', member, input }, now),
    nextDeadline: () => group.nextDeadline(),
    snapshot: (member) => {
      const snapshot = group.snapshot().members[member];
      if (!snapshot) throw new RangeError(`\`${member}\` is not a member of sync group ${name}`);
      return snapshot;
    },
  };
}

export interface CoordinatorClock {
  now(): number;
  after(ms: number, fn: () => void): () => void;
}

export interface GroupTransition {
  group: string;
  from: VrrpState;
  to: VrrpState;
  reason: string;
}

export class Coordinator {
  private readonly performers = new Map<string, (action: Action) => void>();
  private cancelTimer: (() => void) | undefined;

  private constructor(
    private readonly core: MachineCore,
    private readonly clock: CoordinatorClock,
    private readonly onGroupTransition?: (t: GroupTransition) => void,
    private readonly groupName?: string,
  ) {}

  static solo(member: string, options: MachineOptions, clock: CoordinatorClock): Coordinator {
    return new Coordinator(soloCore(member, options), clock);
  }

  static syncGroup(
    name: string,
    members: Record<string, MachineOptions>,
    clock: CoordinatorClock,
    onGroupTransition: (t: GroupTransition) => void,
  ): Coordinator {
    return new Coordinator(groupCore(name, members), clock, onGroupTransition, name);
  }

  /** Registers who carries out `member`'s actions. */
  attach(member: string, perform: (action: Action) => void): void {
    this.performers.set(member, perform);
  }

  feed(member: string, input: Input): void {
    this.run(this.core.step(member, input, this.clock.now()));
  }

  snapshot(member: string): MachineSnapshot {
    return this.core.snapshot(member);
  }

  /** Stops the timer (after every member has been shut down). */
  halt(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private run(actions: SyncGroupAction[]): void {
    for (const action of actions) {
      if (action.type === 'member') this.performers.get(action.member)?.(action.action);
      else
        this.onGroupTransition?.({
          group: this.groupName ?? '',
          from: action.from,
          to: action.to,
          reason: action.reason,
        });
    }
    this.arm();
  }

  private arm(): void {
    this.halt();
    const deadline = this.core.nextDeadline();
    if (deadline === undefined) return;
    this.cancelTimer = this.clock.after(Math.max(0, deadline - this.clock.now()), () => {
      this.cancelTimer = undefined;
      // One tick reaches every machine of the core; the member named is only for the solo case.
      this.run(this.core.step([...this.performers.keys()][0] ?? '', { type: 'tick' }, this.clock.now()));
    });
  }
}
