// Where multicast adverts go, as keepalived 2.2.7 reads it: global vrrp_mcast_group4 /
// vrrp_mcast_group6 for every multicast instance of the family, mcast_dst_ip for one instance.
// An instance hears only adverts sent to its group, so two instances with one VRID on one
// interface are separate virtual routers when their groups differ (see validate.ts).
import { type Family, type IpAddress, isMulticast, parseIp } from '../../inet/address.js';
import type { GlobalDefs, VrrpInstance } from '../types.js';
import type { BuildContext, ValueParser } from './table.js';

/** ff02::/16 and the other link-scope groups (scope nibble 2), as IN6_IS_ADDR_MC_LINKLOCAL tests. */
const isLinkLocalMulticast = (ip: IpAddress): boolean => ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 2;

/** vrrp_mcast_group4 / vrrp_mcast_group6: a multicast address of `family`; an IPv6 one beyond the link is only warned of. */
export const globalMulticastGroup =
  (family: Family): ValueParser<string> =>
  (tok, ctx, keyword) => {
    const ip = parseIp(tok.text);
    if (!ip || ip.family !== family || !isMulticast(ip)) {
      ctx.error(tok.pos, `\`${keyword}\` expects an IPv${family} multicast address, got \`${tok.text}\``);
      return undefined;
    }
    if (family === 6 && !isLinkLocalMulticast(ip)) {
      ctx.warning(tok.pos, `\`${keyword}\` ${ip.address} is not link-local multicast (ff02::/16), as VRRP's should be`);
    }
    return ip.address;
  };

/**
 * Settles the instance's multicastGroup once its family is known: mcast_dst_ip if written and
 * valid for the family, else the global group of the family; none with unicast peers.
 */
export function resolveMulticastGroup(instance: VrrpInstance, global: GlobalDefs, ctx: BuildContext): void {
  const written = ctx.sites.get(instance, 'mcast_dst_ip')?.args[0];
  if (instance.unicastPeers.length > 0) {
    if (written)
      ctx.warning(
        written.pos,
        '`mcast_dst_ip` does not apply to an instance with unicast peers; ignored, as keepalived does',
      );
    delete instance.multicastGroup;
    return;
  }
  if (written) {
    const ip = parseIp(written.text);
    const wanted =
      instance.family === 4 ? 'an IPv4 multicast address' : 'a link-local IPv6 multicast address (ff02::/16)';
    const fits = ip?.family === instance.family && (ip.family === 4 ? isMulticast(ip) : isLinkLocalMulticast(ip));
    if (fits) return;
    ctx.error(
      written.pos,
      `\`mcast_dst_ip\` of an IPv${instance.family} instance must be ${wanted}, got \`${written.text}\``,
    );
  }
  instance.multicastGroup = instance.family === 4 ? global.vrrpMcastGroup4 : global.vrrpMcastGroup6;
}
