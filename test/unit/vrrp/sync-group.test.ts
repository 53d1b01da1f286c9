import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Input, MachineOptions } from '../../../src/vrrp/machine.js';
import { SyncGroup, type SyncGroupAction, type SyncGroupInput } from '../../../src/vrrp/sync-group.js';
import { Lan, machineOptions } from '../../helpers/vrrp-lan.js';

// Master_Down_Interval with advert_int 1 s: priority 100 -> 3.609375 s, priority 150 -> 3.4140625 s.
const MDI_100 = 3000 + 609.375;
const MDI_150 = 3000 + 414.0625;

const options = (overrides: Partial<MachineOptions> = {}): MachineOptions => machineOptions('192.0.2.1', overrides);
const tick: SyncGroupInput = { type: 'tick' };
const to = (member: string, input: Input): SyncGroupInput => ({ type: 'member', member, input });
const startup: Input = { type: 'startup' };

/** Actions as an operator's log would read them. */
function summary(actions: SyncGroupAction[]): string[] {
  return actions.map((a) => {
    if (a.type === 'groupTransition') return `group -> ${a.to}`;
    const { member, action } = a;
    switch (action.type) {
      case 'sendAdvert':
        return `${member} advert ${action.priority}`;
      case 'transition':
        return `${member} -> ${action.to}`;
      default:
        return `${member} ${action.type}`;
    }
  });
}

function startedGroup(members: Record<string, MachineOptions>): SyncGroup {
  const group = new SyncGroup('G', members);
  for (const member of Object.keys(members)) group.step(to(member, startup), 0);
  return group;
}

describe('sync group', () => {
  test('goes MASTER only when every member is ready, and then all members at once', () => {
    const group = new SyncGroup('G', { VI_1: options(), VI_2: options({ advertIntervalCs: 200 }) });
    assert.deepEqual(summary(group.step(to('VI_1', startup), 0)), ['VI_1 -> BACKUP', 'group -> BACKUP']);
    assert.deepEqual(summary(group.step(to('VI_2', startup), 0)), ['VI_2 -> BACKUP']);
    assert.equal(group.nextDeadline(), MDI_100);

    assert.deepEqual(
      summary(group.step(tick, MDI_100)),
      ['VI_1 wantMaster'],
      'VI_1 timed out but VI_2 (advert_int 2 s) has not',
    );
    assert.equal(group.snapshot().members.VI_1!.waitingForSyncGroup, true);
    assert.equal(group.state, 'BACKUP');

    const mdi2s = 6000 + 1218.75;
    assert.equal(group.nextDeadline(), mdi2s);
    const actions = group.step(tick, mdi2s);
    assert.deepEqual(summary(actions), [
      'VI_2 wantMaster',
      'VI_1 advert 100',
      'VI_1 becomeMaster',
      'VI_1 -> MASTER',
      'VI_2 advert 100',
      'VI_2 becomeMaster',
      'VI_2 -> MASTER',
      'group -> MASTER',
    ]);
    assert.deepEqual(actions.at(-1), {
      type: 'groupTransition',
      from: 'BACKUP',
      to: 'MASTER',
      reason: 'VI_1: master down timer expired (no advert received for 3.609 s); sync group G: every member is ready',
    });
  });

  test('a waiting member that hears a master again stops waiting', () => {
    const group = startedGroup({ VI_1: options(), VI_2: options({ advertIntervalCs: 200 }) });
    group.step(tick, MDI_100);
    group.step(to('VI_1', { type: 'advert', priority: 150, advertIntervalCs: 100, source: '192.0.2.2' }), 4000);
    const vi1 = group.snapshot().members.VI_1!;
    assert.equal(vi1.waitingForSyncGroup, false);
    assert.equal(vi1.nextDeadline, 4000 + MDI_100);
  });

  test('a member still following a live master holds the whole group in BACKUP, without oscillating', () => {
    const lan = new Lan();
    lan.addRouter('N1', '192.0.2.1', { VI_1: {}, VI_2: {} }, 'G');
    lan.addRouter('P', '192.0.2.2', { VI_2: { priority: 150 } });
    lan.start('N1');
    lan.start('P');
    lan.runUntil(30_000);
    // keepalived prefers BACKUP: VI_1 has no master anywhere, yet N1 does not take it while VI_2 follows P.
    assert.deepEqual(lan.transitions({ router: 'N1' }), [
      [0, 'N1', 'VI_1', 'BACKUP'],
      [0, 'N1', 'group:G', 'BACKUP'],
      [0, 'N1', 'VI_2', 'BACKUP'],
    ]);
    assert.equal(lan.events.filter((e) => e.router === 'N1' && e.action.type === 'wantMaster').length, 1);
    assert.deepEqual(lan.holders('VI_1'), []);
    assert.deepEqual(lan.holders('VI_2'), ['P']);

    lan.crash('P'); // its last advert at 29414.0625
    lan.runUntil(40_000);
    const takeover = 29_414.0625 + MDI_100;
    assert.deepEqual(lan.transitions({ router: 'N1' }).slice(3), [
      [takeover, 'N1', 'VI_1', 'MASTER'],
      [takeover, 'N1', 'VI_2', 'MASTER'],
      [takeover, 'N1', 'group:G', 'MASTER'],
    ]);
  });

  test('when one master member meets a higher priority the group follows it to BACKUP, the others resigning', () => {
    const lan = new Lan();
    lan.addRouter('N1', '192.0.2.1', { VI_1: {}, VI_2: {} }, 'G');
    lan.addRouter('N2', '192.0.2.2', { VI_1: { priority: 150 }, VI_2: { priority: 150 } }, 'G');
    lan.start('N1');
    lan.runUntil(10_000);
    assert.deepEqual(lan.holders('VI_1'), ['N1']);
    assert.deepEqual(lan.holders('VI_2'), ['N1']);

    lan.start('N2');
    lan.runUntil(30_000);
    const preempt = 10_000 + MDI_150;
    assert.deepEqual(lan.transitions({ router: 'N1' }).slice(-3), [
      [preempt, 'N1', 'VI_1', 'BACKUP'],
      [preempt, 'N1', 'VI_2', 'BACKUP'],
      [preempt, 'N1', 'group:G', 'BACKUP'],
    ]);
    assert.deepEqual(
      lan.adverts('N1', 'VI_1').at(-1),
      [12_609.375, 100],
      'VI_1 stepped down for a higher priority: no farewell',
    );
    assert.deepEqual(lan.adverts('N1', 'VI_2').at(-1), [preempt, 0], 'VI_2 followed its group and resigned');
    assert.deepEqual(lan.holders('VI_1'), ['N2']);
    assert.deepEqual(lan.holders('VI_2'), ['N2']);
    assert.equal(lan.transitions({ router: 'N1' }).filter(([at]) => at > preempt).length, 0, 'and stays there');
  });

  test('one member in fault puts the whole group in FAULT until every member has recovered', () => {
    const group = startedGroup({ VI_1: options(), VI_2: options() });
    group.step(tick, MDI_100);
    assert.equal(group.state, 'MASTER');

    const fault = group.step(to('VI_2', { type: 'fault', reason: 'eth1 is down' }), 10_000);
    assert.deepEqual(summary(fault), [
      'VI_2 advert 0',
      'VI_2 leaveMaster',
      'VI_2 -> FAULT',
      'VI_1 advert 0',
      'VI_1 leaveMaster',
      'VI_1 -> FAULT',
      'group -> FAULT',
    ]);
    assert.equal(group.snapshot().members.VI_1!.faultReason, 'sync group G: VI_2 is in fault (eth1 is down)');

    assert.deepEqual(group.step(to('VI_1', { type: 'fault', reason: 'eth0 is down' }), 11_000), []);
    assert.deepEqual(group.step(to('VI_2', { type: 'faultCleared' }), 12_000), [], 'VI_1 is still in fault');
    assert.deepEqual(
      Object.values(group.snapshot().members).map((m) => [m.state, m.faultReason]),
      [
        ['FAULT', 'eth0 is down'],
        ['FAULT', 'sync group G: VI_1 is in fault (eth0 is down)'],
      ],
    );

    assert.deepEqual(summary(group.step(to('VI_1', { type: 'faultCleared' }), 13_000)), [
      'VI_1 -> BACKUP',
      'VI_2 -> BACKUP',
      'group -> BACKUP',
    ]);
    assert.equal(group.nextDeadline(), 13_000 + MDI_100);
    assert.deepEqual(summary(group.step(tick, 13_000 + MDI_100)).at(-1), 'group -> MASTER');
  });

  test('a hand-off of one member hands the whole group over, and it is not taken back', () => {
    const lan = new Lan();
    lan.addRouter('N1', '192.0.2.1', { VI_1: { priority: 150 }, VI_2: { priority: 150 } }, 'G');
    lan.addRouter('N2', '192.0.2.2', { VI_1: {}, VI_2: {} }, 'G');
    lan.start('N1');
    lan.start('N2');
    lan.runUntil(10_000);
    assert.deepEqual(lan.holders('VI_2'), ['N1']);

    lan.input('N1', 'VI_1', { type: 'operator', mode: 'yield' });
    lan.runUntil(60_000);
    assert.deepEqual(lan.adverts('N1', 'VI_2').at(-1), [10_000, 0]);
    assert.deepEqual(lan.transitions({ router: 'N2' }).slice(-3), [
      [10_609.375, 'N2', 'VI_1', 'MASTER'],
      [10_609.375, 'N2', 'VI_2', 'MASTER'],
      [10_609.375, 'N2', 'group:G', 'MASTER'],
    ]);
    assert.deepEqual(lan.holders('VI_1'), ['N2']);
    assert.deepEqual(lan.holders('VI_2'), ['N2']);
  });

  test('an address owner in state MASTER waits for the rest of its group', () => {
    const group = new SyncGroup('G', { VI_1: options({ priority: 255, initialState: 'MASTER' }), VI_2: options() });
    assert.deepEqual(summary(group.step(to('VI_1', startup), 0)), [
      'VI_1 -> BACKUP',
      'VI_1 wantMaster',
      'group -> BACKUP',
    ]);
    group.step(to('VI_2', startup), 0);
    assert.deepEqual(summary(group.step(tick, MDI_100)), [
      'VI_2 wantMaster',
      'VI_1 advert 255',
      'VI_1 becomeMaster',
      'VI_1 -> MASTER',
      'VI_2 advert 100',
      'VI_2 becomeMaster',
      'VI_2 -> MASTER',
      'group -> MASTER',
    ]);
  });

  test('unknown members and empty groups are refused', () => {
    assert.throws(() => new SyncGroup('G', {}), /sync group G has no members/);
    assert.throws(
      () => startedGroup({ VI_1: options() }).step(to('VI_9', startup), 0),
      /`VI_9` is not a member of sync group G/,
    );
  });
});
