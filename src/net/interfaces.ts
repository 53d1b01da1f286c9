// A snapshot of the host's interfaces and their addresses, for config validation (unknown
// interface warnings, the priority-255 address-owner check). /sys/class/net also lists
// interfaces that have no address yet, which os.networkInterfaces() leaves out.
import { readdirSync } from 'node:fs';
import os from 'node:os';

export function hostInterfaces(): Map<string, string[]> {
  const result = new Map<string, string[]>();
  try {
    for (const name of readdirSync('/sys/class/net')) result.set(name, []);
  } catch {
    // no sysfs (a container without it): fall back to what has addresses
  }
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    result.set(
      name,
      (addrs ?? []).map((a) => a.address.replace(/%.*$/, '')),
    );
  }
  return result;
}
