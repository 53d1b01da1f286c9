// What keepalived makes of a virtual_server. keepalived checks every virtual server once the
// whole configuration is read (validate_check_config) and corrects what it cannot program as
// written, logging each correction. vigil makes the same corrections, so it programs the same IPVS
// table, and reports each one as a warning at the words it overrides, saying how to write what
// is meant.
import { formatPos, type SourcePos } from './diagnostics.js';
import { DEFAULT_PERSISTENCE_TIMEOUT } from './keywords/lvs.js';
import { type BuildContext, Sites } from './keywords/table.js';
import type { Statement } from './parser.js';
import type { RealServer, VirtualServer, VirtualServerGroup } from './types.js';

/** How a virtual server reaches IPVS: as address services, fwmark services, or (a group) both. */
interface Services {
  /** An address key, or a group with address entries: keepalived's "specified by address". */
  byAddress: boolean;
  /** A fwmark key, or a group whose entries are all fwmarks. */
  onlyFwmark: boolean;
  /** A fwmark key, or a group with any fwmark entry. */
  anyFwmark: boolean;
  group?: VirtualServerGroup;
}

function servicesOf(vs: VirtualServer, groups: readonly VirtualServerGroup[]): Services {
  const { key } = vs;
  if (key.kind !== 'group')
    return { byAddress: key.kind === 'ip', onlyFwmark: key.kind === 'fwmark', anyFwmark: key.kind === 'fwmark' };
  // An undefined group is reported by validation; it stands for no services.
  const group = groups.find((g) => g.name === key.name);
  const entries = group?.entries ?? [];
  const byAddress = entries.some((e) => e.kind !== 'fwmark');
  return {
    byAddress,
    onlyFwmark: !byAddress && entries.length > 0,
    anyFwmark: entries.some((e) => e.kind === 'fwmark'),
    group,
  };
}

/** The virtual_server line as written: `198.51.100.80 80`, `fwmark 7`, `group WEB`. */
function virtualServerText(vs: VirtualServer, ctx: BuildContext): string {
  return ctx.sites
    .get(vs, Sites.DEFINITION)!
    .args.map((a) => a.text)
    .join(' ');
}

/** Position of the port word of `stmt` (`real_server ADDR PORT`), else of its address. */
function portPos(stmt: Statement): SourcePos {
  return (stmt.args[1] ?? stmt.args[0] ?? stmt.keyword).pos;
}

/**
 * Makes keepalived's corrections to every virtual server, once the whole configuration is read
 * (groups may come later in the file). Virtual servers without real servers are dropped.
 */
export function correctVirtualServers(
  config: { virtualServers: VirtualServer[]; virtualServerGroups: VirtualServerGroup[] },
  ctx: BuildContext,
): void {
  config.virtualServers = config.virtualServers.filter((vs) => hasRealServers(vs, ctx));
  for (const vs of config.virtualServers) correctVirtualServer(vs, servicesOf(vs, config.virtualServerGroups), ctx);
}

function correctVirtualServer(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  correctProtocol(vs, services, ctx);
  correctOnePacket(vs, services, ctx);
  correctHaSuspend(vs, services, ctx);
  persistPortless(vs, services, ctx);
  correctPorts(vs, services, ctx);
  removeDuplicateRealServers(vs, ctx);
  capQuorum(vs, ctx);
}

/** keepalived ignores a virtual server without real servers, whatever else it has. */
function hasRealServers(vs: VirtualServer, ctx: BuildContext): boolean {
  if (vs.realServers.length > 0) return true;
  // real_server lines that were all invalid have been reported already.
  if (!ctx.sites.has(vs, 'real_server')) {
    const sorry = vs.sorryServer ? ' (its sorry_server too)' : '';
    ctx.warning(
      vs.pos,
      `virtual_server \`${virtualServerText(vs, ctx)}\` has no \`real_server\`: keepalived ignores the whole virtual server${sorry}, and so does vigil; add the real servers, or delete the block`,
    );
  }
  return false;
}

/** Address services need a protocol (keepalived: UDP when unset); fwmark services have none. */
function correctProtocol(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const stmt = ctx.sites.get(vs, 'protocol');
  if (services.byAddress && !stmt) {
    ctx.warning(
      vs.pos,
      'no `protocol` in this virtual_server: keepalived programs it as UDP, and so does vigil; add `protocol TCP` if TCP is meant',
    );
  } else if (services.onlyFwmark && stmt) {
    const what = services.group
      ? `virtual_server_group \`${services.group.name}\` has only fwmark entries, and a fwmark service`
      : 'a fwmark virtual_server';
    ctx.warning(
      stmt.keyword.pos,
      `\`protocol\` is ignored: ${what} takes packets by their firewall mark, whatever their protocol; keepalived ignores it, and so does vigil; remove it, and match the protocol where the mark is set`,
    );
  }
}

/** ha_suspend follows a VIP, and a firewall mark has none: keepalived turns it off for fwmarks. */
function correctHaSuspend(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const stmt = ctx.sites.get(vs, 'ha_suspend');
  if (!stmt || !services.anyFwmark) return;
  vs.haSuspend = false;
  ctx.warning(
    stmt.keyword.pos,
    '`ha_suspend` cannot follow a fwmark service: a mark has no address for VRRP to hold; keepalived turns it off, and so does vigil, so the service is programmed whatever the VRRP state; remove `ha_suspend`',
  );
}

/** One-packet scheduling is for UDP; keepalived turns it off on other address services. */
function correctOnePacket(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const ops = ctx.sites.get(vs, 'ops');
  if (!ops || !services.byAddress || vs.protocol === 'UDP') return;
  vs.onePacket = false;
  ctx.warning(
    ops.keyword.pos,
    `\`ops\` (one-packet scheduling) needs UDP, but this virtual_server is ${vs.protocol}: keepalived turns it off, and so does vigil; remove \`ops\`, or set \`protocol UDP\` if UDP is meant`,
  );
}

/**
 * An address service without a port (written as none or 0) takes every port, which IPVS allows
 * only for a persistent service: keepalived makes it persistent for its default 360 seconds.
 */
function persistPortless(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  if (vs.persistenceTimeout !== undefined) return;
  const fix = `keepalived makes it persistent with \`persistence_timeout ${DEFAULT_PERSISTENCE_TIMEOUT}\`, and so does vigil`;
  const portless = services.group?.entries.find((e) => e.kind !== 'fwmark' && e.port === 0);
  if (vs.key.kind === 'ip' && vs.key.port === 0) {
    ctx.warning(
      portPos(ctx.sites.get(vs, Sites.DEFINITION)!),
      `a virtual_server without a port is only valid when persistent: ${fix}; add the port, or set \`persistence_timeout\` to choose the timeout`,
    );
  } else if (portless) {
    ctx.warning(
      portless.pos,
      `this virtual_server_group entry has no port, which is only valid for a persistent service, and \`virtual_server group ${services.group!.name}\` at ${formatPos(vs.pos)} is not persistent: ${fix}; add the port here, or set \`persistence_timeout\` in that virtual_server to choose the timeout`,
    );
  } else {
    return;
  }
  vs.persistenceTimeout = DEFAULT_PERSISTENCE_TIMEOUT;
}

/** A real or sorry server whose port keepalived may correct, with the line that wrote it. */
interface PortedServer {
  server: { port: number };
  what: 'real_server' | 'sorry_server';
  stmt: Statement;
}

/**
 * Real and sorry server ports as keepalived programs them. NAT translates to any port: an
 * omitted real server port is the virtual server's. DR and TUN deliver packets to the port they
 * were sent to, so keepalived sets the virtual server's port (none for a fwmark), correcting a
 * different one; for a group it only warns, and sends each entry its own port (see desiredTable).
 */
function correctPorts(vs: VirtualServer, services: Services, ctx: BuildContext): void {
  const servers: PortedServer[] = vs.realServers.map((rs) => ({
    server: rs,
    what: 'real_server',
    stmt: ctx.sites.get(rs, Sites.DEFINITION)!,
  }));
  if (vs.sorryServer)
    servers.push({ server: vs.sorryServer, what: 'sorry_server', stmt: ctx.sites.get(vs, 'sorry_server')! });
  for (const server of servers) {
    const { key } = vs;
    if (key.kind === 'ip') correctAddressPort(vs, key.port, server, ctx);
    else if (vs.lbKind === 'NAT' || server.server.port === 0) continue;
    else if (key.kind === 'fwmark') clearFwmarkPort(vs, server, ctx);
    else warnGroupPortMismatch(vs, services, server, ctx);
  }
}

const USE_NAT = 'or use `lvs_method NAT` to translate ports';

/** Why a DR or TUN server's port must be the one packets were sent to. */
const portReason = (vs: VirtualServer, what: string): string =>
  `with \`lvs_method ${vs.lbKind}\` packets reach the ${what} on the port they were sent to`;

function correctAddressPort(
  vs: VirtualServer,
  vsPort: number,
  { server, what, stmt }: PortedServer,
  ctx: BuildContext,
): void {
  const nat = vs.lbKind === 'NAT';
  // keepalived leaves a NAT sorry server without a port at 0: IPVS then uses the service's.
  if (server.port === 0 && (!nat || what === 'real_server')) server.port = vsPort;
  else if (!nat && server.port !== vsPort) {
    ctx.warning(
      portPos(stmt),
      `\`${what}\` port ${server.port} differs from the virtual_server's port ${vsPort}: ${portReason(vs, what)}, so keepalived sets it to ${vsPort}, and so does vigil; write port ${vsPort} or no port, ${USE_NAT}`,
    );
    server.port = vsPort;
  }
}

function clearFwmarkPort(vs: VirtualServer, { server, what, stmt }: PortedServer, ctx: BuildContext): void {
  ctx.warning(
    portPos(stmt),
    `a fwmark virtual_server has no port for a \`${what}\` to match: ${portReason(vs, what)}, so keepalived clears port ${server.port}, and so does vigil; write no port, ${USE_NAT}`,
  );
  server.port = 0;
}

function warnGroupPortMismatch(
  vs: VirtualServer,
  services: Services,
  { server, what, stmt }: PortedServer,
  ctx: BuildContext,
): void {
  const entry = services.group?.entries.find((e) => e.kind === 'fwmark' || e.port !== server.port);
  if (!entry) return;
  const entryText =
    entry.kind === 'fwmark'
      ? `fwmark ${entry.mark}, which has no port`
      : `port ${entry.port} at ${formatPos(entry.pos)}`;
  const programmed = entry.kind === 'fwmark' ? 'no port' : `port ${entry.port}`;
  const checks = what === 'real_server' ? ' (its checks connect to it)' : '';
  ctx.warning(
    portPos(stmt),
    `\`${what}\` port ${server.port} does not match virtual_server_group \`${services.group!.name}\` (${entryText}): ${portReason(vs, what)}, so keepalived keeps port ${server.port}${checks} but programs ${programmed} for that entry, and so does vigil; make the ports match, ${USE_NAT}`,
  );
}

/** keepalived removes a real server listed twice (same address and port), keeping the first. */
function removeDuplicateRealServers(vs: VirtualServer, ctx: BuildContext): void {
  const seen = new Map<string, RealServer>();
  vs.realServers = vs.realServers.filter((rs) => {
    const id = `${rs.address}|${rs.port}`;
    const first = seen.get(id);
    if (!first) {
      seen.set(id, rs);
      return true;
    }
    ctx.warning(
      ctx.sites.get(rs, Sites.DEFINITION)!.args[0]!.pos,
      `real_server \`${rs.address} ${rs.port}\` is already listed at ${formatPos(first.pos)} in this virtual_server: keepalived removes this second one, and so does vigil; delete it, or merge its settings into the first`,
    );
    return false;
  });
}

/**
 * A quorum above the total weight of the real servers could never be reached: keepalived lowers
 * it to that total, then keeps hysteresis below the quorum.
 */
function capQuorum(vs: VirtualServer, ctx: BuildContext): void {
  const total = vs.realServers.reduce((sum, rs) => sum + rs.weight, 0);
  if (vs.quorum > total) {
    const stmt = ctx.sites.get(vs, 'quorum');
    const what = stmt ? `\`quorum ${vs.quorum}\`` : `the default \`quorum\` of ${vs.quorum}`;
    ctx.warning(
      stmt?.args[0]?.pos ?? vs.pos,
      `${what} exceeds the total weight of the real servers, ${total}, so it could never be reached: keepalived lowers it to ${total}, and so does vigil; set \`quorum\` to at most ${total}, or raise the weights`,
    );
    vs.quorum = total;
  }
  const highest = Math.max(0, vs.quorum - 1);
  if (vs.hysteresis >= vs.quorum && vs.hysteresis !== highest) {
    const stmt = ctx.sites.get(vs, 'hysteresis');
    ctx.warning(
      stmt?.args[0]?.pos ?? vs.pos,
      `\`hysteresis ${vs.hysteresis}\` is not below the quorum, ${vs.quorum}: keepalived sets it to ${highest}, and so does vigil; set \`hysteresis\` below the quorum`,
    );
    vs.hysteresis = highest;
  }
}
