import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Action,
  compareAddresses,
  type Input,
  type MachineOptions,
  type TransitionAction,
  VrrpMachine,
} from '../../../src/vrrp/machine.js';
import { driveMachine, every, Lan, machineOptions } from '../../helpers/vrrp-lan.js';

// Times are milliseconds. With advert_int 1 s (v3):
//   Skew_Time = (256 - priority) / 256 s, Master_Down_Interval = 3 s + Skew_Time
//   priority 100: 0.609375 s -> 3.609375 s      priority 150: 0.4140625 s -> 3.4140625 s
//   priority 200: 0.21875 s  -> 3.21875 s       priority 254: 0.0078125 s -> 3.0078125 s
const MDI_100 = 3000 + 609.375;
const MDI_150 = 3000 + 414.0625;
const MDI_200 = 3000 + 218.75;
const MDI_254 = 3000 + 7.8125;

const PEER = '192.0.2.2';
/** keepalived's default answer to a lower-priority master: an advert and the VIPs announced again. */
const ANSWERING: Partial<MachineOptions> = { replyToLowerPriority: true, announceToLowerPriority: true };
const options = (overrides: Partial<MachineOptions> = {}): MachineOptions => machineOptions('192.0.2.1', overrides);
const machine = (overrides: Partial<MachineOptions> = {}): VrrpMachine => new VrrpMachine(options(overrides));
const tick: Input = { type: 'tick' };
const startup: Input = { type: 'startup' };
const advert = (priority: number, source = PEER, advertIntervalCs = 100): Input => ({
  type: 'advert',
  priority,
  advertIntervalCs,
  source,
});
/** What a master does besides telling of a lower priority (heardLowerPriority, tested on its own). */
const answered = (actions: Action[]) => actions.filter((a) => a.type !== 'heardLowerPriority');

function started(overrides: Partial<MachineOptions> = {}, at = 0): VrrpMachine {
  const m = machine(overrides);
  m.step(startup, at);
  return m;
}

/** A machine that has timed out into MASTER at MDI_100 (priority 100, advert_int 1 s). */
function master(overrides: Partial<MachineOptions> = {}): VrrpMachine {
  const m = started(overrides);
  assert.equal(m.step(tick, m.nextDeadline()!).at(-1)?.type, 'transition');
  assert.equal(m.state, 'MASTER');
  return m;
}

/** Routers A (priority 150, the master) and B (100, backup), started and settled by 10 s. */
function settledPair(): Lan {
  const lan = new Lan();
  lan.addRouter('A', '192.0.2.1', { VI_1: { priority: 150 } });
  lan.addRouter('B', PEER, { VI_1: { priority: 100 } });
  lan.start('A');
  lan.start('B');
  lan.runUntil(10_000);
  return lan;
}

const transition = (from: string, to: string, reason: string): Action =>
  ({ type: 'transition', from, to, reason }) as Action;
const transitionsIn = (log: [number, Action][]): [number, string][] =>
  log.flatMap(([at, a]) => (a.type === 'transition' ? [[at, a.to] as [number, string]] : []));
const reasonFor = (log: [number, Action][], to: string): string | undefined =>
  log.map(([, a]) => a).find((a): a is TransitionAction => a.type === 'transition' && a.to === to)?.reason;

describe('Initialize (RFC 5798 6.4.1)', () => {
  test('a backup with priority 100 and advert_int 1 s becomes master exactly 3 s + 0.609375 s after startup', () => {
    const m = machine();
    assert.deepEqual(m.step(startup, 0), [
      transition('INIT', 'BACKUP', 'started; becomes master unless an advert arrives within 3.609 s'),
    ]);
    assert.equal(m.nextDeadline(), MDI_100);
    assert.deepEqual(m.step(tick, MDI_100 - 0.001), [], 'a timer firing early changes nothing');
    assert.deepEqual(m.step(tick, MDI_100), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'becomeMaster' },
      transition('BACKUP', 'MASTER', 'master down timer expired (no advert received for 3.609 s)'),
    ]);
    assert.equal(m.nextDeadline(), MDI_100 + 1000);
    assert.deepEqual(
      m.step(tick, MDI_100 + 1000),
      [{ type: 'sendAdvert', priority: 100 }],
      'then advertises every advert_int',
    );
    assert.equal(m.nextDeadline(), MDI_100 + 2000);
  });

  test('the address owner (priority 255, state MASTER) is master at once and advertises 255', () => {
    const m = machine({ priority: 255, initialState: 'MASTER' });
    assert.deepEqual(m.step(startup, 0), [
      { type: 'sendAdvert', priority: 255 },
      { type: 'becomeMaster' },
      transition('INIT', 'MASTER', 'started: address owner (priority 255) in state MASTER'),
    ]);
    assert.equal(m.nextDeadline(), 1000);
  });

  test('an owner with state BACKUP waits 3 + 1/256 intervals and then preempts even with nopreempt (keepalived)', () => {
    const m = machine({ priority: 255, preempt: false });
    const log = driveMachine(m, [[0, startup], ...every(1000, 1000, 10_000, advert(100))], 10_000);
    assert.deepEqual(transitionsIn(log), [
      [0, 'BACKUP'],
      [3003.90625, 'MASTER'],
    ]);
  });

  test('state MASTER without priority 255 starts as a backup, and always preempts without delay (keepalived)', () => {
    const m = machine({ initialState: 'MASTER', preempt: false, preemptDelayMs: 10_000 });
    const log = driveMachine(m, [[0, startup], ...every(1000, 1000, 5000, advert(50))], 5000);
    assert.deepEqual(transitionsIn(log), [
      [0, 'BACKUP'],
      [MDI_100, 'MASTER'],
    ]);
    assert.equal(reasonFor(log, 'MASTER'), 'preempted 192.0.2.2: its priority 50 is below ours (100)');
  });

  test('a startup or advert before startup, or a second startup, does nothing', () => {
    const m = machine();
    assert.deepEqual(m.step(advert(150), 0), []);
    assert.deepEqual(m.step(tick, 0), []);
    assert.equal(m.nextDeadline(), undefined);
    m.step(startup, 0);
    assert.deepEqual(m.step(startup, 10), []);
    assert.equal(m.nextDeadline(), MDI_100);
  });

  test('bad options are refused with what was wrong', () => {
    assert.throws(() => machine({ priority: 0 }), /priority must be an integer from 1 to 255, got 0/);
    assert.throws(
      () => machine({ version: 2, advertIntervalCs: 150 }),
      /VRRPv2 advert interval must be whole seconds from 1 to 255, got 1.5 s/,
    );
    assert.throws(() => machine({ advertIntervalCs: 4096 }), /1 to 4095 centiseconds, got 4096/);
    assert.throws(() => machine({ primaryAddress: 'gateway' }), /primary address `gateway` is not an IP address/);
  });
});

describe('Backup (RFC 5798 6.4.2)', () => {
  test('vrrp_startup_delay: no backup takes over before the delay and then its Master_Down_Interval; adverts still count', () => {
    const m = machine({ startupDelayMs: 5000 });
    assert.deepEqual(m.step(startup, 0), [
      transition('INIT', 'BACKUP', 'started; becomes master unless an advert arrives within 8.609 s'),
    ]);
    assert.equal(m.nextDeadline(), 5000 + MDI_100);
    m.step(advert(150), 1000);
    assert.equal(m.snapshot().masterAddress, PEER, 'an advert during the delay is heard');
    assert.equal(m.nextDeadline(), 5000 + MDI_100, 'and its timer still runs from the end of the delay');
    m.step(advert(150), 6000);
    assert.equal(m.nextDeadline(), 6000 + MDI_100, 'after the delay, timers run as usual');
  });

  test('vrrp_startup_delay holds an address owner in state MASTER back too, and only on the first startup', () => {
    const m = machine({ startupDelayMs: 2000, priority: 255, initialState: 'MASTER' });
    assert.equal(m.step(startup, 0).at(-1)?.type, 'transition');
    assert.equal(m.state, 'BACKUP');
    assert.equal(m.nextDeadline(), 2000);
    assert.equal(m.step(tick, 2000).at(-1)?.type, 'transition');
    assert.equal(m.state, 'MASTER');
    // A fault and its recovery run Initialize again, without the delay.
    m.step({ type: 'fault', reason: 'link down' }, 3000);
    m.step({ type: 'faultCleared' }, 4000);
    assert.equal(m.state, 'MASTER');
  });

  test('down_timer_adverts: a backup takes over after that many missed adverts and its skew time, not 3', () => {
    const m = machine({ downTimerAdverts: 1 });
    m.step(startup, 0);
    assert.equal(m.nextDeadline(), 1000 + 609.375);
    m.step(advert(150), 500);
    assert.equal(m.nextDeadline(), 500 + 1000 + 609.375, 'each advert restarts it at the shorter interval');
    assert.equal(m.step(tick, 1500 + 609.375).at(-1)?.type, 'transition');
    assert.equal(m.state, 'MASTER');
  });

  test('Skew_Time makes the highest-priority backup the first to take over', () => {
    for (const [priority, skew] of [
      [254, 7.8125],
      [200, 218.75],
      [100, 609.375],
      [1, 996.09375],
    ] as const) {
      const snapshot = started({ priority }).snapshot();
      assert.equal(snapshot.skewTimeMs, skew, `priority ${priority}`);
      assert.equal(snapshot.masterDownIntervalMs, 3000 + skew, `priority ${priority}`);
    }

    const lan = new Lan();
    lan.addRouter('A', '192.0.2.1', { VI_1: { priority: 254 } });
    lan.addRouter('B', '192.0.2.2', { VI_1: { priority: 200 } });
    lan.addRouter('C', '192.0.2.3', { VI_1: { priority: 100 } });
    for (const r of ['A', 'B', 'C']) lan.start(r);
    lan.runUntil(10_000);
    assert.deepEqual(
      lan.transitions({ vr: 'VI_1' }).slice(3),
      [[MDI_254, 'A', 'VI_1', 'MASTER']],
      'A, 254, wins the start-up race',
    );

    lan.crash('A'); // its last advert left at 9007.8125
    lan.runUntil(30_000);
    assert.deepEqual(
      lan.transitions().slice(4),
      [[9007.8125 + MDI_200, 'B', 'VI_1', 'MASTER']],
      'B (200) takes over before C (100) would',
    );
    assert.deepEqual(lan.holders('VI_1'), ['B']);
    assert.equal(lan.state('C', 'VI_1'), 'BACKUP');
  });

  test('VRRPv3: a backup with advert_int 1 s learns a master advertising every 0.1 s', () => {
    const m = started();
    m.step(advert(150, PEER, 10), 1000);
    const snapshot = m.snapshot();
    assert.equal(snapshot.masterAdvertIntervalCs, 10);
    assert.equal(snapshot.masterAddress, PEER);
    assert.equal(snapshot.masterPriority, 150);
    // Master_Down_Interval = 3 * 0.1 s + (256 - 100) * 0.1 s / 256 = 0.3 s + 0.0609375 s
    assert.equal(snapshot.masterDownIntervalMs, 300 + 60.9375);
    assert.equal(m.nextDeadline(), 1000 + 360.9375);
    assert.deepEqual(
      m.step(tick, 1360.9375).at(-1),
      transition('BACKUP', 'MASTER', 'master down timer expired (no advert from 192.0.2.2 for 0.361 s)'),
    );
    assert.equal(m.nextDeadline(), 1360.9375 + 1000, 'as master it advertises at its own interval');
  });

  test('VRRPv2 times in whole seconds: Skew_Time is (256 - priority) / 256 s whatever the interval, and nothing is learned', () => {
    const v2 = started({ version: 2, advertIntervalCs: 200 });
    const v3 = started({ version: 3, advertIntervalCs: 200 });
    assert.deepEqual([v2.snapshot().skewTimeMs, v2.nextDeadline()], [609.375, 6000 + 609.375]);
    assert.deepEqual([v3.snapshot().skewTimeMs, v3.nextDeadline()], [1218.75, 6000 + 1218.75]);

    v2.step(advert(150, PEER, 200), 1000);
    assert.equal(v2.nextDeadline(), 1000 + 6609.375);
    assert.deepEqual(v2.step(advert(150, PEER, 100), 2000), [
      {
        type: 'advertRejected',
        reason: 'advert from 192.0.2.2 has advert_int 1 s but ours is 2 s; VRRPv2 routers must agree (RFC 3768 7.1)',
      },
    ]);
    assert.equal(v2.nextDeadline(), 1000 + 6609.375, 'a rejected advert does not reset the timer');
    assert.equal(v2.snapshot().masterAdvertIntervalCs, 200);
  });

  test('an advert with interval 0 is rejected rather than learned', () => {
    const m = started();
    assert.deepEqual(m.step(advert(150, PEER, 0), 1000), [
      { type: 'advertRejected', reason: 'advert from 192.0.2.2 has an advert interval of 0' },
    ]);
    assert.equal(m.nextDeadline(), MDI_100);
  });

  test('a priority-0 advert makes the backup take over after Skew_Time (0.609375 s at priority 100)', () => {
    const m = started();
    m.step(advert(150), 0);
    assert.deepEqual(m.step(advert(0), 500), []);
    assert.equal(m.nextDeadline(), 500 + 609.375);
    assert.deepEqual(
      m.step(tick, 1109.375).at(-1),
      transition('BACKUP', 'MASTER', '192.0.2.2 resigned (priority 0 advert); took over after skew time 0.609 s'),
    );
  });

  test('preempt: a higher-priority backup discards a lower master and takes over after Master_Down_Interval', () => {
    const lan = new Lan();
    lan.addRouter('A', '192.0.2.1', { VI_1: { priority: 100 } });
    lan.addRouter('B', '192.0.2.2', { VI_1: { priority: 150 } });
    lan.start('A');
    lan.runUntil(5000);
    lan.start('B');
    lan.runUntil(20_000);
    assert.deepEqual(lan.transitions(), [
      [0, 'A', 'VI_1', 'BACKUP'],
      [MDI_100, 'A', 'VI_1', 'MASTER'],
      [5000, 'B', 'VI_1', 'BACKUP'],
      [5000 + MDI_150, 'B', 'VI_1', 'MASTER'],
      [5000 + MDI_150, 'A', 'VI_1', 'BACKUP'],
    ]);
    assert.deepEqual(lan.holders('VI_1'), ['B']);
    const takeover = lan.events.find(
      (e) => e.router === 'B' && e.action.type === 'transition' && e.action.to === 'MASTER',
    )!.action;
    assert.equal((takeover as { reason: string }).reason, 'preempted 192.0.2.1: its priority 100 is below ours (150)');
  });

  test('nopreempt: a higher-priority backup follows a live lower master, and takes over only when it dies', () => {
    const lan = new Lan();
    lan.addRouter('A', '192.0.2.1', { VI_1: { priority: 100 } });
    lan.addRouter('B', '192.0.2.2', { VI_1: { priority: 150, preempt: false } });
    lan.start('A');
    lan.runUntil(5000);
    lan.start('B');
    lan.runUntil(30_000);
    assert.deepEqual(lan.holders('VI_1'), ['A']);
    assert.equal(lan.state('B', 'VI_1'), 'BACKUP');

    lan.crash('A'); // last advert at 29609.375
    lan.runUntil(40_000);
    assert.deepEqual(lan.transitions({ router: 'B' }).at(-1), [29_609.375 + MDI_150, 'B', 'VI_1', 'MASTER']);
  });

  test('preempt_delay: after startup a higher-priority backup follows a lower master for preempt_delay before preempting', () => {
    const lan = new Lan();
    lan.addRouter('A', '192.0.2.1', { VI_1: { priority: 100 } });
    lan.addRouter('B', '192.0.2.2', { VI_1: { priority: 150, preemptDelayMs: 10_000 } });
    lan.start('A');
    lan.runUntil(5000);
    lan.start('B');
    lan.runUntil(6000);
    assert.equal(lan.snapshot('B', 'VI_1').preemptHoldUntil, 15_000);
    lan.runUntil(30_000);
    // A advertises at 5609.375, 6609.375, ...: B follows every advert before 15 s, discards the
    // one at 15609.375, and takes over one Master_Down_Interval after the last it followed.
    assert.deepEqual(lan.transitions().slice(3), [
      [14_609.375 + MDI_150, 'B', 'VI_1', 'MASTER'],
      [14_609.375 + MDI_150, 'A', 'VI_1', 'BACKUP'],
    ]);
  });

  test('preempt_delay restarts when a master with priority at least ours is heard', () => {
    const m = machine({ priority: 150, preemptDelayMs: 10_000 });
    const log = driveMachine(m, [[0, startup], [1000, advert(200)], ...every(1000, 2000, 20_000, advert(100))], 20_000);
    // The window opened at startup closes at 1 s (priority 200) and reopens at 2 s: adverts up to 11 s are followed.
    assert.deepEqual(transitionsIn(log), [
      [0, 'BACKUP'],
      [11_000 + MDI_150, 'MASTER'],
    ]);
  });
});

describe('Master (RFC 5798 6.4.3)', () => {
  test('a priority-0 advert is answered at once and the advert timer restarts', () => {
    const m = master();
    assert.deepEqual(m.step(advert(0), 4000), [{ type: 'sendAdvert', priority: 100 }]);
    assert.equal(m.nextDeadline(), 5000);
  });

  test('a higher priority makes the master a backup that learns the new master interval', () => {
    const m = master();
    assert.deepEqual(m.step(advert(150, PEER, 50), 4000), [
      { type: 'leaveMaster' },
      transition('MASTER', 'BACKUP', '192.0.2.2 advertises higher priority 150 (ours 100)'),
    ]);
    const snapshot = m.snapshot();
    assert.equal(snapshot.masterAddress, PEER);
    assert.equal(snapshot.masterAdvertIntervalCs, 50);
    // 3 * 0.5 s + (256 - 100) * 0.5 s / 256
    assert.equal(m.nextDeadline(), 4000 + 1500 + 304.6875);
  });

  test('a lower priority is discarded (RFC); replyToLowerPriority answers it at once (keepalived default)', () => {
    assert.deepEqual(answered(master().step(advert(50), 4000)), []);
    const replying = master(ANSWERING);
    assert.deepEqual(answered(replying.step(advert(50), 4000)), [
      { type: 'sendAdvert', priority: 100 },
      { type: 'reannounce' },
    ]);
    assert.equal(replying.nextDeadline(), 5000);
  });

  test('lower_prio_no_advert: the VIPs are announced again, but no advert answers, and the advert timer runs on', () => {
    const m = master({ announceToLowerPriority: true });
    const due = m.nextDeadline();
    assert.deepEqual(answered(m.step(advert(50), 4000)), [{ type: 'reannounce' }]);
    assert.equal(m.nextDeadline(), due);
  });

  test('a master tells of each lower priority it hears (notify_master_rx_lower_pri): once a source and advert interval at most', () => {
    const m = master();
    const start = m.nextDeadline()! - 500;
    assert.deepEqual(m.step(advert(50), start), [{ type: 'heardLowerPriority', source: PEER, priority: 50 }]);
    const flood = Array.from({ length: 100 }, (_, i) => m.step(advert(50), start + 1 + i)).flat();
    assert.deepEqual(flood, [], 'one a source and interval');
    assert.deepEqual(m.step(advert(50), start + 1000), [{ type: 'heardLowerPriority', source: PEER, priority: 50 }]);
  });

  test('garp_lower_prio_repeat 0: an advert answers, without announcing the VIPs again', () => {
    assert.deepEqual(answered(master({ replyToLowerPriority: true }).step(advert(50), 4000)), [
      { type: 'sendAdvert', priority: 100 },
    ]);
  });

  /** What a master does with `adverts`, each [time, priority, source], as [time, action type]. */
  const answersTo = (m: VrrpMachine, adverts: [number, number, string][]) =>
    adverts.flatMap(([at, priority, source]) =>
      answered(m.step(advert(priority, source), at)).map((a) => [at, a.type]),
    );
  /** 3,000 adverts over one second from 192.0.2.<first..>, in turn. */
  const flood = (start: number, priority: number, sources = 1, first = 2): [number, number, string][] =>
    Array.from({ length: 3000 }, (_, i) => [start + i / 3, priority, `192.0.2.${first + (i % sources)}`]);

  test('3,000 lower-priority adverts in a second from one source get one answer per advert interval, the first at once', () => {
    const m = master(ANSWERING);
    const start = m.nextDeadline()! - 500;
    assert.deepEqual(answersTo(m, [...flood(start, 50), ...flood(start + 1000, 50)]), [
      [start, 'sendAdvert'],
      [start, 'reannounce'],
      [start + 1000, 'sendAdvert'],
      [start + 1000, 'reannounce'],
    ]);
    assert.equal(m.nextDeadline(), start + 2000, 'each answer is the advert of its interval');
    assert.equal(m.state, 'MASTER');
  });

  test('from many sources, at most three answers per interval in all, and a peer on its own still gets its answer', () => {
    const m = master(ANSWERING);
    const start = m.nextDeadline()! - 500;
    const answers = answersTo(m, flood(start, 50, 250, 3)).filter(([, type]) => type === 'sendAdvert');
    assert.deepEqual(
      answers.map(([at]) => at),
      [start, start + 1 / 3, start + 2 / 3],
    );
    // A real second master (a healed partition) adverts once per interval once the flood stops.
    assert.deepEqual(answersTo(m, [[start + 1200, 90, PEER]]), [
      [start + 1200, 'sendAdvert'],
      [start + 1200, 'reannounce'],
    ]);
  });

  test('priority 0: the first is answered at once, its second copy and a flood of them once per interval', () => {
    const m = master();
    const start = m.nextDeadline()! - 500;
    assert.deepEqual(answersTo(m, [...flood(start, 0), ...flood(start + 1000, 0)]), [
      [start, 'sendAdvert'],
      [start + 1000, 'sendAdvert'],
    ]);
    assert.deepEqual(answersTo(m, [[start + 1500, 0, '192.0.2.9']]), [[start + 1500, 'sendAdvert']], 'another source');
  });

  test('a flood does not hold back a higher priority; a resignation it crowds out is answered by the next advert', () => {
    const m = master(ANSWERING);
    const start = m.nextDeadline()! - 500;
    answersTo(m, [...flood(start, 0, 3, 5), ...flood(start, 50, 3, 5)]);
    // Three forged sources used this interval's answers: the real one waits for our regular
    // advert, due within one interval, as it would without answers at all.
    assert.deepEqual(answersTo(m, [[start + 999, 0, PEER]]), []);
    assert.ok(m.nextDeadline()! <= start + 999 + 1000);
    assert.equal(m.step(advert(150, PEER), start + 999.5).at(-1)?.type, 'transition');
    assert.equal(m.state, 'BACKUP');
  });

  test('higherPrioSendAdvert sends one advert of our own before stepping down', () => {
    assert.deepEqual(
      master({ higherPrioSendAdvert: true })
        .step(advert(150), 4000)
        .map((a) => a.type),
      ['sendAdvert', 'leaveMaster', 'transition'],
    );
  });

  test('equal priorities: the numerically greater IPv4 primary address wins (192.0.2.10 > 192.0.2.9)', () => {
    const m = master({ primaryAddress: '192.0.2.10' });
    assert.deepEqual(answered(m.step(advert(100, '192.0.2.9'), 4000)), []);
    assert.deepEqual(
      m.step(advert(100, '192.0.2.11'), 4100).at(-1),
      transition(
        'MASTER',
        'BACKUP',
        '192.0.2.11 advertises the same priority 100 from a higher address than ours (192.0.2.10)',
      ),
    );

    // Two routers that time out at the same instant both become master; the adverts crossing on
    // the wire (1 ms) settle it in favour of the greater address.
    const lan = new Lan(1);
    lan.addRouter('A', '192.0.2.10', { VI_1: {} });
    lan.addRouter('B', '192.0.2.9', { VI_1: {} });
    lan.start('A');
    lan.start('B');
    lan.runUntil(10_000);
    assert.deepEqual(lan.transitions().slice(2), [
      [MDI_100, 'A', 'VI_1', 'MASTER'],
      [MDI_100, 'B', 'VI_1', 'MASTER'],
      [MDI_100 + 1, 'B', 'VI_1', 'BACKUP'],
    ]);
    assert.deepEqual(lan.holders('VI_1'), ['A']);
  });

  test('equal priorities: the numerically greater IPv6 primary address wins (2001:db8::1:0 > 2001:db8::ffff)', () => {
    const m = master({ primaryAddress: '2001:db8::1:0' });
    assert.deepEqual(answered(m.step(advert(100, '2001:db8::ffff'), 4000)), []);
    assert.equal(m.step(advert(100, '2001:db8::1:1'), 4100).at(-1)?.type, 'transition');
    assert.equal(m.state, 'BACKUP');

    assert.ok(compareAddresses('2001:db8::1:0', '2001:db8::ffff') > 0);
    assert.ok(compareAddresses('192.0.2.9', '192.0.2.10') < 0);
    assert.equal(compareAddresses('192.0.2.9', '2001:db8::1'), 0, 'families never compare');
  });

  test('shutdown: a master resigns with priority 0 and removes its addresses; the backup takes over after Skew_Time', () => {
    const m = master();
    assert.deepEqual(m.step({ type: 'shutdown' }, 5000), [
      { type: 'sendAdvert', priority: 0 },
      { type: 'leaveMaster' },
      transition('MASTER', 'INIT', 'shutdown'),
    ]);
    assert.equal(m.nextDeadline(), undefined);
    assert.deepEqual(m.step({ type: 'shutdown' }, 5001), []);
    assert.deepEqual(started().step({ type: 'shutdown' }, 10), [transition('BACKUP', 'INIT', 'shutdown')]);
    assert.equal(m.step(startup, 6000).at(-1)?.type, 'transition', 'it can start again');

    const lan = settledPair();
    lan.input('A', 'VI_1', { type: 'shutdown' });
    lan.runUntil(20_000);
    assert.deepEqual(lan.transitions().slice(3), [
      [10_000, 'A', 'VI_1', 'INIT'],
      [10_000 + 609.375, 'B', 'VI_1', 'MASTER'],
    ]);
    assert.deepEqual(lan.holders('VI_1'), ['B']);
  });
});

describe('tracking, fault and operator failover', () => {
  test('a deleted route, rule or VIP: the master goes to BACKUP without resigning and takes over after its skew time', () => {
    const m = master();
    const at = 5000;
    const actions = m.step({ type: 'ownedDeleted', what: 'virtual route 203.0.113.0/26 (table 100)' }, at);
    assert.deepEqual(actions, [
      { type: 'leaveMaster' },
      transition('MASTER', 'BACKUP', 'virtual route 203.0.113.0/26 (table 100) was deleted while MASTER'),
    ]);
    assert.equal(m.nextDeadline(), at + (MDI_100 - 3000));
    const back = m.step(tick, m.nextDeadline()!);
    assert.equal(back.at(-1)?.type, 'transition');
    assert.equal(m.state, 'MASTER');
    assert.match(
      (back.at(-1) as TransitionAction).reason,
      /since virtual route 203\.0\.113\.0\/26 \(table 100\) was deleted/,
    );
    assert.deepEqual(started().step({ type: 'ownedDeleted', what: 'x' }, 0), [], 'a backup has nothing to give up');
  });

  test('tracking: a master whose effective priority drops below the backup is preempted by it', () => {
    const lan = settledPair();
    lan.input('A', 'VI_1', { type: 'effectivePriority', value: 150 - 60 });
    lan.runUntil(20_000);
    assert.deepEqual(lan.adverts('A', 'VI_1').slice(5, 8), [
      [8414.0625, 150],
      [9414.0625, 150],
      [10_414.0625, 90],
    ]);
    // B followed A until the advert at 9.414 s and discards those carrying 90.
    assert.deepEqual(lan.transitions().slice(3), [
      [9414.0625 + MDI_100, 'B', 'VI_1', 'MASTER'],
      [9414.0625 + MDI_100, 'A', 'VI_1', 'BACKUP'],
    ]);
    assert.deepEqual(lan.holders('VI_1'), ['B']);
  });

  test('effective priority is clamped to 1..254, and an owner stays at 255', () => {
    const m = started();
    m.step({ type: 'effectivePriority', value: 300 }, 0);
    assert.equal(m.snapshot().effectivePriority, 254);
    m.step({ type: 'effectivePriority', value: -20 }, 0);
    assert.equal(m.snapshot().effectivePriority, 1);
    const owner = started({ priority: 255 });
    owner.step({ type: 'effectivePriority', value: 200 }, 0);
    assert.equal(owner.snapshot().effectivePriority, 255);
  });

  test('fault: a master resigns and releases its addresses; when the fault clears it comes back as a backup and preempts', () => {
    const lan = settledPair();
    lan.input('A', 'VI_1', { type: 'fault', reason: 'eth0 is down' });
    assert.deepEqual(
      lan.events.filter((e) => e.at === 10_000).map((e) => e.action),
      [
        { type: 'sendAdvert', priority: 0 },
        { type: 'leaveMaster' },
        transition('MASTER', 'FAULT', 'fault: eth0 is down'),
      ],
    );
    lan.runUntil(20_000);
    assert.equal(lan.snapshot('A', 'VI_1').nextDeadline, undefined, 'no timers in FAULT');
    assert.equal(lan.snapshot('A', 'VI_1').faultReason, 'eth0 is down');
    lan.input('A', 'VI_1', { type: 'faultCleared' });
    lan.runUntil(30_000);
    assert.deepEqual(lan.transitions().slice(3), [
      [10_000, 'A', 'VI_1', 'FAULT'],
      [10_000 + 609.375, 'B', 'VI_1', 'MASTER'],
      [20_000, 'A', 'VI_1', 'BACKUP'],
      [20_000 + MDI_150, 'A', 'VI_1', 'MASTER'],
      [20_000 + MDI_150, 'B', 'VI_1', 'BACKUP'],
    ]);
  });

  test('fault: a backup goes quietly; a fault before startup starts in FAULT; adverts are ignored there', () => {
    assert.deepEqual(started().step({ type: 'fault', reason: 'chk_nginx failed' }, 10), [
      transition('BACKUP', 'FAULT', 'fault: chk_nginx failed'),
    ]);

    const m = machine();
    assert.deepEqual(m.step({ type: 'fault', reason: 'eth0 is down' }, 0), []);
    assert.deepEqual(m.step(startup, 0), [transition('INIT', 'FAULT', 'fault: eth0 is down')]);
    assert.deepEqual(m.step(advert(150), 100), []);
    assert.deepEqual(m.step({ type: 'fault', reason: 'eth0 is still down' }, 200), []);
    assert.equal(m.snapshot().faultReason, 'eth0 is still down');
    assert.deepEqual(m.step({ type: 'faultCleared' }, 1000), [
      transition('FAULT', 'BACKUP', 'fault cleared; becomes master unless an advert arrives within 3.609 s'),
    ]);
    assert.equal(m.nextDeadline(), 1000 + MDI_100);
  });
});

describe('operator modes', () => {
  const yieldTo = (force = false): Input => ({ type: 'operator', mode: 'yield', force });
  const take: Input = { type: 'operator', mode: 'take' };
  const release: Input = { type: 'operator', mode: 'none' };
  const HANDOFF = 10_000 + 609.375; // B's skew time after A's priority 0

  test('hand-off: the master keeps its VIPs until an interval after the backup advertises, then stays backup through silence until released', () => {
    const lan = settledPair();
    lan.input('A', 'VI_1', yieldTo());
    assert.deepEqual(
      lan.events.filter((e) => e.at === 10_000 && e.router === 'A').map((e) => e.action),
      [{ type: 'sendAdvert', priority: 0 }],
    );
    assert.equal(lan.snapshot('A', 'VI_1').handingOff, true);
    lan.runUntil(HANDOFF - 1);
    assert.deepEqual(lan.holders('VI_1'), ['A'], 'clients are served by A until B takes over');
    assert.deepEqual(lan.adverts('A', 'VI_1').at(-1), [10_000, 0], 'and A stays silent meanwhile');
    lan.runUntil(HANDOFF + 999);
    assert.deepEqual(lan.holders('VI_1'), ['A', 'B'], 'both, while B adds and announces them');
    assert.deepEqual(lan.adverts('A', 'VI_1').at(-1), [10_000, 0]);
    lan.runUntil(HANDOFF + 1000);
    assert.deepEqual(lan.holders('VI_1'), ['B']);
    assert.deepEqual(
      lan.events.filter((e) => e.at === HANDOFF + 1000 && e.router === 'A').map((e) => e.action),
      [
        { type: 'leaveMaster' },
        transition('MASTER', 'BACKUP', 'handed off by the operator to 192.0.2.2 (priority 100)'),
      ],
    );

    lan.runUntil(60_000);
    assert.deepEqual(lan.holders('VI_1'), ['B'], 'A (150) does not preempt B (100)');
    lan.crash('B');
    lan.runUntil(80_000);
    assert.equal(lan.state('A', 'VI_1'), 'BACKUP', 'held as backup, A does not step in when B dies');
    assert.equal(lan.snapshot('A', 'VI_1').masterAddress, undefined, 'and it no longer names a master');
    assert.equal(lan.snapshot('A', 'VI_1').operator, 'yield');

    lan.input('A', 'VI_1', release);
    lan.runUntil(80_000 + MDI_150);
    assert.deepEqual(lan.transitions({ router: 'A' }).at(-1), [80_000 + MDI_150, 'A', 'VI_1', 'MASTER']);
  });

  test('release lets the higher priority preempt again', () => {
    const lan = settledPair();
    lan.input('A', 'VI_1', yieldTo());
    lan.runUntil(30_000);
    assert.deepEqual(lan.holders('VI_1'), ['B']);
    lan.input('A', 'VI_1', release);
    lan.runUntil(40_000);
    assert.deepEqual(lan.holders('VI_1'), ['A']);
    const [at] = lan.transitions({ router: 'A' }).at(-1)!;
    assert.ok(at > 30_000 && at <= 30_000 + MDI_150, `A took over at ${at}`);
  });

  test('a hand-off nobody answers within 3 advert intervals is abandoned: the master never dropped its VIPs', () => {
    const m = master();
    const log = driveMachine(m, [[10_000, yieldTo()]], 20_000);
    assert.deepEqual(transitionsIn(log), [], 'it never left MASTER');
    assert.deepEqual(
      log.filter(([at]) => at >= 10_000 && at <= 13_000),
      [
        [10_000, { type: 'sendAdvert', priority: 0 }],
        [13_000, { type: 'sendAdvert', priority: 100 }],
      ],
    );
    assert.equal(m.snapshot().operator, 'none');
    assert.equal(m.snapshot().handingOff, false);
  });

  test('a forced hand-off nobody answers releases the VIPs anyway and leaves the router backup', () => {
    const m = master();
    const log = driveMachine(m, [[10_000, yieldTo(true)]], 60_000);
    assert.deepEqual(
      log.filter(([at]) => at > 10_000),
      [
        [13_000, { type: 'leaveMaster' }],
        [13_000, transition('MASTER', 'BACKUP', 'handed off by the operator (forced): no router took over within 3 s')],
      ],
    );
    assert.equal(m.nextDeadline(), undefined);
  });

  test('yield before startup: even an address owner in state MASTER starts and stays backup', () => {
    const m = machine({ priority: 255, initialState: 'MASTER' });
    assert.deepEqual(m.step(yieldTo(true), 0), []);
    const log = driveMachine(m, [[0, startup]], 30_000);
    assert.deepEqual(
      log.map(([, a]) => a),
      [transition('INIT', 'BACKUP', 'started; held as backup by the operator')],
    );
    assert.deepEqual(m.step(yieldTo(true), 30_000), [], 'repeating the mode changes nothing');
  });

  test('take: a backup becomes master at once and advertises 254 once its VIPs are announced, even with nopreempt, until released', () => {
    const lan = new Lan();
    lan.addRouter('A', '192.0.2.1', { VI_1: { priority: 150 } });
    lan.addRouter('B', PEER, { VI_1: { priority: 100, preempt: false } });
    lan.start('A');
    lan.start('B');
    lan.runUntil(10_000);
    lan.input('B', 'VI_1', take);
    lan.runUntil(10_020);
    assert.deepEqual(lan.transitions().at(-1), [10_000, 'B', 'VI_1', 'MASTER']);
    assert.deepEqual(lan.holders('VI_1').sort(), ['A', 'B'], 'A serves on while B announces the VIPs');
    assert.equal(lan.adverts('B', 'VI_1').length, 0, 'and B has not advertised yet');
    lan.input('B', 'VI_1', { type: 'announced' });
    lan.runUntil(10_020);
    assert.deepEqual(lan.transitions().at(-1), [10_020, 'A', 'VI_1', 'BACKUP']);
    assert.deepEqual(lan.adverts('B', 'VI_1').at(-1), [10_020, 254]);
    assert.equal(lan.snapshot('B', 'VI_1').effectivePriority, 254);
    lan.runUntil(60_000);
    assert.deepEqual(lan.holders('VI_1'), ['B'], 'A (150, preempt) does not take it back');

    lan.input('B', 'VI_1', release);
    assert.deepEqual(lan.adverts('B', 'VI_1').at(-1), [60_000, 100], 'B tells at once that it is back at 100');
    lan.runUntil(70_000);
    assert.deepEqual(lan.holders('VI_1'), ['A']);
    assert.equal(lan.snapshot('B', 'VI_1').effectivePriority, 100);
  });

  test('take then yield on a master cancels nothing it should keep: a pending hand-off released resumes adverts', () => {
    const m = master();
    m.step(yieldTo(), 10_000);
    assert.deepEqual(m.step(release, 10_050), [{ type: 'sendAdvert', priority: 100 }]);
    assert.equal(m.snapshot().handingOff, false);
    assert.equal(m.nextDeadline(), 10_050 + 1000);
  });
});
