// lvs_sync_daemon in global_defs, as keepalived 2.2.7 reads it:
//   lvs_sync_daemon INTERFACE [inst VRRP_INSTANCE] [id SYNC_ID] [maxlen N] [port N] [ttl N] [group ADDRESS]
// and its old form `lvs_sync_daemon INTERFACE VRRP_INSTANCE [SYNC_ID]`. With an instance the
// daemon follows it (master daemon while MASTER, backup otherwise) and the sync id defaults to its
// VRID; without one both daemons run, with sync id 0.
import { isMulticast, parseIp } from '../../inet/address.js';
import type { SourcePos } from '../diagnostics.js';
import type { Token } from '../lexer.js';
import type { Config, GlobalDefs, LvsSyncDaemon } from '../types.js';
import { ARGS, type BuildContext, custom, type KeywordSpec } from './table.js';
import { integer } from './values.js';

/** IP_VS_IFNAME_MAXLEN, the kernel's limit with its NUL. */
const IFNAME_MAX = 16;

type NumberOption = 'syncId' | 'maxlen' | 'port' | 'ttl';
const NUMBER_OPTIONS: Readonly<Record<string, { key: NumberOption; min: number; max: number }>> = {
  id: { key: 'syncId', min: 0, max: 255 },
  // The largest UDP payload an IPv4 datagram carries.
  maxlen: { key: 'maxlen', min: 1, max: 65535 - 20 - 8 },
  port: { key: 'port', min: 1, max: 65535 },
  ttl: { key: 'ttl', min: 1, max: 255 },
};

export const lvsSyncDaemonKeyword: KeywordSpec<GlobalDefs> = custom('lvs_sync_daemon', {
  args: ARGS.atLeastOne,
  repeatable: true,
  apply(global, stmt, ctx) {
    const [ifname, ...rest] = stmt.args;
    if (global.lvsSyncDaemon) {
      ctx.warning(
        stmt.keyword.pos,
        '`lvs_sync_daemon` is given already; keepalived 2.2.7 ignores this one, and so does vigil',
      );
      return;
    }
    if (Buffer.byteLength(ifname!.text) >= IFNAME_MAX) {
      ctx.error(
        ifname!.pos,
        `\`lvs_sync_daemon\` interface \`${ifname!.text}\` is longer than the kernel's ${IFNAME_MAX - 1} bytes`,
      );
      return;
    }
    const daemon: LvsSyncDaemon = { interface: ifname!.text, pos: stmt.keyword.pos };
    if (readOptions(daemon, rest, ctx)) global.lvsSyncDaemon = daemon;
  },
});

function readOptions(daemon: LvsSyncDaemon, args: Token[], ctx: BuildContext): boolean {
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const value = args[i + 1];
    const option = NUMBER_OPTIONS[word.text];
    if (word.text === 'inst' || word.text === 'group' || option) {
      if (!value) {
        ctx.error(word.pos, `\`lvs_sync_daemon\` \`${word.text}\` needs a value`);
        return false;
      }
      i++;
      if (word.text === 'inst') daemon.instance = value.text;
      else if (word.text === 'group') {
        const ip = parseIp(value.text);
        if (!ip || !isMulticast(ip)) {
          ctx.error(value.pos, `\`lvs_sync_daemon\` \`group\` must be a multicast address, got \`${value.text}\``);
          return false;
        }
        daemon.group = ip.address;
      } else {
        const n = integer(option!.min, option!.max)(value, ctx, `lvs_sync_daemon ${word.text}`);
        if (n === undefined) return false;
        daemon[option!.key] = n;
      }
    } else if (i === 0) {
      daemon.instance = word.text; // the old form: the instance straight after the interface
    } else if (i === 1 && /^\d+$/.test(word.text)) {
      ctx.warning(word.pos, 'a sync id straight after the instance is the old form of `lvs_sync_daemon`; write `id N`');
      const n = integer(0, 255)(word, ctx, 'lvs_sync_daemon id');
      if (n === undefined) return false;
      daemon.syncId = n;
    } else {
      ctx.error(
        word.pos,
        `\`lvs_sync_daemon\` has no option \`${word.text}\`; it takes inst, id, maxlen, port, ttl and group`,
      );
      return false;
    }
  }
  return true;
}

const before = (a: SourcePos, b: SourcePos) =>
  a.file === b.file && (a.line < b.line || (a.line === b.line && a.col < b.col));

/**
 * An instance's lvs_sync_daemon_interface (keepalived 1.x) is the sync daemon on that interface
 * following that instance, with sync id 0 (as keepalived 2.2.7 leaves it); the first written of
 * it and lvs_sync_daemon wins, and the others are ignored with a warning.
 */
function fromInstanceForm(config: Config, ctx: BuildContext): void {
  const instanceForms = config.instances.flatMap(({ name, lvsSyncDaemonInterface: written }) =>
    written ? [{ interface: written.name, instance: name, syncId: 0, pos: written.pos }] : [],
  );
  const global = config.global.lvsSyncDaemon;
  const all = [...(global ? [global] : []), ...instanceForms];
  const order = (a: LvsSyncDaemon, b: LvsSyncDaemon) => (before(a.pos, b.pos) ? -1 : before(b.pos, a.pos) ? 1 : 0);
  const [first, ...ignored] = all.sort(order);
  if (!first) return;
  config.global.lvsSyncDaemon = first;
  for (const { pos } of ignored)
    ctx.warning(
      pos,
      'the sync daemon is given already (`lvs_sync_daemon` or `lvs_sync_daemon_interface`); keepalived 2.2.7 ignores this one, and so does vigil',
    );
}

/**
 * Once the instances are read: an instance that is not defined clears the setting (keepalived
 * 2.2.7: "clearing lvs_syncd config"); the sync id defaults to the instance's VRID, or 0.
 */
export function resolveLvsSyncDaemon(config: Config, ctx: BuildContext): void {
  fromInstanceForm(config, ctx);
  const daemon = config.global.lvsSyncDaemon;
  if (!daemon) return;
  if (daemon.instance === undefined) {
    daemon.syncId ??= 0;
    return;
  }
  const instance = config.instances.find((i) => i.name === daemon.instance);
  if (!instance) {
    ctx.warning(
      daemon.pos,
      `\`lvs_sync_daemon\` follows vrrp_instance \`${daemon.instance}\`, which is not defined; keepalived 2.2.7 then runs no sync daemon, and neither does vigil`,
    );
    delete config.global.lvsSyncDaemon;
    return;
  }
  daemon.syncId ??= instance.vrid;
}
