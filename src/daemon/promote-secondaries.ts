// promote_secondaries (vrrp_instance), as keepalived 2.2.7 sets it: net.ipv4.conf.IF.promote_secondaries
// is 1 while an instance on IF asks for it. Without it, deleting the first address of a subnet
// (a VIP the master lets go) deletes every other address of that subnet on the interface with it;
// with it, the next one is promoted. Set only where it was 0, and back to 0 when no instance asks
// any more (a reload) and at stop; an interface where it was 1 already is left as it is.
import type { Config } from '../config/index.js';
import { procSysctl, type SysctlPort } from '../net/sysctl.js';
import type { Logger } from './logger.js';

const pathOf = (ifname: string) => `net/ipv4/conf/${ifname}/promote_secondaries`;

export class PromoteSecondaries {
  /** The interfaces where vigild turned it on. */
  private readonly turnedOn = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly sysctl: SysctlPort = procSysctl,
  ) {}

  apply(config: Config): void {
    const wanted = new Set(config.instances.filter((i) => i.promoteSecondaries).map((i) => i.interface));
    for (const ifname of [...this.turnedOn]) if (!wanted.has(ifname)) this.write(ifname, 0);
    for (const ifname of wanted) {
      if (this.turnedOn.has(ifname) || this.sysctl.read(pathOf(ifname)) !== 0) continue;
      this.write(ifname, 1);
    }
  }

  clear(): void {
    for (const ifname of [...this.turnedOn]) this.write(ifname, 0);
  }

  private write(ifname: string, value: 0 | 1): void {
    try {
      this.sysctl.write(pathOf(ifname), value);
      if (value) this.turnedOn.add(ifname);
      else this.turnedOn.delete(ifname);
      this.log.info({ interface: ifname, value }, `promote_secondaries on ${ifname}: ${value}`);
    } catch (err) {
      this.turnedOn.delete(ifname);
      this.log.warn(
        { interface: ifname, err: (err as Error).message },
        `could not set promote_secondaries on ${ifname}`,
      );
    }
  }
}
