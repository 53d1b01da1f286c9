// The nftables ruleset that keeps a master without accept mode from answering for its VIPs, as
// keepalived's vrrp_nftables builds it, written as `nft -f` script lines. One table per family
// (made when first needed), a set of the VIPs held, and drop rules in input and output base
// chains; IPv6 lets neighbour discovery through, and matches link-local VIPs with their interface.
import type { NftablesSettings } from '../config/types.js';

export type NftFamily = 'ip' | 'ip6';
/** The sets the VIPs go in: link-local IPv6 ones by interface index, or by name (see dropElement). */
export type VipSet = 'vips' | 'vips_link_local' | 'vips_link_local_name';

/** One VIP in one set, as nft writes a set element. */
export interface DropElement {
  family: NftFamily;
  set: VipSet;
  key: string;
}

/**
 * A VIP's element. A link-local one is matched with its interface: by name when the instance
 * does not track its interface (it may come and go) unless nftables_ifindex, else by index.
 */
export function dropElement(
  vip: { address: string; family: 4 | 6; dev?: string },
  ifname: string,
  byName: boolean,
): DropElement {
  if (vip.family === 4) return { family: 'ip', set: 'vips', key: vip.address };
  if (!/^fe[89ab][0-9a-f]:/i.test(vip.address)) return { family: 'ip6', set: 'vips', key: vip.address };
  const dev = vip.dev ?? ifname;
  const named = byName && dev === ifname;
  return { family: 'ip6', set: named ? 'vips_link_local_name' : 'vips_link_local', key: `${vip.address} . "${dev}"` };
}

/** A rule's verdict, after a counter when nftables_counters asks for one. */
const verdict = (settings: NftablesSettings, action: string): string =>
  settings.counters ? `counter ${action}` : action;

/** Deletes whatever tables of ours a previous run left (add first: deleting a missing table fails). */
export function staleTablesScript(settings: NftablesSettings): string[] {
  return (['ip', 'ip6'] as const).flatMap((family) => [
    `add table ${family} ${settings.table}`,
    `delete table ${family} ${settings.table}`,
  ]);
}

/** The family's table with its `vips` set, base chains and drop rules, before any element. */
export function tableScript(settings: NftablesSettings, family: NftFamily): string[] {
  const t = `${family} ${settings.table}`;
  const base = (hook: string) => `{ type filter hook ${hook} priority ${settings.priority}; policy accept; }`;
  const ip = family === 'ip' ? 'ip' : 'ip6';
  const lines = [
    `add table ${t}`,
    `add set ${t} vips { type ${family === 'ip' ? 'ipv4_addr' : 'ipv6_addr'}; }`,
    `add chain ${t} out ${base('output')}`,
    `add chain ${t} in ${base('input')}`,
  ];
  if (family === 'ip6') {
    lines.push(
      `add set ${t} neighbor-discovery { type icmpv6_type; flags constant; elements = { nd-neighbor-solicit, nd-neighbor-advert }; }`,
      `add chain ${t} in_link_local`,
      `add chain ${t} out_link_local`,
      ...(['in', 'out'] as const).flatMap((chain) => {
        const addr = chain === 'in' ? 'daddr' : 'saddr';
        return [
          `add rule ${t} ${chain} icmpv6 type @neighbor-discovery ${verdict(settings, 'accept')}`,
          `add rule ${t} ${chain} ip6 ${addr} fe80::/10 ${verdict(settings, `goto ${chain}_link_local`)}`,
        ];
      }),
    );
  }
  lines.push(
    `add rule ${t} out ${ip} saddr @vips ${verdict(settings, 'drop')}`,
    `add rule ${t} in ${ip} daddr @vips ${verdict(settings, 'drop')}`,
  );
  return lines;
}

/** A link-local set of the ip6 table and the rules that drop what matches it. */
export function linkLocalSetScript(settings: NftablesSettings, set: Exclude<VipSet, 'vips'>): string[] {
  const t = `ip6 ${settings.table}`;
  const byName = set === 'vips_link_local_name';
  return [
    `add set ${t} ${set} { type ipv6_addr . ${byName ? 'ifname' : 'iface_index'}; }`,
    `add rule ${t} in_link_local ip6 daddr . ${byName ? 'iifname' : 'iif'} @${set} ${verdict(settings, 'drop')}`,
    `add rule ${t} out_link_local ip6 saddr . ${byName ? 'oifname' : 'oif'} @${set} ${verdict(settings, 'drop')}`,
  ];
}

/** Adds or deletes elements, one command per set. */
export function elementsScript(
  settings: NftablesSettings,
  change: 'add' | 'delete',
  elements: readonly DropElement[],
): string[] {
  const bySet = new Map<string, string[]>();
  for (const e of elements) {
    const target = `${e.family} ${settings.table} ${e.set}`;
    bySet.set(target, [...(bySet.get(target) ?? []), e.key]);
  }
  return [...bySet].map(([target, keys]) => `${change} element ${target} { ${keys.join(', ')} }`);
}

/** Deletes our tables of these families (on stop). */
export function dropTablesScript(settings: NftablesSettings, families: Iterable<NftFamily>): string[] {
  return [...families].map((family) => `delete table ${family} ${settings.table}`);
}
