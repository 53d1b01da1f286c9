// vigild and Debian's keepalived as the two routers of one virtual router, and the scenario the
// interop tests play with either one as the higher priority: election, SIGTERM failover and
// preemption, checked as the kernel (who holds the VIP) and a client (who answers it) see them.
import assert from 'node:assert/strict';
import { after, afterEach, before, type TestContext, type TestOptions, test } from 'node:test';
import { KeepalivedRouter } from '../../lab/keepalived.js';
import { ipv4Of, ipv6Of, Lab } from '../../lab/lab.js';
import { VipProbe } from '../../lab/probe.js';
import {
  type InstanceSpec,
  type LabRouter,
  pollUntil,
  VigildRouter,
  vipAddress,
  vipFamily,
  vrrpConfig,
  waitForStates,
} from '../../lab/routers.js';

export const HIGH = 150;
export const LOW = 100;
/** On top of the protocol's bound: timer slack in both daemons and the probe's 10 ms. */
const MARGIN_MS = 100;

/** Skew_Time (RFC 5798 §6.1): how long a backup of `priority` waits after a priority-0 advert. */
const skewMs = (priority: number, advertInt: number): number => ((256 - priority) / 256) * advertInt * 1000;

/** What both routers of a scenario share: everything but the priority, and for unicast, who is whose peer. */
export type VirtualRouter = Omit<InstanceSpec, 'priority' | 'unicast'> & { unicast?: boolean };

export type Kind = LabRouter['kind'];

/** One lab per describe, with a fresh vigild (r1) and keepalived (r2) for each test. */
export class MixedLab {
  readonly lab = new Lab();
  vigild = new VigildRouter(this.lab, 'r1');
  keepalived = new KeepalivedRouter(this.lab, 'r2');

  /** Registers the hooks of the enclosing describe. */
  hooks(): void {
    before(() => this.lab.up(2));
    afterEach(async () => {
      await this.retireRouters();
      this.vigild = new VigildRouter(this.lab, 'r1');
      this.keepalived = new KeepalivedRouter(this.lab, 'r2');
    });
    after(async () => {
      await this.retireRouters();
      await this.lab.down();
    });
  }

  /** SIGTERM first, so that each daemon removes its VIPs before the next test starts; then their files go. */
  private async retireRouters(): Promise<void> {
    await Promise.all([this.vigild.stop(), this.keepalived.stop()]);
    await Promise.all([this.vigild.cleanup(), this.keepalived.cleanup()]);
  }

  /** The routers with `master` as the one configured at the higher priority. */
  roles(master: Kind): { master: LabRouter; backup: LabRouter } {
    return master === 'vigild'
      ? { master: this.vigild, backup: this.keepalived }
      : { master: this.keepalived, backup: this.vigild };
  }

  /** Neither side dropped an advert of the other. */
  async assertAcceptedEachOther(): Promise<void> {
    assert.deepEqual(this.keepalived.rejections(), [], 'keepalived rejected adverts');
    assert.deepEqual((await this.vigild.instance()).counters.drops, {}, 'vigild dropped adverts');
  }
}

/** `router`'s config for `virtualRouter` at `priority`; with unicast, `peer` is its one peer. */
export function configFor(virtualRouter: VirtualRouter, router: LabRouter, peer: LabRouter, priority: number): string {
  const { unicast, ...shared } = virtualRouter;
  const addressOf = vipFamily(shared.vip) === 6 ? ipv6Of : ipv4Of;
  return vrrpConfig({
    ...shared,
    priority,
    unicast: unicast ? { source: addressOf(router.node), peers: [addressOf(peer.node)] } : undefined,
  });
}

/**
 * Waits until `master` is MASTER and `other` in `otherState`, then checks what the kernel and a
 * client see: the VIP on the master's eth0 only, and answering pings. A backup deaf to the
 * master passes this in the moment before its timer fires; the scenario still catches it, at
 * the next step or in the drop counters at the end.
 */
export async function expectSoleMaster(
  lab: Lab,
  master: LabRouter,
  [other, otherState]: [LabRouter, 'BACKUP' | 'DOWN'],
  vip: string,
): Promise<void> {
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
async function assertOutage(
  t: TestContext,
  probe: VipProbe,
  since: number,
  what: string,
  boundMs: number,
): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  const outage = probe.longestWaitSince(since);
  t.diagnostic(`${what}: client outage ${outage.toFixed(0)} ms (bound ${boundMs.toFixed(0)} ms)`);
  assert.ok(outage <= boundMs, `${what}: client outage ${outage.toFixed(0)} ms > ${boundMs.toFixed(0)} ms`);
}

/**
 * The higher priority is elected; on its SIGTERM the other takes over within Skew_Time; when it
 * returns it preempts back; and neither dropped an advert of the other all along.
 */
export async function electFailOverAndPreempt(
  t: TestContext,
  mixed: MixedLab,
  masterKind: Kind,
  virtualRouter: VirtualRouter,
): Promise<void> {
  const { master, backup } = mixed.roles(masterKind);
  const { lab } = mixed;
  const vip = vipAddress(virtualRouter.vip);
  const startMaster = () => master.start(configFor(virtualRouter, master, backup, HIGH));

  await Promise.all([startMaster(), backup.start(configFor(virtualRouter, backup, master, LOW))]);
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
    await assertOutage(
      t,
      probe,
      stoppedAt,
      `${master.kind} stopped, ${backup.kind} took over`,
      skewMs(LOW, virtualRouter.advertInt) + MARGIN_MS,
    );

    const restartedAt = Date.now();
    await startMaster();
    await expectSoleMaster(lab, master, [backup, 'BACKUP'], vip);
    // The new master adds the VIP and announces it before the old one lets go: nothing is lost
    // beyond a probe or two.
    await assertOutage(t, probe, restartedAt, `${master.kind} preempted back`, MARGIN_MS);
  } finally {
    probe.stop();
  }
  await mixed.assertAcceptedEachOther();
}

/**
 * vigild at the higher priority, keepalived with `wrongPass` instead of `virtualRouter`'s
 * auth_pass: neither accepts the other, so both are MASTER; vigild counts auth_mismatch, and
 * keepalived logs `keepalivedSays`.
 */
export async function expectSplitByWrongPass(
  mixed: MixedLab,
  virtualRouter: VirtualRouter,
  wrongPass: string,
  keepalivedSays: RegExp,
): Promise<void> {
  await Promise.all([
    mixed.vigild.start(configFor(virtualRouter, mixed.vigild, mixed.keepalived, HIGH)),
    mixed.keepalived.start(configFor({ ...virtualRouter, authPass: wrongPass }, mixed.keepalived, mixed.vigild, LOW)),
  ]);
  await waitForStates([
    [mixed.vigild, 'MASTER'],
    [mixed.keepalived, 'MASTER'],
  ]);
  await pollUntil(
    async () => ((await mixed.vigild.instance()).counters.drops.auth_mismatch ?? 0) > 0,
    () => `vigild counted no auth_mismatch drop:\n${mixed.vigild.log.slice(-2000)}`,
  );
  assert.match(mixed.keepalived.log, keepalivedSays);
}

/** A scenario played with `masterKind` as the higher priority. */
export type Scenario = (
  t: TestContext,
  mixed: MixedLab,
  masterKind: Kind,
  virtualRouter: VirtualRouter,
) => Promise<void>;

/**
 * The tests of `scenario` (by default electFailOverAndPreempt) for `virtualRouter`, with vigild
 * as the higher priority and then keepalived.
 */
export function bothWays(
  mixed: MixedLab,
  virtualRouter: VirtualRouter,
  options: TestOptions = {},
  scenario: Scenario = electFailOverAndPreempt,
): void {
  for (const [master, backup] of [
    ['vigild', 'keepalived'],
    ['keepalived', 'vigild'],
  ] as const) {
    test(
      `${master} ${HIGH} and ${backup} ${LOW}: ${master} is master; ${backup} takes over on SIGTERM; ${master} preempts back`,
      options,
      (t) => scenario(t, mixed, master, virtualRouter),
    );
  }
}
