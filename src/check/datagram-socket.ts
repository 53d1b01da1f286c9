// What the checkers' native sockets share (UDP_CHECK, DNS_CHECK, PING_CHECK, and the TCP
// checkers when routed): the connection options keepalived applies before the first packet,
// and the errno words for ICMP errors.
import { type InetSocketAddress, nativeConstants, type RawSocket } from '../net/native.js';

/** What the kernel's errno for an ICMP error or a failed send means to an operator. */
export const ICMP_REASONS: Record<string, string> = {
  ECONNREFUSED: 'ICMP port unreachable',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EACCES: 'administratively prohibited',
  EPERM: 'not permitted (a firewall rule on this host?)',
  ENODEV: 'no such interface',
};

export type RoutingOption = 'SO_BINDTODEVICE' | 'SO_MARK';

/** What setting a routing option does, in the words of a "cannot …" reason. */
export function routingStep(option: RoutingOption, target: { bindIf?: string; fwmark?: number }): string {
  return option === 'SO_BINDTODEVICE' ? `bind to interface ${target.bindIf}` : `set fwmark ${target.fwmark}`;
}

/** bind_if and fwmark: both must be set before the first packet leaves. */
export function applyRouting(
  socket: RawSocket<InetSocketAddress>,
  target: { bindIf?: string; fwmark?: number },
  stepping: (step: string) => void,
): void {
  const c = nativeConstants();
  if (target.bindIf !== undefined) {
    stepping(routingStep('SO_BINDTODEVICE', target));
    socket.setOption(c.SOL_SOCKET, c.SO_BINDTODEVICE, Buffer.from(`${target.bindIf}\0`));
  }
  if (target.fwmark !== undefined) {
    stepping(routingStep('SO_MARK', target));
    socket.setOption(c.SOL_SOCKET, c.SO_MARK, target.fwmark);
  }
}
