/**
 * The vmacs of use_vmac made real over rtnetlink (see vmac-plan.ts for what is made): created
 * down, their sysctls set, brought up, and, for IPv6, given the lower device's link-local address
 * to send adverts from. Only vmacs vigild made are ever deleted; their names outlive a crash in a
 * ledger, so the next run takes a leftover back (or deletes it when no instance wants it).
 */
import type { Rtnetlink } from './rtnetlink.js';
import { procSysctl, type SysctlPort } from './sysctl.js';
import { planVmacs, type Sysctl, type VmacLinkPlan, type VmacRequest } from './vmac-plan.js';

/** A vmac one instance wants: the plan's request, and whether its adverts leave from the base (vmac_xmit_base). */
export interface VmacWant extends VmacRequest {
  xmitBase: boolean;
}

/** The names of the vmacs vigild created, kept across restarts. */
export interface VmacLedger {
  owned(): string[];
  record(name: string): void;
  forget(name: string): void;
}

interface UpVmac {
  want: VmacWant;
  plan: VmacLinkPlan;
  index: number;
}

const identity = (w: VmacWant) => `${w.instance}|${w.base}|${w.family}|${w.vrid}|${w.name ?? ''}|${w.xmitBase}`;

export class VmacLinks {
  readonly #up = new Map<string, UpVmac>();
  /** The lower devices' sysctls as found, and how many of our vmacs need them changed. */
  readonly #bases = new Map<string, { found: Sysctl[]; users: number }>();
  #swept = false;

  constructor(
    private readonly rtnl: Rtnetlink,
    private readonly ledger: VmacLedger,
    private readonly log: (message: string) => void,
    private readonly sysctl: SysctlPort = procSysctl,
  ) {}

  /** The vmac an instance's VIPs (and, without vmac_xmit_base, adverts) go on, once made. */
  nameOf(want: VmacWant): string | undefined {
    return this.#up.get(identity(want))?.plan.name;
  }

  /** Makes every vmac of `wants` that is not up yet; on the first call, deletes the leftovers of a previous run. */
  async ensure(wants: readonly VmacWant[], prefix?: string): Promise<void> {
    const missing = wants.filter((w) => !this.#up.has(identity(w)));
    const links = await this.rtnl.listLinks();
    const up = [...this.#up.values()].map((u) => u.plan.name);
    const plan = planVmacs(missing, links, prefix, up);
    for (const warning of plan.warnings) this.log(warning);
    if (!this.#swept) await this.#sweep(plan.links);
    for (const [i, link] of plan.links.entries()) {
      const want = missing[i]!;
      this.#up.set(identity(want), { want, plan: link, index: await this.#bringUp(link, want) });
    }
  }

  /** Deletes the vmacs no entry of `wants` needs any more. */
  async prune(wants: readonly VmacWant[]): Promise<void> {
    const keep = new Set(wants.map(identity));
    for (const [key, up] of this.#up) {
      if (keep.has(key)) continue;
      this.#up.delete(key);
      await this.#remove(up);
    }
  }

  clear(): Promise<void> {
    return this.prune([]);
  }

  /** Ledger names no plan adopts are a previous run's, for instances that are gone: they go too. */
  async #sweep(plans: readonly VmacLinkPlan[]): Promise<void> {
    this.#swept = true;
    const links = await this.rtnl.listLinks();
    for (const name of this.ledger.owned()) {
      if (plans.some((p) => p.name === name && p.adopt !== undefined)) continue;
      const link = links.find((l) => l.name === name && l.kind === 'macvlan');
      if (link && (await this.#removeLink(link.index, name)))
        this.log(`removed vmac ${name} left behind by a previous run`);
      this.ledger.forget(name);
    }
  }

  async #bringUp(plan: VmacLinkPlan, want: VmacWant): Promise<number> {
    if (plan.replace !== undefined) {
      this.log(`vrrp_instance ${plan.instance}: replacing macvlan ${plan.name}, which is not its vmac`);
      await this.#removeLink(plan.replace, plan.name);
    }
    if (plan.adopt === undefined) {
      const parentIndex = await this.#indexOf(plan.base);
      await this.rtnl.addMacvlan({ name: plan.name, parentIndex, mac: plan.mac, mode: 1 });
      this.ledger.record(plan.name);
    }
    const index = plan.adopt ?? (await this.#indexOf(plan.name));
    for (const s of plan.sysctls) this.sysctl.write(s.path, s.value);
    this.#claimBase(plan);
    // The kernel filters by the larger of `all` and the interface's own value.
    if (want.family === 4 && (this.sysctl.read('net/ipv4/conf/all/rp_filter') ?? 0) > 0)
      this.log(`net.ipv4.conf.all.rp_filter is not 0: ${plan.name} may drop the adverts it receives`);
    await this.rtnl.setLinkUp(index, plan.name);
    if (want.family === 6 && !want.xmitBase) await this.#addLinkLocal(plan.base, index);
    return index;
  }

  /** IPv6 adverts leave the vmac from the base's link-local address, so the vmac needs it too. */
  async #addLinkLocal(base: string, index: number): Promise<void> {
    const baseIndex = await this.#indexOf(base);
    const address = (await this.rtnl.listAddresses()).find(
      (a) => a.ifindex === baseIndex && a.family === 6 && a.scope === 'link',
    )?.address;
    if (!address) throw new Error(`interface ${base} has no IPv6 link-local address for its vmac`);
    try {
      // Deprecated, as keepalived adds it: a source for VRRP alone, never for other traffic.
      await this.rtnl.addAddress({ ifindex: index, address, prefix: 64, scope: 'link', preferredLifetime: 0 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  #claimBase(plan: VmacLinkPlan): void {
    if (plan.baseSysctls.length === 0) return;
    const base = this.#bases.get(plan.base);
    if (base) {
      base.users++;
      return;
    }
    const found = plan.baseSysctls.flatMap((s) => {
      const value = this.sysctl.read(s.path);
      return value === undefined ? [] : [{ path: s.path, value }];
    });
    this.#bases.set(plan.base, { found, users: 1 });
    for (const s of plan.baseSysctls) this.sysctl.write(s.path, s.value);
  }

  #releaseBase(plan: VmacLinkPlan): void {
    const base = this.#bases.get(plan.base);
    if (!base || --base.users > 0) return;
    this.#bases.delete(plan.base);
    for (const s of base.found) this.sysctl.write(s.path, s.value);
  }

  async #remove(up: UpVmac): Promise<void> {
    this.#releaseBase(up.plan);
    if (!this.ledger.owned().includes(up.plan.name)) return;
    await this.#removeLink(up.index, up.plan.name);
    this.ledger.forget(up.plan.name);
  }

  /** Deletes a link; one already gone is fine. Returns whether it was there. */
  async #removeLink(index: number, name: string): Promise<boolean> {
    try {
      await this.rtnl.removeLink(index, name);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENODEV') return false;
      throw err;
    }
  }

  async #indexOf(name: string): Promise<number> {
    const link = (await this.rtnl.listLinks()).find((l) => l.name === name);
    if (!link) throw new Error(`interface ${name} does not exist`);
    return link.index;
  }
}
