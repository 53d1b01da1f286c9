/**
 * use_vmac planned: for each instance that asks for one, the macvlan that carries the RFC 5798
 * virtual MAC (00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6), what it is called,
 * whether one already there serves (a previous run's, say), and the sysctls it needs, as
 * keepalived 2.2.7 decides them. Pure: the adapter (vmac-links.ts) carries the plan out.
 */
import type { Family } from '../inet/address.js';
import type { Link } from './rtnetlink-codec.js';

/** MACVLAN_MODE_PRIVATE: the vmac sees no frames from the other macvlans on its lower device. */
export const MACVLAN_MODE_PRIVATE = 1;

/** IFNAMSIZ less the terminating NUL. */
const MAX_NAME_LENGTH = 15;

export interface VmacRequest {
  instance: string;
  /** The instance's interface: the vmac's lower device. */
  base: string;
  family: Family;
  vrid: number;
  /** The name `use_vmac` gives; unset, one is made from the prefix and the VRID. */
  name?: string;
}

export interface Sysctl {
  /** The path under /proc/sys, e.g. net/ipv4/conf/vrrp.7/arp_ignore. */
  path: string;
  value: number;
}

export interface VmacLinkPlan {
  instance: string;
  name: string;
  mac: string;
  base: string;
  family: Family;
  /** A link that already is this vmac (same lower device, private mode, virtual MAC): used as it is. */
  adopt?: number;
  /** A macvlan of that name that is not this vmac: deleted, then made afresh. */
  replace?: number;
  /** Set on the vmac once it exists, before it comes up. */
  sysctls: Sysctl[];
  /** Set on the lower device while a vmac is on it; put back as found when the last one goes. */
  baseSysctls: Sysctl[];
}

export interface VmacPlan {
  links: VmacLinkPlan[];
  /** Configured names that could not be used, for the log. */
  warnings: string[];
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** The virtual router MAC of RFC 5798 §7.3. */
export const virtualMac = (family: Family, vrid: number): string =>
  `00:00:5e:00:${family === 4 ? '01' : '02'}:${hex(vrid)}`;

/** `<prefix><n>.<vrid>`, the prefix cut so that the name fits IFNAMSIZ. */
function nameWith(prefix: string, number: string, vrid: number): string {
  const tail = `${number}.${vrid}`;
  return `${prefix.slice(0, MAX_NAME_LENGTH - tail.length)}${tail}`;
}

/**
 * keepalived's made-up names: `vrrp.7`, then for IPv4 `vrrp1.7`, `vrrp2.7`, ...; for IPv6
 * `vrrp6.7`, then `vrrp1.7` on, skipping 6.
 */
function* candidateNames(prefix: string, family: Family, vrid: number): Generator<string> {
  yield nameWith(prefix, '', vrid);
  if (family === 6) yield nameWith(prefix, '6', vrid);
  for (let n = 1; n < 1000; n++) if (family === 4 || n !== 6) yield nameWith(prefix, String(n), vrid);
}

const isMacvlan = (link: Link) => link.kind === 'macvlan';

/** A link that already is the vmac `request` needs. */
const serves = (link: Link, baseIndex: number | undefined, mac: string) =>
  isMacvlan(link) && link.parentIndex === baseIndex && link.macvlanMode === MACVLAN_MODE_PRIVATE && link.mac === mac;

const ipv4 = (name: string, key: string, value: number): Sysctl => ({ path: `net/ipv4/conf/${name}/${key}`, value });
const ipv6 = (name: string, key: string, value: number): Sysctl => ({ path: `net/ipv6/conf/${name}/${key}`, value });

/**
 * What keepalived sets. IPv4 vmac: answer ARP only for its own addresses (arp_ignore), hear
 * adverts though it has no address (rp_filter 0, accept_local), keep VIPs when one goes
 * (promote_secondaries), and no IPv6 on it. The lower device must not answer ARP for the VIPs
 * (arp_ignore, arp_filter). Either family: no EUI-64 link-local address (addr_gen_mode none), so
 * that the vmac's MAC is never a source for anything but VRRP (RFC 5798 §7.4).
 */
function sysctlsOf(name: string, base: string, family: Family): Pick<VmacLinkPlan, 'sysctls' | 'baseSysctls'> {
  const genMode = ipv6(name, 'addr_gen_mode', 1);
  if (family === 6) return { sysctls: [genMode], baseSysctls: [] };
  return {
    sysctls: [
      ipv4(name, 'arp_ignore', 1),
      ipv4(name, 'accept_local', 1),
      ipv4(name, 'rp_filter', 0),
      ipv4(name, 'promote_secondaries', 1),
      genMode,
      ipv6(name, 'disable_ipv6', 1),
    ],
    baseSysctls: [ipv4(base, 'arp_ignore', 1), ipv4(base, 'arp_filter', 1)],
  };
}

/** keepalived's answer to a name another instance's vmac has: the name is dropped. */
function withoutName({ name, ...request }: VmacRequest, warnings: string[]): VmacRequest {
  warnings.push(
    `vrrp_instance ${request.instance}: vmac name ${name} is another instance's; use_vmac takes another name`,
  );
  return request;
}

/**
 * Plans every vmac of `requests` against the links there now. A link that already is the vmac
 * is used whatever its name (keepalived's "Found matching interface"); a configured name held by
 * another macvlan is replaced; one held by any other kind of link is given up for a made-up name.
 */
export function planVmacs(
  requests: readonly VmacRequest[],
  links: readonly Link[],
  prefix = 'vrrp',
  /** The vmacs already up for other instances: never used, replaced or named again. */
  inUse: readonly string[] = [],
): VmacPlan {
  const warnings: string[] = [];
  const claimed = new Set<string>(requests.flatMap((r) => (r.name ? [r.name] : [])));
  const taken = (name: string) => claimed.has(name) || links.some((l) => l.name === name);
  const adopted = new Set<number>(links.filter((l) => inUse.includes(l.name)).map((l) => l.index));
  const named = new Set<string>(inUse);
  const planned = requests.map((asked): VmacLinkPlan => {
    const request = named.has(asked.name ?? '') ? withoutName(asked, warnings) : asked;
    if (request.name) named.add(request.name);
    const mac = virtualMac(request.family, request.vrid);
    const baseIndex = links.find((l) => l.name === request.base)?.index;
    const match = links.find((l) => !adopted.has(l.index) && serves(l, baseIndex, mac));
    const common = { instance: request.instance, mac, base: request.base, family: request.family };
    if (match) {
      adopted.add(match.index);
      claimed.add(match.name);
      return {
        ...common,
        name: match.name,
        adopt: match.index,
        ...sysctlsOf(match.name, request.base, request.family),
      };
    }
    const holder = request.name ? links.find((l) => l.name === request.name) : undefined;
    if (request.name && (!holder || isMacvlan(holder))) {
      const replace = holder && { replace: holder.index };
      return { ...common, name: request.name, ...replace, ...sysctlsOf(request.name, request.base, request.family) };
    }
    if (request.name) {
      warnings.push(
        `vrrp_instance ${request.instance}: interface ${request.name} exists and is not a macvlan; use_vmac takes another name`,
      );
      claimed.delete(request.name);
    }
    const name = [...candidateNames(prefix, request.family, request.vrid)].find((n) => !taken(n));
    if (!name) throw new Error(`vrrp_instance ${request.instance}: no free name for its vmac`);
    claimed.add(name);
    return { ...common, name, ...sysctlsOf(name, request.base, request.family) };
  });
  return { links: planned, warnings };
}
