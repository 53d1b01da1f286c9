// vigild and Debian's keepalived 2.2.7 as the two routers of one virtual router: each accepts
// the other's adverts (keepalived logs no rejection, vigild counts no drop), the higher priority
// is the one master, and either takes over from the other on SIGTERM with the client following
// the VIP. Every scenario is played both ways round.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test, type TestContext } from 'node:test';
import { KeepalivedRouter, keepalivedUnavailable } from './keepalived.js';
import { Lab, labAvailable } from './lab.js';
import { VipProbe } from './probe.js';
import { pollUntil, vipAddress, VigildRouter, vrrpConfig, waitForStates, type InstanceSpec, type LabRouter } from './routers.js';

const skip = (await labAvailable()) ?? (await keepalivedUnavailable());

const HIGH = 150;
const LOW = 100;
/** On top of the protocol's bound: timer slack in both daemons and the probe's 10 ms. */
const MARGIN_MS = 100;

/** Skew_Time (RFC 5798 §6.1): how long a backup of `priority` waits after a priority-0 advert. */
const skewMs = (priority: number, advertInt: number): number => ((256 - priority) / 256) * advertInt * 1000;

/** What both routers of a scenario share: everything but the priority. */
type VirtualRouter = Omit<InstanceSpec, 'priority'>;

const V3_IPV4: VirtualRouter = { version: 3, vrid: 51, advertInt: 0.5, vip: '198.51.100.200/24' };
const V2_PASS: VirtualRouter = { version: 2, vrid: 52, advertInt: 1, vip: '198.51.100.201/24', authPass: 'secret12' };
const V3_IPV6: VirtualRouter = { version: 3, vrid: 53, advertInt: 0.5, vip: '2001:db8::200/64' };

type Kind = LabRouter['kind'];

/** One lab per describe, with a fresh vigild (r1) and keepalived (r2) for each test. */
class MixedLab {
  readonly lab = new Lab();
  vigild!: VigildRouter;
  keepalived!: KeepalivedRouter;

  /** Registers the hooks of the enclosing describe. */
  hooks(): void {
    before(() => this.lab.up(2));
    beforeEach(() => {
      this.vigild = new VigildRouter(this.lab, 'r1');
      this.keepalived = new KeepalivedRouter(this.lab, 'r2');
    });
    // SIGTERM first, so that each daemon removes its VIPs before the next test starts.
    afterEach(async () => {
      await Promise.all([this.vigild.stop(), this.keepalived.stop()]);
      await Promise.all([this.vigild.cleanup(), this.keepalived.cleanup()]);
    });
    after(() => this.lab.down());
  }

  /** The routers with `master` as the one configured at the higher priority. */
  roles(master: Kind): { master: LabRouter; backup: LabRouter } {
    return master === 'vigild' ? { master: this.vigild, backup: this.keepalived } : { master: this.keepalived, backup: this.vigild };
  }

  /** Neither side dropped an advert of the other. */
  async assertAcceptedEachOther(): Promise<void> {
    assert.deepEqual(this.keepalived.rejections(), [], 'keepalived rejected adverts');
    assert.deepEqual((await this.vigild.instance()).counters.drops, {}, 'vigild dropped adverts');
  }
}

/**
 * Waits until `master` is MASTER and `other` in `otherState`, then checks what the kernel and a
 * client see: the VIP on the master's eth0 only, and answering pings.
 */
async function expectSoleMaster(lab: Lab, master: LabRouter, [other, otherState]: [LabRouter, 'BACKUP' | 'DOWN'], vip: string): Promise<void> {
  await waitForStates([
    [master, 'MASTER'],
    [other, otherState],
  ]);
  // A daemon reports its new state before its VIP change has gone through netlink.
  await pollUntil(
    async () => (await lab.holds(master.node, vip)) && !(await lab.holds(other.node, vip)),
    () => `${vip} is not on ${master.node} (${master.kind}, MASTER) alone`,
    2000,
  );
  await lab.exec('client', ['ping', '-c', '1', '-W', '1', vip]);
}

/** Lets the probe record the stretch after the event, then checks the longest outage since `since`. */
async function assertOutage(t: TestContext, probe: VipProbe, since: number, what: string, boundMs: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  const outage = probe.longestOutageSince(since);
  t.diagnostic(`${what}: client outage ${outage.toFixed(0)} ms (bound ${boundMs.toFixed(0)} ms)`);
  assert.ok(outage <= boundMs, `${what}: client outage ${outage.toFixed(0)} ms > ${boundMs.toFixed(0)} ms`);
}

/**
 * The higher priority is elected; on its SIGTERM the other takes over within Skew_Time; when it
 * returns it preempts back.
 */
async function electFailOverAndPreempt(t: TestContext, mixed: MixedLab, masterKind: Kind, virtualRouter: VirtualRouter): Promise<void> {
  const { master, backup } = mixed.roles(masterKind);
  const { lab } = mixed;
  const vip = vipAddress(virtualRouter.vip);
  const configOf = (priority: number) => vrrpConfig({ ...virtualRouter, priority });

  await Promise.all([master.start(configOf(HIGH)), backup.start(configOf(LOW))]);
  await expectSoleMaster(lab, master, [backup, 'BACKUP'], vip);

  const probe = new VipProbe(lab, 'client', vip);
  try {
    await pollUntil(
      async () => probe.replies.length > 5,
      () => `the client's probe of ${vip} got no replies`,
    );
    const stoppedAt = Date.now();
    await master.stop();
    await expectSoleMaster(lab, backup, [master, 'DOWN'], vip);
    await assertOutage(t, probe, stoppedAt, `${master.kind} stopped, ${backup.kind} took over`, skewMs(LOW, virtualRouter.advertInt) + MARGIN_MS);

    const restartedAt = Date.now();
    await master.start(configOf(HIGH));
    await expectSoleMaster(lab, master, [backup, 'BACKUP'], vip);
    // The new master adds the VIP and announces it before the old one lets go: nothing is lost
    // beyond a probe or two.
    await assertOutage(t, probe, restartedAt, `${master.kind} preempted back`, MARGIN_MS);
  } finally {
    probe.stop();
  }
  await mixed.assertAcceptedEachOther();
}

const BOTH_WAYS: [Kind, Kind][] = [
  ['vigild', 'keepalived'],
  ['keepalived', 'vigild'],
];

describe('interop with keepalived: VRRPv3 over IPv4, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();

  for (const [master, backup] of BOTH_WAYS) {
    test(`${master} ${HIGH} and ${backup} ${LOW}: ${master} is master; ${backup} takes over on SIGTERM; ${master} preempts back`, (t) =>
      electFailOverAndPreempt(t, mixed, master, V3_IPV4));
  }
});

describe('interop with keepalived: VRRPv2 with a simple password, advert 1 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();

  for (const [master, backup] of BOTH_WAYS) {
    test(`${master} ${HIGH} and ${backup} ${LOW}: ${master} is master; ${backup} takes over on SIGTERM; ${master} preempts back`, (t) =>
      electFailOverAndPreempt(t, mixed, master, V2_PASS));
  }

  test('a wrong password: neither accepts the other, so both are MASTER, and vigild counts auth_mismatch', async () => {
    await Promise.all([
      mixed.vigild.start(vrrpConfig({ ...V2_PASS, priority: HIGH })),
      mixed.keepalived.start(vrrpConfig({ ...V2_PASS, priority: LOW, authPass: 'wrongpw1' })),
    ]);
    await waitForStates([
      [mixed.vigild, 'MASTER'],
      [mixed.keepalived, 'MASTER'],
    ]);
    await pollUntil(
      async () => ((await mixed.vigild.instance()).counters.drops.auth_mismatch ?? 0) > 0,
      () => `vigild counted no auth_mismatch drop:\n${mixed.vigild.log.slice(-2000)}`,
    );
    assert.match(mixed.keepalived.log, /received an invalid passwd/);
  });
});

describe('interop with keepalived: VRRPv3 over IPv6, advert 0.5 s', { skip }, () => {
  const mixed = new MixedLab();
  mixed.hooks();

  for (const [master, backup] of BOTH_WAYS) {
    test(`${master} ${HIGH} and ${backup} ${LOW}: ${master} is master; ${backup} takes over on SIGTERM; ${master} preempts back`, (t) =>
      electFailOverAndPreempt(t, mixed, master, V3_IPV6));
  }
});
