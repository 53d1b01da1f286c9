// A TCP address to listen on, as `ADDR:PORT` or `[IPv6]:PORT`: what vigild's --metrics-listen and
// global_defs vigil_metrics_listen take. A literal address only, so that binding never waits on DNS.
import { parseIp } from './address.js';

export interface ListenAddress {
  /** Canonical text of the address (IPv6 without brackets). */
  address: string;
  port: number;
}

/** The address, or why `text` is not one. */
export function parseListenAddress(text: string): ListenAddress | { error: string } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  const expected = 'ADDR:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9650';
  if (!match) return { error: `\`${text}\` is not ${expected}` };
  const [, bracketed, plain, portText] = match;
  const ip = parseIp(bracketed ?? plain ?? '');
  // An IPv6 address needs its brackets: without them its last group would read as the port.
  if (!ip || (ip.family === 6) !== (bracketed !== undefined)) {
    return { error: `\`${text}\`: \`${bracketed ?? plain}\` is not an IP address (${expected})` };
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) return { error: `\`${text}\`: the port must be 1-65535` };
  return { address: ip.address, port };
}
