/**
 * The VRRP state machine of RFC 5798 section 6.4 (VRRPv3), with RFC 3768 timing for VRRPv2.
 *
 * Pure and clock-injected: no timers, sockets or processes. The caller feeds inputs stamped with
 * the current time (milliseconds, any monotonic origin) and carries out the returned actions in
 * order. The machine runs one timer at a time (Adver_Timer as MASTER, Master_Down_Timer as
 * BACKUP), kept as a deadline in its state: the caller arms one real timer for `nextDeadline()`
 * and feeds `tick` when it fires. A tick before the deadline does nothing, so a timer that fires
 * early only needs re-arming.
 *
 * Where the RFC leaves room, keepalived's documented behaviour decides:
 * - `state MASTER` is a hint only an address owner acts on: an owner with `state MASTER` is MASTER
 *   at once; everyone else, an owner with `state BACKUP` included, starts as BACKUP and waits
 *   Master_Down_Interval ("between 3 and 4 advert intervals"). `nopreempt` and `preempt_delay`
 *   only work with `state BACKUP`, and an owner always preempts; the machine enforces both.
 * - `preempt_delay`: a window that opens when the instance enters BACKUP from startup or fault,
 *   closes when a master with a priority at least ours is heard, and reopens at the next
 *   lower-priority master. Inside it, lower-priority adverts are accepted as if `nopreempt` were
 *   set; after it, they are discarded and the Master_Down_Timer takes over.
 * - FAULT (not in the RFC): an instance that cannot work (tracked interface or script down). It
 *   holds no addresses and sends nothing; when the fault clears it starts again as at startup.
 *   A master going to FAULT first sends a priority-0 advert, like a shutdown, so a backup takes
 *   over after its skew time instead of Master_Down_Interval (the send may fail if the link is
 *   down; that is harmless).
 * - Operator modes (not in the RFC), held until the operator changes them:
 *   - `yield`: never become master. A master hands off make-before-break: it sends priority 0
 *     and stops advertising, but keeps its VIPs until the router that took over advertises a
 *     second time (its first advert goes out before it has added and announced the VIPs; by its
 *     second, even on a busy host, it has), so clients are served throughout. If nobody takes
 *     over within HANDOFF_INTERVALS advert intervals (1 s at least), the hand-off is abandoned (the mode goes
 *     back to `none`, the router advertises again as master) unless it was forced, when the VIPs
 *     go anyway. A backup follows any master and lets its Master_Down_Timer run out without
 *     taking over.
 *   - `take`: advertise priority 254 (or the owner's 255) and preempt, `nopreempt` or not; a
 *     backup becomes master at once, make-before-break too: it holds back its first advert, which
 *     makes the old master let go, until its own VIPs are announced (`announced`, or one advert
 *     interval at most).
 *   - `none`: the configured behaviour, with the timer restarted for a backup that was held.
 * - A master's answers out of turn (to a priority-0 advert, RFC 5798 6.4.3, and keepalived's to a
 *   lower priority) are rate-limited per source and in all: see AnswerLimiter. keepalived answers
 *   every one, so a flood of adverts comes back as a flood of adverts and gratuitous ARPs.
 */
import { parseIp } from '../inet/address.js';
import { AnswerLimiter } from './answer-limiter.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

/** RFC 5798 5.2.4: the priority of the router that owns the virtual addresses. */
export const OWNER_PRIORITY = 255;
/** RFC 5798 5.2.4: an advert with priority 0 says "the master is stopping". */
const RESIGN_PRIORITY = 0;
/**
 * Answers out of turn per advert interval, all sources together, for each kind of answer. A
 * virtual router seldom has more than two or three other routers, and they are all a healing
 * partition can bring back as masters at once; past that, our regular advert does the job.
 */
const ANSWERS_PER_INTERVAL = 3;
/** How long a hand-off waits for another router to take over: the Master_Down_Interval's advert count. */
export const HANDOFF_INTERVALS = 3;
/**
 * And at least this long: at 0.1 s adverts, 3 intervals are less than a busy host can stall a
 * backup for, and a master that keeps its VIPs while it waits costs clients nothing.
 */
const HANDOFF_MIN_MS = 1000;

/** How long a hand-off waits for a taker, in milliseconds, at this advert interval. */
export const handoffWindowMs = (advertIntervalMs: number): number =>
  Math.max(HANDOFF_INTERVALS * advertIntervalMs, HANDOFF_MIN_MS);
/** What `take` advertises: the highest priority below the owner's. */
const TAKE_PRIORITY = OWNER_PRIORITY - 1;

/** See the top of this file. */
export type OperatorMode = 'none' | 'yield' | 'take';

export interface MachineOptions {
  version: 2 | 3;
  /** Configured priority: 1..254, or 255 for the address owner. */
  priority: number;
  /** Advertisement_Interval in centiseconds. VRRPv2 carries whole seconds (100, 200, ...). */
  advertIntervalCs: number;
  /** Preempt_Mode; false for `nopreempt`. */
  preempt: boolean;
  /** keepalived `preempt_delay`, in milliseconds; 0 for none. */
  preemptDelayMs: number;
  /** keepalived `state`. */
  initialState: 'MASTER' | 'BACKUP';
  /** The source address of our adverts: breaks ties between equal priorities (RFC 5798 6.4.3). */
  primaryAddress: string;
  /**
   * keepalived `higher_prio_send_advert`: a master that hears a higher priority sends one advert
   * of its own before stepping down, so the other side sees both masters. Default off.
   */
  higherPrioSendAdvert?: boolean;
  /**
   * Answer a lower-priority advert with one of ours at once, so a second master steps down within
   * the round trip rather than at our next advert, and announce the VIPs again: a master only
   * hears adverts from another master, so that one is stepping down (e.g. after a partition
   * heals), and clients that learned its MAC for the VIPs would be black-holed until their ARP
   * entries expire. keepalived does this unless `lower_prio_no_advert` (or `vrrp_strict`) is set;
   * RFC 5798 discards the advert. Default off.
   */
  replyToLowerPriority?: boolean;
  /**
   * Announce the VIPs again (`reannounce`) on such an advert, with or without an advert of our
   * own: keepalived's garp_lower_prio_repeat is independent of lower_prio_no_advert. Default off.
   */
  announceToLowerPriority?: boolean;
  /**
   * keepalived `vrrp_startup_delay`, in milliseconds: after the first startup, no backup takes
   * over before this much time has passed and then its timer (Master_Down_Interval, or the skew
   * time after a resignation). Adverts are heard as usual meanwhile.
   */
  startupDelayMs?: number;
  /** keepalived `down_timer_adverts`: the adverts a backup misses before it takes over; default 3 (the RFC's). */
  downTimerAdverts?: number;
  /**
   * Set by SyncGroup: when this instance would become master on its own (Master_Down_Timer
   * expiry, owner startup) it emits `wantMaster` and waits in BACKUP until the group sends
   * `sync` to MASTER.
   */
  syncGroupMember?: boolean;
}

export type Input =
  | { type: 'startup' }
  | { type: 'shutdown' }
  | { type: 'tick' }
  /** A valid advert for this virtual router from another router; priority 0..255. */
  | { type: 'advert'; priority: number; advertIntervalCs: number; source: string }
  /** Tracking changed the priority: configured priority plus weights. Clamped to 1..254; ignored for the owner. */
  | { type: 'effectivePriority'; value: number }
  /** Something this instance depends on is down; repeated faults replace the reason. */
  | { type: 'fault'; reason: string }
  | { type: 'faultCleared' }
  /**
   * The operator's hold on this instance (see the top of this file). `force`: a hand-off that no
   * router answers releases the VIPs anyway instead of being abandoned. Repeating a mode changes nothing.
   */
  | { type: 'operator'; mode: OperatorMode; force?: boolean }
  /** The VIPs of a new master are in place and announced (from the instance, after `becomeMaster`). */
  | { type: 'announced' }
  /**
   * Someone deleted a tracked VIP, virtual route or rule of this master: as keepalived 2.2.7
   * does, it goes to BACKUP (no priority 0: it means to come back) and takes mastership back
   * after its skew time unless a master speaks up first, so that every VIP, route and rule goes
   * back on and the notify scripts see it.
   */
  | { type: 'ownedDeleted'; what: string }
  /** From SyncGroup only: promote a member waiting in BACKUP, or take a master back to BACKUP. */
  | { type: 'sync'; to: 'MASTER' | 'BACKUP'; reason: string };

export type TransitionAction = { type: 'transition'; from: VrrpState; to: VrrpState; reason: string };

/**
 * What the caller must do, in the order given. Effects come first and `transition` last, so
 * notify scripts run once the new state is in effect (VIPs present or gone).
 */
export type Action =
  | { type: 'sendAdvert'; priority: number }
  /** Add the VIPs, then send gratuitous ARP / unsolicited NA for them. */
  | { type: 'becomeMaster' }
  /** Remove the VIPs this instance added (when leaving MASTER for any state). */
  | { type: 'leaveMaster' }
  /**
   * One more round of gratuitous ARP / unsolicited NA, while master: a lower-priority master is
   * stepping down, and clients may have learned its MAC for the VIPs.
   */
  | { type: 'reannounce' }
  /** As master, an advert of a lower priority arrived (notify_master_rx_lower_pri, the FIFO's MASTER_RX_LOWER_PRI). */
  | { type: 'heardLowerPriority'; source: string; priority: number }
  | TransitionAction
  /** A sync-group member is ready to become master and waits for its group. */
  | { type: 'wantMaster'; reason: string }
  /** An advert this router must not act on (count it as a bad packet). */
  | { type: 'advertRejected'; reason: string };

export interface MachineSnapshot {
  state: VrrpState;
  priority: number;
  effectivePriority: number;
  /** The master as far as we know: ourselves, or the sender of the last advert we accepted. */
  masterAddress?: string;
  masterPriority?: number;
  masterAdvertIntervalCs: number;
  skewTimeMs: number;
  masterDownIntervalMs: number;
  nextDeadline?: number;
  faultReason?: string;
  /** End of the running preempt_delay window. */
  preemptHoldUntil?: number;
  /** The operator's mode (see OperatorMode). */
  operator: OperatorMode;
  /** A hand-off has begun: priority 0 sent, VIPs still held until another router takes over. */
  handingOff: boolean;
  /** A sync-group member whose Master_Down_Timer expired, waiting for the rest of its group. */
  waitingForSyncGroup: boolean;
}

/** Why the Master_Down_Timer is running: the words of the BACKUP to MASTER transition. */
type TakeoverCause =
  | { kind: 'silence'; since: number; from?: string }
  | { kind: 'resigned'; source: string }
  | { kind: 'preempting'; source: string; priority: number }
  | { kind: 'restoring'; what: string };

type Advert = Extract<Input, { type: 'advert' }>;

export class VrrpMachine {
  readonly #options: MachineOptions;
  readonly #preempt: boolean;
  readonly #preemptDelayMs: number;
  #state: VrrpState = 'INIT';
  /** The priority tracking gives (configured plus weights); `take` advertises more. */
  #trackedPriority: number;
  #masterAdvertIntervalCs: number;
  /** Adver_Timer (MASTER) or Master_Down_Timer (BACKUP); undefined when neither runs. */
  #deadline: number | undefined;
  #master: { address: string; priority: number } | undefined;
  #takeoverCause: TakeoverCause = { kind: 'silence', since: 0 };
  #faultReason: string | undefined;
  #preemptHoldUntil: number | undefined;
  #operator: OperatorMode = 'none';
  /** While a hand-off waits for a taker (see HANDOFF_INTERVALS); the deadline is its end. */
  #handoff: { force: boolean; taker?: string } | undefined;
  /** A master taken by the operator holds back its first advert until its VIPs are announced. */
  #announcing = false;
  /** Set while a sync-group member waits for its group; the reason it wants to be master. */
  #pendingTakeover: string | undefined;
  /** The end of the startup delay: backup timers run from here, at the earliest. */
  #startupHoldUntil: number | undefined;
  readonly #resignationAnswers: AnswerLimiter;
  readonly #lowerPriorityAnswers: AnswerLimiter;
  /** keepalived tells of every such advert; a flood of them must not become a flood of scripts. */
  readonly #lowerPriorityNotices: AnswerLimiter;

  constructor(options: MachineOptions) {
    validate(options);
    this.#options = { ...options };
    // keepalived: "nopreempt ... the initial state of this entry must be BACKUP" (it clears
    // nopreempt and preempt_delay for `state MASTER`), and an address owner always preempts.
    const startsAsMaster = options.initialState === 'MASTER';
    this.#preempt = options.preempt || startsAsMaster || this.#isOwner;
    this.#preemptDelayMs = startsAsMaster ? 0 : options.preemptDelayMs;
    this.#trackedPriority = options.priority;
    this.#masterAdvertIntervalCs = options.advertIntervalCs;
    this.#resignationAnswers = new AnswerLimiter(this.#advertIntervalMs, ANSWERS_PER_INTERVAL);
    this.#lowerPriorityAnswers = new AnswerLimiter(this.#advertIntervalMs, ANSWERS_PER_INTERVAL);
    this.#lowerPriorityNotices = new AnswerLimiter(this.#advertIntervalMs, ANSWERS_PER_INTERVAL);
  }

  get state(): VrrpState {
    return this.#state;
  }

  nextDeadline(): number | undefined {
    return this.#deadline;
  }

  step(input: Input, now: number): Action[] {
    switch (input.type) {
      case 'startup':
        if (this.#state !== 'INIT') return [];
        this.#startupHoldUntil ??= now + (this.#options.startupDelayMs ?? 0);
        return this.#initialize(now, 'started');
      case 'shutdown':
        return this.#state === 'INIT' ? [] : this.#stop('INIT', 'shutdown');
      case 'tick':
        return this.#tick(now);
      case 'advert':
        return this.#receive(input, now);
      case 'effectivePriority':
        // RFC 5798 5.2.4: the owner's priority is 255 by definition; weights cannot lower it.
        if (!this.#isOwner) this.#trackedPriority = Math.min(OWNER_PRIORITY - 1, Math.max(1, Math.round(input.value)));
        return [];
      case 'fault':
        this.#faultReason = input.reason;
        return this.#state === 'MASTER' || this.#state === 'BACKUP'
          ? this.#stop('FAULT', `fault: ${input.reason}`)
          : [];
      case 'faultCleared':
        this.#faultReason = undefined;
        return this.#state === 'FAULT' ? this.#initialize(now, 'fault cleared') : [];
      case 'operator':
        return this.#setOperator(input.mode, input.force ?? false, now);
      case 'announced':
        return this.#announcing && this.#state === 'MASTER' ? this.#advertiseNow(now) : [];
      case 'sync':
        return this.#sync(input, now);
      case 'ownedDeleted':
        return this.#ownedDeleted(input.what, now);
    }
  }

  snapshot(): MachineSnapshot {
    const master =
      this.#state === 'MASTER'
        ? { address: this.#options.primaryAddress, priority: this.#effectivePriority }
        : this.#state === 'BACKUP'
          ? this.#master
          : undefined;
    return {
      state: this.#state,
      priority: this.#options.priority,
      effectivePriority: this.#effectivePriority,
      masterAddress: master?.address,
      masterPriority: master?.priority,
      masterAdvertIntervalCs: this.#masterAdvertIntervalCs,
      skewTimeMs: this.#skewMs,
      masterDownIntervalMs: this.#masterDownIntervalMs,
      nextDeadline: this.#deadline,
      faultReason: this.#faultReason,
      preemptHoldUntil: this.#preemptHoldUntil,
      operator: this.#operator,
      handingOff: this.#handoff !== undefined,
      waitingForSyncGroup: this.#pendingTakeover !== undefined,
    };
  }

  get #effectivePriority(): number {
    return this.#operator === 'take' ? Math.max(TAKE_PRIORITY, this.#trackedPriority) : this.#trackedPriority;
  }

  get #isOwner(): boolean {
    return this.#options.priority === OWNER_PRIORITY;
  }

  get #advertIntervalMs(): number {
    return this.#options.advertIntervalCs * 10;
  }

  /**
   * Skew_Time. RFC 5798: (256 - Priority) * Master_Adver_Interval / 256. RFC 3768 (VRRPv2):
   * (256 - Priority) / 256 seconds, whatever the interval.
   */
  get #skewMs(): number {
    const unitMs = this.#options.version === 3 ? this.#masterAdvertIntervalCs * 10 : 1000;
    return ((256 - this.#effectivePriority) * unitMs) / 256;
  }

  /**
   * Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (VRRPv2 never learns an interval);
   * down_timer_adverts replaces the 3.
   */
  get #masterDownIntervalMs(): number {
    return (this.#options.downTimerAdverts ?? 3) * this.#masterAdvertIntervalCs * 10 + this.#skewMs;
  }

  /** RFC 5798 6.4.1 Initialize, on startup and when a fault clears. */
  #initialize(now: number, why: string): Action[] {
    if (this.#faultReason !== undefined) return [this.#transition('FAULT', `fault: ${this.#faultReason}`)];
    this.#forgetMaster();
    this.#preemptHoldUntil = this.#preemptDelayMs > 0 ? now + this.#preemptDelayMs : undefined;
    const ownerStartsMaster = this.#isOwner && this.#options.initialState === 'MASTER';
    const startsMaster = this.#operator === 'take' || (ownerStartsMaster && this.#operator === 'none');
    const who = this.#operator === 'take' ? 'taken by the operator' : 'address owner';
    if (startsMaster && this.#backupTimerStart(now) > now) {
      // keepalived holds the owner back too, and lets it take over as soon as the delay ends.
      this.#deadline = this.#backupTimerStart(now);
      this.#takeoverCause = { kind: 'silence', since: now };
      return [this.#transition('BACKUP', `${why}; ${who}, becomes master after vrrp_startup_delay`)];
    }
    if (startsMaster) {
      const reason =
        this.#operator === 'take'
          ? `${why}: taken by the operator (priority ${this.#effectivePriority})`
          : `${why}: address owner (priority 255) in state MASTER`;
      // A sync-group member has to wait for its group, and waits in BACKUP.
      const enterBackup = this.#options.syncGroupMember ? [this.#transition('BACKUP', reason)] : [];
      return [...enterBackup, ...this.#takeOver(now, reason)];
    }
    this.#armMasterDown(now, { kind: 'silence', since: now });
    const outlook =
      this.#operator === 'yield'
        ? 'held as backup by the operator'
        : `becomes master unless an advert arrives within ${seconds(this.#deadline! - now)}`;
    return [this.#transition('BACKUP', `${why}; ${outlook}`)];
  }

  #tick(now: number): Action[] {
    if (this.#deadline === undefined || now < this.#deadline) return [];
    if (this.#handoff) return this.#handoffDeadline(now);
    if (this.#state === 'MASTER') return this.#advertiseNow(now);
    return this.#takeOver(now, this.#takeoverReason(now));
  }

  #takeOver(now: number, reason: string): Action[] {
    if (this.#operator === 'yield') {
      // Held as backup: the master it followed is gone, and it does not step in.
      this.#forgetMaster();
      this.#deadline = undefined;
      return [];
    }
    if (!this.#options.syncGroupMember) return this.#becomeMaster(now, reason);
    this.#pendingTakeover = reason;
    this.#deadline = undefined;
    return [{ type: 'wantMaster', reason }];
  }

  #becomeMaster(now: number, reason: string): Action[] {
    this.#deadline = now + this.#advertIntervalMs;
    this.#endBackupDuties();
    this.#announcing = this.#operator === 'take';
    const advert: Action[] = this.#announcing ? [] : [{ type: 'sendAdvert', priority: this.#effectivePriority }];
    return [...advert, { type: 'becomeMaster' }, this.#transition('MASTER', reason)];
  }

  #advertiseNow(now: number): Action[] {
    this.#announcing = false;
    this.#deadline = now + this.#advertIntervalMs;
    return [{ type: 'sendAdvert', priority: this.#effectivePriority }];
  }

  #receive(advert: Advert, now: number): Action[] {
    if (this.#state !== 'MASTER' && this.#state !== 'BACKUP') return [];
    const rejection = this.#rejection(advert);
    if (rejection !== undefined) return [{ type: 'advertRejected', reason: rejection }];
    if (this.#handoff) return this.#handoffAnswered(advert, now);
    return this.#state === 'MASTER' ? this.#masterReceives(advert, now) : this.#backupReceives(advert, now);
  }

  #rejection(advert: Advert): string | undefined {
    const ours = this.#options.advertIntervalCs;
    if (this.#options.version === 2 && advert.advertIntervalCs !== ours) {
      return `advert from ${advert.source} has advert_int ${seconds(advert.advertIntervalCs * 10)} but ours is ${seconds(ours * 10)}; VRRPv2 routers must agree (RFC 3768 7.1)`;
    }
    // Learning a zero interval would make Master_Down_Interval zero: a backup would take over at once.
    if (advert.advertIntervalCs < 1) return `advert from ${advert.source} has an advert interval of 0`;
    return undefined;
  }

  /** RFC 5798 6.4.3, "If an ADVERTISEMENT is received". */
  #masterReceives(advert: Advert, now: number): Action[] {
    // Another master is leaving: answer at once so the backups hear a master before their skew
    // time. Its second copy, or a flood, need no more answers than one per interval.
    if (advert.priority === RESIGN_PRIORITY)
      return this.#resignationAnswers.admit(advert.source, now) ? this.#advertiseNow(now) : [];
    const ours = this.#effectivePriority;
    if (
      advert.priority > ours ||
      (advert.priority === ours && compareAddresses(advert.source, this.#options.primaryAddress) > 0)
    ) {
      const reason =
        advert.priority > ours
          ? `${advert.source} advertises higher priority ${advert.priority} (ours ${ours})`
          : `${advert.source} advertises the same priority ${ours} from a higher address than ours (${this.#options.primaryAddress})`;
      this.#follow(advert);
      return this.#masterToBackup(now, this.#options.higherPrioSendAdvert ? ours : undefined, reason);
    }
    const notice: Action[] = this.#lowerPriorityNotices.admit(advert.source, now)
      ? [{ type: 'heardLowerPriority', source: advert.source, priority: advert.priority }]
      : [];
    const { replyToLowerPriority, announceToLowerPriority } = this.#options;
    // Our first advert would make the old master let go before our VIPs are announced.
    if (this.#announcing) return notice;
    if (!(replyToLowerPriority || announceToLowerPriority) || !this.#lowerPriorityAnswers.admit(advert.source, now))
      return notice;
    return [
      ...(replyToLowerPriority ? this.#advertiseNow(now) : []),
      ...(announceToLowerPriority ? [{ type: 'reannounce' } as const] : []),
      ...notice,
    ];
  }

  /** RFC 5798 6.4.2, "If an ADVERTISEMENT is received". */
  #backupReceives(advert: Advert, now: number): Action[] {
    if (advert.priority === RESIGN_PRIORITY) {
      this.#deadline = this.#backupTimerStart(now) + this.#skewMs;
      this.#takeoverCause = { kind: 'resigned', source: advert.source };
      return [];
    }
    this.#trackPreemptHold(advert.priority, now);
    if (advert.priority < this.#effectivePriority && this.#preemptsNow(now)) {
      // Discarded: the Master_Down_Timer runs on and this router takes over when it expires.
      this.#takeoverCause = { kind: 'preempting', source: advert.source, priority: advert.priority };
      return [];
    }
    this.#follow(advert);
    this.#pendingTakeover = undefined;
    this.#armMasterDown(now, { kind: 'silence', since: now, from: advert.source });
    return [];
  }

  #trackPreemptHold(priority: number, now: number): void {
    if (this.#preemptDelayMs === 0) return;
    if (priority >= this.#effectivePriority) this.#preemptHoldUntil = undefined;
    else this.#preemptHoldUntil ??= now + this.#preemptDelayMs;
  }

  /** Whether a lower-priority master's advert is discarded (preempted) rather than followed. */
  #preemptsNow(now: number): boolean {
    const holding = this.#preemptHoldUntil !== undefined && now < this.#preemptHoldUntil;
    if (this.#operator !== 'none') return this.#operator === 'take';
    return this.#preempt && !holding;
  }

  #setOperator(mode: OperatorMode, force: boolean, now: number): Action[] {
    if (mode === this.#operator) {
      if (this.#handoff && force) this.#handoff.force = true;
      return [];
    }
    const before = this.#operator;
    this.#operator = mode;
    if (this.#state !== 'MASTER' && this.#state !== 'BACKUP') return [];
    const cancelled = this.#handoff !== undefined;
    this.#handoff = undefined;
    if (mode === 'yield') return this.#yield(now, force);
    if (this.#state === 'MASTER') {
      // Back to advertising (a cancelled hand-off), or at once at the new priority, so a
      // higher-priority backup can preempt without waiting for our next advert.
      return cancelled || before === 'take' ? this.#advertiseNow(now) : [];
    }
    if (mode === 'take') return this.#takeOver(now, `taken by the operator (priority ${this.#effectivePriority})`);
    // Released from `yield`: the Master_Down_Timer runs again from now.
    this.#armMasterDown(now, { kind: 'silence', since: now, from: this.#master?.address });
    return [];
  }

  /** A backup stops waiting to take over; a master begins its hand-off. */
  #yield(now: number, force: boolean): Action[] {
    if (this.#state === 'BACKUP') {
      this.#pendingTakeover = undefined;
      return [];
    }
    this.#handoff = { force };
    this.#deadline = now + handoffWindowMs(this.#advertIntervalMs);
    return [{ type: 'sendAdvert', priority: RESIGN_PRIORITY }];
  }

  /**
   * Another router advertises during our hand-off: the first advert says it took over, the next
   * that its VIPs are in place, and ours go.
   */
  #handoffAnswered(advert: Advert, now: number): Action[] {
    // Another master resigning is not taking over.
    if (advert.priority === RESIGN_PRIORITY) return [];
    const taker = this.#handoff?.taker;
    if (taker === advert.source) return this.#handedOff(now);
    if (taker !== undefined) return [];
    this.#follow(advert);
    this.#handoff = { force: this.#handoff?.force ?? false, taker: advert.source };
    // If its second advert is lost, the hand-off still ends.
    this.#deadline = now + handoffWindowMs(this.#advertIntervalMs);
    return [];
  }

  #handedOff(now: number): Action[] {
    const reason = `handed off by the operator to ${this.#handoff?.taker} (priority ${this.#master?.priority})`;
    return this.#masterToBackup(now, undefined, reason);
  }

  /** The hand-off's deadline: the taker's second advert was lost, or nobody took over in time. */
  #handoffDeadline(now: number): Action[] {
    if (this.#handoff?.taker !== undefined) return this.#handedOff(now);
    const waited = seconds(handoffWindowMs(this.#advertIntervalMs));
    if (this.#handoff?.force) {
      this.#forgetMaster();
      const actions = this.#masterToBackup(
        now,
        undefined,
        `handed off by the operator (forced): no router took over within ${waited}`,
      );
      this.#deadline = undefined;
      return actions;
    }
    this.#handoff = undefined;
    this.#operator = 'none';
    return this.#advertiseNow(now);
  }

  #ownedDeleted(what: string, now: number): Action[] {
    if (this.#state !== 'MASTER') return [];
    this.#forgetMaster();
    const actions = this.#masterToBackup(now, undefined, `${what} was deleted while MASTER`);
    this.#deadline = this.#backupTimerStart(now) + this.#skewMs;
    this.#takeoverCause = { kind: 'restoring', what };
    return actions;
  }

  #sync(input: Extract<Input, { type: 'sync' }>, now: number): Action[] {
    if (input.to === 'MASTER') {
      // Only a member waiting for its group is promoted; one that hears a master again is not.
      return this.#pendingTakeover === undefined
        ? []
        : this.#becomeMaster(now, `${this.#pendingTakeover}; ${input.reason}`);
    }
    if (this.#state !== 'MASTER') return [];
    this.#forgetMaster();
    // A member handing off has resigned already, and another router has taken over.
    return this.#masterToBackup(now, this.#handoff ? undefined : RESIGN_PRIORITY, input.reason);
  }

  /** Leave MASTER for BACKUP; the caller has set the master we now follow (or forgotten it). */
  #masterToBackup(now: number, farewellPriority: number | undefined, reason: string): Action[] {
    this.#handoff = undefined;
    this.#announcing = false;
    const actions = [...leavingMaster(farewellPriority), this.#transition('BACKUP', reason)];
    this.#armMasterDown(now, { kind: 'silence', since: now, from: this.#master?.address });
    return actions;
  }

  /** Shutdown (to INIT) or fault: a master resigns and releases its addresses; all timers stop. */
  #stop(to: 'INIT' | 'FAULT', reason: string): Action[] {
    const actions = [...(this.#state === 'MASTER' ? leavingMaster(RESIGN_PRIORITY) : []), this.#transition(to, reason)];
    this.#deadline = undefined;
    this.#handoff = undefined;
    this.#announcing = false;
    this.#endBackupDuties();
    return actions;
  }

  /** Forget what only a backup keeps: whom it follows, and why it would or would not take over. */
  #endBackupDuties(): void {
    this.#master = undefined;
    this.#pendingTakeover = undefined;
    this.#preemptHoldUntil = undefined;
  }

  /** Accept the sender as master; VRRPv3 learns its interval (RFC 5798 6.4.2, 6.4.3). */
  #follow(advert: Advert): void {
    if (this.#options.version === 3) this.#masterAdvertIntervalCs = advert.advertIntervalCs;
    this.#master = { address: advert.source, priority: advert.priority };
  }

  #forgetMaster(): void {
    this.#master = undefined;
    this.#masterAdvertIntervalCs = this.#options.advertIntervalCs;
  }

  #armMasterDown(now: number, cause: TakeoverCause): void {
    this.#deadline = this.#backupTimerStart(now) + this.#masterDownIntervalMs;
    this.#takeoverCause = cause;
  }

  /** Now, or the end of the startup delay while it lasts. */
  #backupTimerStart(now: number): number {
    return Math.max(now, this.#startupHoldUntil ?? now);
  }

  #takeoverReason(now: number): string {
    const cause = this.#takeoverCause;
    switch (cause.kind) {
      case 'silence':
        return `master down timer expired (no advert ${cause.from === undefined ? 'received' : `from ${cause.from}`} for ${seconds(now - cause.since)})`;
      case 'resigned':
        return `${cause.source} resigned (priority 0 advert); took over after skew time ${seconds(this.#skewMs)}`;
      case 'preempting':
        return `preempted ${cause.source}: its priority ${cause.priority} is below ours (${this.#effectivePriority})`;
      case 'restoring':
        return `taking mastership back after skew time ${seconds(this.#skewMs)}, since ${cause.what} was deleted`;
    }
  }

  #transition(to: VrrpState, reason: string): TransitionAction {
    const from = this.#state;
    this.#state = to;
    return { type: 'transition', from, to, reason };
  }
}

/** The actions that end mastership: a last advert when one is due, then the VIPs go. */
function leavingMaster(farewellPriority: number | undefined): Action[] {
  const farewell: Action[] = farewellPriority === undefined ? [] : [{ type: 'sendAdvert', priority: farewellPriority }];
  return [...farewell, { type: 'leaveMaster' }];
}

/**
 * Numeric order of two addresses (RFC 5798 6.4.3 compares primary addresses as numbers, so
 * 192.0.2.10 is above 192.0.2.9). Addresses of different families, or unparsable ones, never
 * win a tie: a virtual router speaks one family, and the transport only reports real addresses.
 */
export function compareAddresses(a: string, b: string): number {
  const x = parseIp(a)?.bytes;
  const y = parseIp(b)?.bytes;
  if (x === undefined || y === undefined || x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return 0;
}

/** Milliseconds as operators read them: "3.609 s". */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function validate(options: MachineOptions): void {
  const check = (ok: boolean, message: string): void => {
    if (!ok) throw new RangeError(message);
  };
  const { priority, version, advertIntervalCs: cs } = options;
  check(
    Number.isInteger(priority) && priority >= 1 && priority <= OWNER_PRIORITY,
    `priority must be an integer from 1 to 255, got ${priority}`,
  );
  if (version === 2) {
    check(
      Number.isInteger(cs) && cs % 100 === 0 && cs >= 100 && cs <= 25500,
      `a VRRPv2 advert interval must be whole seconds from 1 to 255, got ${cs / 100} s`,
    );
  } else {
    check(
      Number.isInteger(cs) && cs >= 1 && cs <= 4095,
      `a VRRPv3 advert interval must be 1 to 4095 centiseconds, got ${cs}`,
    );
  }
  check(
    Number.isFinite(options.preemptDelayMs) && options.preemptDelayMs >= 0,
    `preempt delay must be 0 or more, got ${options.preemptDelayMs}`,
  );
  check(
    parseIp(options.primaryAddress) !== undefined,
    `primary address \`${options.primaryAddress}\` is not an IP address`,
  );
}
