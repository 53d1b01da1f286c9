// Integer sysctls under /proc/sys, by their path there (net/ipv4/conf/eth0/arp_ignore).
import { readFileSync, writeFileSync } from 'node:fs';

export interface SysctlPort {
  /** Undefined where there is no such sysctl (an interface that is gone). */
  read(path: string): number | undefined;
  write(path: string, value: number): void;
}

export const procSysctl: SysctlPort = {
  read(path) {
    try {
      return Number.parseInt(readFileSync(`/proc/sys/${path}`, 'utf8'), 10);
    } catch {
      return undefined;
    }
  },
  write: (path, value) => writeFileSync(`/proc/sys/${path}`, String(value)),
};
