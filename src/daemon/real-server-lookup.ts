// The real servers an operator names: `ADDR:PORT` (`[v6]:PORT`), in one virtual server as status
// names it or in every one holding it. `vigil check RS --now`, `vigil drain` and `vigil undrain`
// take the same names and, for one that is unknown, list the same choices.
import type { Config, RealServer, VirtualServer } from '../config/index.js';
import { parseIp } from '../inet/address.js';
import { realServerId } from '../ipvs/desired.js';
import { destinationKeyText } from '../ipvs/reconcile.js';
import { HttpError } from './control-server.js';
import { virtualServerName } from './status.js';

/** A real server in one virtual server. */
export interface Member {
  vs: VirtualServer;
  rs: RealServer;
}

export interface MemberQuery {
  realServer: string;
  virtualServer?: string;
}

/** Every real server of `config` in each virtual server holding it, by realServerId. */
export function membersOf(config: Config): Map<string, Member> {
  return new Map(
    config.virtualServers.flatMap((vs) =>
      vs.realServers.map((rs): [string, Member] => [realServerId(vs, rs), { vs, rs }]),
    ),
  );
}

/** Every member `query` names, at least one: none is a 404 listing those there are. */
export function findMembers(members: ReadonlyMap<string, Member>, query: MemberQuery): [string, Member][] {
  const wanted = canonicalEndpoint(query.realServer);
  const { virtualServer } = query;
  const found = [...members].filter(
    ([, { vs, rs }]) =>
      destinationKeyText(rs) === wanted &&
      (virtualServer === undefined || [virtualServer, `group ${virtualServer}`].includes(virtualServerName(vs))),
  );
  if (found.length > 0) return found;
  const known = [...members.values()].map(({ vs, rs }) => `${destinationKeyText(rs)} in ${virtualServerName(vs)}`);
  const what = virtualServer ? `${query.realServer} in ${virtualServer}` : query.realServer;
  throw new HttpError(
    404,
    'not_found',
    `no real server ${what}; configured: ${known.length > 0 ? known.join(', ') : 'none'}`,
  );
}

/** `ADDR:PORT` or `[v6]:PORT` with the address in canonical form, as destinationKeyText writes it. */
function canonicalEndpoint(text: string): string {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text.trim());
  const ip = match && parseIp(match[1]!);
  return ip ? destinationKeyText({ address: ip.address, port: Number(match[2]) }) : text;
}
