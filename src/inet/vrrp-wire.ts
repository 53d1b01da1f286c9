// The constants of VRRP on the wire (RFC 5798) that both the packet codec (vrrp/) and the raw
// sockets (net/) need: here, below both, so neither layer reaches into the other.
import type { Family } from './address.js';

/** The IP protocol number of VRRP (RFC 5798 §5.1.1.4). */
export const IPPROTO_VRRP = 112;
/** Adverts are sent with TTL / hop limit 255 and refused with any other (but for unicast peers), so a routed packet cannot pose as a neighbour (RFC 5798 §5.1.1.3, §7.1). */
export const VRRP_TTL = 255;

/** The all-VRRP-routers multicast groups (RFC 5798 §5.1.1.2, §5.1.2.2). */
export const VRRP_MULTICAST: Readonly<Record<Family, string>> = { 4: '224.0.0.18', 6: 'ff02::12' };

/** The IP protocol number of the Authentication Header, which keepalived's `auth_type AH` puts before the VRRPv2 message (RFC 2338 §5.3.6.3). */
export const IPPROTO_AH = 51;

/**
 * The multicast group of its own an instance sends to and hears (vrrp_mcast_group4/6,
 * mcast_dst_ip), if not the all-VRRP-routers group: keepalived keeps such instances apart, a VRID
 * space and a socket of their own. Instances with unicast peers share the standard group's.
 */
export function ownMulticastGroup(instance: {
  family: Family;
  unicastPeers: readonly unknown[];
  multicastGroup?: string;
}): string | undefined {
  const group = instance.unicastPeers.length > 0 ? undefined : instance.multicastGroup;
  return group === VRRP_MULTICAST[instance.family] ? undefined : group;
}
