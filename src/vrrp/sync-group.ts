/**
 * A keepalived `vrrp_sync_group`: instances that change state together, so that, for example,
 * the inside and outside addresses of a router are always on the same node. A pure coordinator
 * over the members' state machines, with the machine's interface: inputs per member (plus one
 * `tick` for all) in, actions per member out, one deadline.
 *
 * The rules, as keepalived documents and implements them:
 * - FAULT: while any member has a fault of its own, every member is in FAULT. The group leaves
 *   FAULT when the last member's fault clears.
 * - MASTER: members never become master on their own. A member that would (its
 *   Master_Down_Timer expired, or it is the owner starting in state MASTER) reports `wantMaster`
 *   and waits in BACKUP. The group goes MASTER, every waiting member at once, when each member
 *   is MASTER or waiting. Preferring BACKUP while any member still hears a live master is what
 *   stops oscillation: if one member took over while another still followed a peer, the peer
 *   would pull the group back, the first member would time out again, and so on.
 * - BACKUP: when a master member steps down (it heard a higher priority, or was told to), the
 *   other masters follow. They send priority 0 as they go, so the peer's members take over after
 *   their skew time rather than a full Master_Down_Interval.
 * - An operator mode (hand-off, take, release) given to any member applies to the whole group.
 *
 * Every input for a member must go through the group, never to the machine directly.
 */
import {
  type Action,
  type Input,
  type MachineOptions,
  type MachineSnapshot,
  type TransitionAction,
  VrrpMachine,
  type VrrpState,
} from './machine.js';

export type SyncGroupInput = { type: 'tick' } | { type: 'member'; member: string; input: Input };

export type MemberAction = { type: 'member'; member: string; action: Action };

export type SyncGroupAction =
  | MemberAction
  | { type: 'groupTransition'; from: VrrpState; to: VrrpState; reason: string };

export interface SyncGroupSnapshot {
  state: VrrpState;
  members: Record<string, MachineSnapshot>;
}

type Feed = (member: string, input: Input) => void;

export class SyncGroup {
  readonly name: string;
  readonly #members: ReadonlyMap<string, VrrpMachine>;
  /** Members' own faults, oldest first; the oldest is named as the cause of the others'. */
  readonly #faults = new Map<string, string>();

  constructor(name: string, members: Record<string, MachineOptions>) {
    const entries = Object.entries(members);
    if (entries.length === 0) throw new RangeError(`sync group ${name} has no members`);
    this.name = name;
    this.#members = new Map(
      entries.map(([member, options]) => [member, new VrrpMachine({ ...options, syncGroupMember: true })]),
    );
  }

  /**
   * The group's state as keepalived reports it: FAULT if any member is, MASTER or INIT when all
   * members are, otherwise BACKUP.
   */
  get state(): VrrpState {
    const states = [...this.#members.values()].map((machine) => machine.state);
    if (states.includes('FAULT')) return 'FAULT';
    if (states.every((s) => s === 'MASTER')) return 'MASTER';
    if (states.every((s) => s === 'INIT')) return 'INIT';
    return 'BACKUP';
  }

  step(input: SyncGroupInput, now: number): SyncGroupAction[] {
    const before = this.state;
    const actions: SyncGroupAction[] = [];
    const feed: Feed = (member, memberInput) => {
      for (const action of this.#machine(member).step(memberInput, now))
        actions.push({ type: 'member', member, action });
    };

    if (input.type === 'tick') {
      for (const member of this.#members.keys()) feed(member, input);
    } else {
      this.#route(input.member, input.input, feed);
    }
    this.#followMasterLeaving(actions, feed);
    this.#promoteWhenAllReady(feed);

    const cause = actions.find(isMemberTransition);
    const after = this.state;
    if (cause && after !== before)
      actions.push({
        type: 'groupTransition',
        from: before,
        to: after,
        reason: `${cause.member}: ${cause.action.reason}`,
      });
    return actions;
  }

  nextDeadline(): number | undefined {
    const deadlines = [...this.#members.values()]
      .map((machine) => machine.nextDeadline())
      .filter((d) => d !== undefined);
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  snapshot(): SyncGroupSnapshot {
    return {
      state: this.state,
      members: Object.fromEntries([...this.#members].map(([member, machine]) => [member, machine.snapshot()])),
    };
  }

  #machine(member: string): VrrpMachine {
    const machine = this.#members.get(member);
    if (!machine) throw new RangeError(`\`${member}\` is not a member of sync group ${this.name}`);
    return machine;
  }

  /** Group-wide inputs reach every member, the one addressed first (its transition is the cause). */
  #route(member: string, input: Input, feed: Feed): void {
    this.#machine(member); // throws for an unknown member before any state changes
    const everyone = [member, ...[...this.#members.keys()].filter((m) => m !== member)];
    switch (input.type) {
      case 'fault':
        this.#faults.set(member, input.reason);
        this.#spreadFaults(everyone, feed);
        break;
      case 'faultCleared':
        this.#faults.delete(member);
        if (this.#faults.size > 0) this.#spreadFaults(everyone, feed);
        else for (const m of everyone) feed(m, input);
        break;
      case 'operator':
        for (const m of everyone) feed(m, input);
        break;
      default:
        feed(member, input);
    }
  }

  /** Every member goes (or stays) in FAULT, with its own reason or the group's oldest fault. */
  #spreadFaults(members: string[], feed: Feed): void {
    const [culprit, cause] = [...this.#faults][0]!;
    for (const member of members) {
      feed(member, {
        type: 'fault',
        reason: this.#faults.get(member) ?? `sync group ${this.name}: ${culprit} is in fault (${cause})`,
      });
    }
  }

  #followMasterLeaving(actions: SyncGroupAction[], feed: Feed): void {
    const stepDown = actions.find(
      (a): a is MemberAction & { action: TransitionAction } =>
        isMemberTransition(a) && a.action.from === 'MASTER' && a.action.to === 'BACKUP',
    );
    if (!stepDown) return;
    const reason = `sync group ${this.name}: ${stepDown.member} left MASTER (${stepDown.action.reason})`;
    for (const [member, machine] of this.#members) {
      if (machine.state === 'MASTER') feed(member, { type: 'sync', to: 'BACKUP', reason });
    }
  }

  #promoteWhenAllReady(feed: Feed): void {
    const members = [...this.#members].map(([member, machine]) => ({ member, snapshot: machine.snapshot() }));
    const waiting = members.filter((m) => m.snapshot.waitingForSyncGroup);
    if (waiting.length === 0 || !members.every((m) => m.snapshot.state === 'MASTER' || m.snapshot.waitingForSyncGroup))
      return;
    for (const { member } of waiting)
      feed(member, { type: 'sync', to: 'MASTER', reason: `sync group ${this.name}: every member is ready` });
  }
}

function isMemberTransition(action: SyncGroupAction): action is MemberAction & { action: TransitionAction } {
  return action.type === 'member' && action.action.type === 'transition';
}
