import { maxPrefix } from '../../inet/address.js';
import type { SourcePos } from '../diagnostics.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import { closestMatch } from '../suggest.js';
import type {
  GlobalDefs,
  NotifyScripts,
  SyncGroup,
  TrackFile,
  TrackRef,
  Vip,
  VipScope,
  VrrpInstance,
  VrrpScript,
} from '../types.js';
import { vrrpVersion } from './global.js';
import { resolveMulticastGroup } from './multicast.js';
import { findNotImplemented, notImplementedMessage } from './not-implemented.js';
import { readRoute, readRule, routeBlock } from './routes.js';
import { resolveStrictMode } from './strict-mode.js';
import {
  ARGS,
  applyBlock,
  type BuildContext,
  custom,
  defineBlock,
  field,
  flag,
  type KeywordSpec,
  listLines,
  Sites,
  toggle,
} from './table.js';
import {
  decimal,
  integer,
  ipText,
  oneOf,
  readCommand,
  readIp,
  readIpWithPrefix,
  readNotifyCommand,
  readRunAs,
  readWeight,
  text,
} from './values.js';

// ---- shared pieces -------------------------------------------------------------------------

const NOTIFY_EVENTS = {
  notify_master: 'master',
  notify_backup: 'backup',
  notify_fault: 'fault',
  notify_stop: 'stop',
  notify: 'any',
} as const;

/** `notify_master`, `notify_backup`, ... for anything with a `notify` record. */
function notifyKeywords<T extends { notify: NotifyScripts }>(): KeywordSpec<T>[] {
  return Object.entries(NOTIFY_EVENTS).map(([name, event]) =>
    custom<T>(name, {
      // The command's words are counted as keepalived reads them, by readNotifyCommand.
      args: ARGS.atLeastOne,
      apply(target, stmt, ctx) {
        const command = readNotifyCommand(stmt, ctx);
        if (command) target.notify[event] = command;
      },
    }),
  );
}

/**
 * Options that follow the first word of a list line (`198.51.100.10/24 dev eth0 label eth0:1`).
 * `known` options take one value each; options keepalived has but vigil ignores are skipped
 * with their values and a warning. Returns false after reporting an error.
 */
function readLineOptions(
  line: Statement,
  block: string,
  known: ReadonlyMap<string, (value: Token) => boolean>,
  ctx: BuildContext,
  /** Options without a value. */
  flags: ReadonlyMap<string, () => void> = new Map(),
): boolean {
  const args = line.args;
  for (let i = 0; i < args.length; ) {
    const option = args[i]!;
    const flag = flags.get(option.text);
    if (flag) {
      flag();
      i += 1;
      continue;
    }
    const handler = known.get(option.text);
    if (handler) {
      const value = args[i + 1];
      if (!value) {
        ctx.error(option.pos, `\`${option.text}\` needs a value`);
        return false;
      }
      if (!handler(value)) return false;
      i += 2;
      continue;
    }
    const ignored = findNotImplemented(block, option.text);
    if (ignored?.values !== undefined) {
      ctx.warning(option.pos, notImplementedMessage(option.text));
      i += 1 + ignored.values;
      continue;
    }
    const suggestion = closestMatch(option.text, known.keys());
    ctx.error(
      option.pos,
      `unknown \`${block}\` option \`${option.text}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`,
    );
    return false;
  }
  return true;
}

/** `NAME [weight N [reverse|noreverse]]`, one line of a track_* block. */
function readTrackRef(
  line: Statement,
  ctx: BuildContext,
  range: readonly [number, number],
  reverseWords: readonly string[],
): TrackRef | undefined {
  const ref: TrackRef = { name: line.keyword.text, pos: line.keyword.pos };
  const [weightTok, ...rest] = line.args;
  if (!weightTok) return ref;
  if (weightTok.text !== 'weight') {
    ctx.error(weightTok.pos, `expected \`weight\` after \`${ref.name}\`, got \`${weightTok.text}\``);
    return undefined;
  }
  const weight = readWeight(weightTok, rest, ctx, range, reverseWords);
  if (!weight) return undefined;
  ref.weight = weight.weight;
  if (weight.reverse !== undefined) ref.reverse = weight.reverse;
  return ref;
}

const TRACK_BLOCKS = {
  track_interface: { key: 'trackInterfaces', range: [-253, 253], reverse: ['reverse', 'noreverse'] },
  track_script: { key: 'trackScripts', range: [-253, 253], reverse: ['reverse', 'noreverse'] },
  track_file: { key: 'trackFiles', range: [-254, 254], reverse: ['reverse', 'noreverse'] },
  track_process: { key: 'trackProcesses', range: [-254, 254], reverse: ['reverse', 'noreverse'] },
} as const;

// ---- vrrp_script / track_file --------------------------------------------------------------

export function newVrrpScript(name: string, pos: SourcePos): VrrpScript {
  return { name, pos, script: [], interval: 1, weight: 0, weightReverse: false, rise: 1, fall: 1, initFail: false };
}

/** `weight N [reverse]` on a vrrp_script or track file; keepalived allows each its own range. */
function weightKeyword<T extends { weight: number; weightReverse: boolean }>(range: [number, number]): KeywordSpec<T> {
  return custom('weight', {
    args: [1, 2],
    apply(target, stmt, ctx) {
      const weight = readWeight(stmt.keyword, stmt.args, ctx, range, ['reverse']);
      if (!weight) return;
      target.weight = weight.weight;
      target.weightReverse = weight.reverse ?? false;
    },
  });
}

export const vrrpScriptBlock = defineBlock<VrrpScript>('vrrp_script', [
  custom('script', {
    args: ARGS.atLeastOne,
    apply(script, stmt, ctx) {
      const command = readCommand(stmt.keyword, stmt.args, ctx);
      if (command) script.script = command;
    },
  }),
  field('interval', 'interval', decimal({ positive: true })),
  field('timeout', 'timeout', decimal({ positive: true })),
  weightKeyword([-253, 253]),
  field('rise', 'rise', integer(1)),
  field('fall', 'fall', integer(1)),
  custom('user', {
    args: [1, 2],
    apply(script, stmt) {
      script.user = readRunAs(stmt.args);
    },
  }),
  flag('init_fail', 'initFail'),
]);

export function newTrackFile(name: string, pos: SourcePos): TrackFile {
  return { name, pos, file: '', weight: 1, weightReverse: false };
}

export const trackFileBlock = defineBlock<TrackFile>('track_file', [
  field('file', 'file', text),
  weightKeyword([-254, 254]),
  custom('init_file', {
    args: [0, 2],
    apply(trackFile, stmt, ctx) {
      const overwrite = stmt.args.at(-1)?.text === 'overwrite';
      const valueTok = overwrite ? stmt.args.slice(0, -1)[0] : stmt.args[0];
      if (stmt.args.length === 2 && !overwrite) {
        ctx.error(
          stmt.args[1]!.pos,
          `\`init_file\` takes a value and then optionally \`overwrite\`, got \`${stmt.args[1]!.text}\``,
        );
        return;
      }
      const value = valueTok ? integer(-2_147_483_647)(valueTok, ctx, 'init_file') : 0;
      if (value !== undefined) trackFile.initFile = { value, overwrite };
    },
  }),
]);

// ---- vrrp_sync_group -----------------------------------------------------------------------

export function newSyncGroup(name: string, pos: SourcePos): SyncGroup {
  return {
    name,
    pos,
    members: [],
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    trackingWeight: false,
    notify: {},
  };
}

export const syncGroupBlock = defineBlock<SyncGroup>('vrrp_sync_group', [
  custom('group', {
    args: ARGS.none,
    block: true,
    apply(group, stmt, ctx) {
      // Members may be one per line or several on a line (`group { VI_1 VI_2 }`).
      group.members = listLines(stmt, ctx).flatMap((line) => [line.keyword, ...line.args].map((tok) => tok.text));
    },
  }),
  trackBlock<SyncGroup>('track_interface'),
  trackBlock<SyncGroup>('track_script'),
  trackBlock<SyncGroup>('track_file'),
  trackBlock<SyncGroup>('track_process'),
  flag('sync_group_tracking_weight', 'trackingWeight'),
  custom('global_tracking', {
    args: ARGS.none,
    apply(group, stmt, ctx) {
      ctx.warning(
        stmt.keyword.pos,
        '`global_tracking` is deprecated in keepalived; it means `sync_group_tracking_weight`, and tracking goes on the sync group itself',
      );
      group.trackingWeight = true;
    },
  }),
  ...notifyKeywords<SyncGroup>(),
  toggle('smtp_alert', 'smtpAlert'),
  toggle('notify_priority_changes', 'notifyPriorityChanges'),
]);

/**
 * keepalived's old form, an instance named straight in the block (`vrrp_sync_group VG { VI_1 }`,
 * as in its lvs_syncd sample): 2.2.7 logs "Unknown keyword" and ignores the line. A word that
 * looks like a mistyped keyword, or one that belongs elsewhere, is reported as usual instead.
 */
function namesMemberDirectly(line: Statement, ctx: BuildContext): boolean {
  const word = line.keyword.text;
  if (line.block || syncGroupBlock.lookup.has(word) || ctx.homesOf(word).length > 0) return false;
  return closestMatch(word, syncGroupBlock.lookup.keys()) === undefined;
}

export function readSyncGroup(group: SyncGroup, stmt: Statement, ctx: BuildContext): void {
  const statements = stmt.block!.filter((line) => {
    if (!namesMemberDirectly(line, ctx)) return true;
    const listed = [line.keyword, ...line.args].map((tok) => tok.text).join(' ');
    ctx.warning(
      line.keyword.pos,
      `keepalived 2.2.7 ignores \`${line.keyword.text}\` here ("Unknown keyword"): instances named straight in a \`vrrp_sync_group\` are not members; list them in \`group { ${listed} }\``,
    );
    return false;
  });
  applyBlock(syncGroupBlock, statements, group, ctx);
}

/** keepalived 2.2.7 removes a sync group with no members ("has no virtual router(s)"); so does vigil. */
export function dropEmptySyncGroups(groups: SyncGroup[], ctx: BuildContext): void {
  for (const group of groups.filter((g) => g.members.length === 0)) {
    const name = ctx.sites.get(group, Sites.DEFINITION)?.args[0]?.pos ?? group.pos;
    ctx.warning(
      name,
      `vrrp_sync_group \`${group.name}\` has no members, so keepalived 2.2.7 removes it and so does vigil; list its instances in \`group { INSTANCE ... }\``,
    );
    groups.splice(groups.indexOf(group), 1);
  }
}

// ---- vrrp_instance -------------------------------------------------------------------------

export function newInstance(name: string, pos: SourcePos): VrrpInstance {
  return {
    name,
    pos,
    initialState: 'BACKUP',
    interface: '',
    vrid: 0,
    priority: 100,
    version: 2,
    advertInt: 1,
    family: 4,
    nopreempt: false,
    preemptDelay: 0,
    unicastPeers: [],
    vips: [],
    excludedVips: [],
    virtualRoutes: [],
    virtualRules: [],
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    notify: {},
    garpMasterDelay: 5,
    garpMasterRepeat: 5,
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    skipCheckAdvAddr: false,
    higherPrioSendAdvert: false,
    garpLowerPrioDelay: 5,
    garpLowerPrioRepeat: 5,
    lowerPrioNoAdvert: false,
    downTimerAdverts: 3,
    checkUnicastSrc: false,
    dontTrackPrimary: false,
    strict: false,
    accept: true,
  };
}

const VIP_SCOPES: readonly VipScope[] = ['global', 'site', 'link', 'host', 'nowhere'];

/**
 * keepalived 2.2.7 drops the scope and label of an IPv6 VIP ("Cannot specify scope for IPv6
 * addresses - ignoring scope"): the kernel sets an IPv6 address's scope from the address
 * itself (fe80::/10 link, others global) and keeps no labels for IPv6.
 */
function ignoredForIpv6(option: 'scope' | 'label', tok: Token, ctx: BuildContext): void {
  const kernel =
    option === 'scope' ? ', as the kernel gives an IPv6 address the scope of its kind (link for fe80::/10)' : '';
  ctx.warning(
    tok.pos,
    `\`${option} ${tok.text}\` is ignored for an IPv6 address, as keepalived 2.2.7 ignores it${kernel}`,
  );
}

/** One `virtual_ipaddress` line: `ADDRESS[/PREFIX] [brd X] [dev X] [scope X] [label X] ...`. */
export function readVip(line: Statement, block: string, ctx: BuildContext): Vip | undefined {
  const parsed = readIpWithPrefix(line.keyword, ctx, block);
  if (!parsed) return undefined;
  const { ip, prefix } = parsed;
  const vip: Vip = {
    address: ip.address,
    prefix: prefix ?? maxPrefix(ip.family),
    family: ip.family,
    pos: line.keyword.pos,
  };
  const brd = (tok: Token): string | undefined =>
    tok.text === '+' || tok.text === '-' ? tok.text : readIp(tok, ctx, 'brd')?.address;
  let preferredSet = false;
  const options = new Map<string, (tok: Token) => boolean>([
    [
      'dev',
      (tok) => {
        vip.dev = tok.text;
        return true;
      },
    ],
    [
      'label',
      (tok) => {
        if (ip.family === 6) ignoredForIpv6('label', tok, ctx);
        else vip.label = tok.text;
        return true;
      },
    ],
    [
      'scope',
      (tok) => {
        const scope = oneOf(VIP_SCOPES)(tok, ctx, 'scope');
        // `scope global` is keepalived's 0, the value it sends anyway, so it says nothing of it.
        if (ip.family === 4) vip.scope = scope;
        else if (scope !== undefined && scope !== 'global') ignoredForIpv6('scope', tok, ctx);
        return scope !== undefined;
      },
    ],
    [
      'brd',
      (tok) => {
        vip.brd = brd(tok);
        return vip.brd !== undefined;
      },
    ],
    [
      'preferred_lft',
      (tok) => {
        const lifetime = preferredLifetime(tok, ctx);
        if (lifetime === undefined) return false;
        if (ip.family === 6 && lifetime !== 'forever') vip.preferredLifetime = lifetime;
        preferredSet = true;
        return true;
      },
    ],
  ]);
  // keepalived leaves a `no_track` VIP deleted when someone deletes it (see VipGuard).
  const flags = new Map([
    [
      'no_track',
      () => {
        vip.noTrack = true;
      },
    ],
  ]);
  const ok = readLineOptions(line, block, options, ctx, flags);
  // keepalived's default: a /128 is deprecated, so that the director does not send from it.
  if (ok && !preferredSet && ip.family === 6 && vip.prefix === 128) vip.preferredLifetime = 0;
  return ok ? vip : undefined;
}

/** `preferred_lft SECONDS|forever` (IPv6; keepalived ignores it for IPv4). */
function preferredLifetime(tok: Token, ctx: BuildContext): number | 'forever' | undefined {
  if (tok.text === 'forever') return 'forever';
  const seconds = /^\d+$/.test(tok.text) ? Number(tok.text) : Number.NaN;
  if (seconds >= 0 && seconds < 0xffffffff) return seconds;
  ctx.error(tok.pos, `\`preferred_lft\` takes seconds (0-4294967294) or \`forever\`, got \`${tok.text}\``);
  return undefined;
}

function vipBlock(
  name: 'virtual_ipaddress' | 'virtual_ipaddress_excluded',
  key: 'vips' | 'excludedVips',
): KeywordSpec<VrrpInstance> {
  return custom(name, {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(instance, stmt, ctx) {
      for (const line of listLines(stmt, ctx)) {
        const vip = readVip(line, name, ctx);
        if (vip) instance[key].push(vip);
      }
    },
  });
}

type TrackLists = Pick<VrrpInstance, (typeof TRACK_BLOCKS)[keyof typeof TRACK_BLOCKS]['key']>;

function trackBlock<T extends Partial<TrackLists>>(name: keyof typeof TRACK_BLOCKS): KeywordSpec<T> {
  const { key, range, reverse } = TRACK_BLOCKS[name];
  return custom(name, {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(instance, stmt, ctx) {
      for (const line of listLines(stmt, ctx)) {
        const ref = readTrackRef(line, ctx, range, reverse);
        if (ref) instance[key]?.push(ref);
      }
    },
  });
}

interface AuthDraft {
  type?: 'PASS' | 'AH';
  password?: string;
}

const authenticationBlock = defineBlock<AuthDraft>('authentication', [
  field('auth_type', 'type', oneOf(['PASS', 'AH'] as const)),
  field('auth_pass', 'password', text),
]);

/** keepalived only ever sends the first 8 bytes of a PASS password (RFC 2338's field size). */
const AUTH_PASS_MAX = 8;

function readAuthentication(instance: VrrpInstance, stmt: Statement, ctx: BuildContext): void {
  const draft: AuthDraft = {};
  applyBlock(authenticationBlock, stmt.block ?? [], draft, ctx);
  const typeStmt = ctx.sites.get(draft, 'auth_type');
  if (draft.type === undefined) {
    if (!typeStmt) ctx.error(stmt.keyword.pos, '`authentication` needs `auth_type PASS` or `auth_type AH`');
    return;
  }
  if (draft.password === undefined) {
    // AH keys its HMAC with the same 8-byte field.
    ctx.error(stmt.keyword.pos, `\`auth_type ${draft.type}\` needs an \`auth_pass\` of 1 to 8 bytes`);
    return;
  }
  let password = draft.password;
  const passTok = ctx.sites.get(draft, 'auth_pass')!.args[0]!;
  if (password.length === 0) {
    ctx.error(passTok.pos, '`auth_pass` must not be empty');
    return;
  }
  // The wire field is 8 bytes; keepalived keeps the first 8 bytes of what it is given.
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length > AUTH_PASS_MAX) {
    const kept = bytes.subarray(0, AUTH_PASS_MAX).toString('utf8');
    if (Buffer.byteLength(kept, 'utf8') !== AUTH_PASS_MAX) {
      ctx.error(
        passTok.pos,
        `\`auth_pass\` is longer than ${AUTH_PASS_MAX} bytes, and cutting it there (as keepalived does) would split a character; use at most ${AUTH_PASS_MAX} bytes`,
      );
      return;
    }
    password = kept;
    ctx.warning(
      passTok.pos,
      `\`auth_pass\` is longer than ${AUTH_PASS_MAX} bytes; keepalived uses only the first ${AUTH_PASS_MAX} (\`${password}\`), and so does vigil`,
    );
  }
  instance.auth = { type: draft.type, password };
}

/** What the kernel takes as an interface name (dev_valid_name). */
const validInterfaceName = (name: string) =>
  Buffer.byteLength(name) <= 15 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);

/** `use_vmac [NAME] [MAC]`: a word with a colon is a MAC, as interface names cannot hold one. */
function readUseVmac(instance: VrrpInstance, stmt: Statement, ctx: BuildContext): void {
  instance.vmac = {};
  for (const arg of stmt.args) {
    if (arg.text.includes(':')) {
      ctx.warning(
        arg.pos,
        'a MAC address for `use_vmac` is not implemented by vigil yet; the RFC 5798 virtual MAC is used',
      );
    } else if (!validInterfaceName(arg.text)) {
      ctx.error(
        arg.pos,
        `\`use_vmac\` name ${JSON.stringify(arg.text)} is not a valid interface name (1-15 bytes, no '/', ':' or spaces)`,
      );
    } else {
      instance.vmac.name = arg.text;
    }
  }
}

export const instanceBlock = defineBlock<VrrpInstance>('vrrp_instance', [
  toggle('smtp_alert', 'smtpAlert'),
  toggle('notify_priority_changes', 'notifyPriorityChanges'),
  field('state', 'initialState', oneOf(['MASTER', 'BACKUP'] as const)),
  field('interface', 'interface', text),
  field('virtual_router_id', 'vrid', integer(1, 255)),
  field('priority', 'priority', integer(1, 255)),
  // The version decides the valid range, so it is checked once the version is known.
  field('advert_int', 'advertInt', decimal({ positive: true })),
  field('version', 'version', vrrpVersion),
  flag('nopreempt', 'nopreempt'),
  custom('preempt', {
    args: ARGS.none,
    apply(instance) {
      instance.nopreempt = false;
    },
  }),
  field('preempt_delay', 'preemptDelay', decimal({ max: 1000 })),
  field('unicast_src_ip', 'unicastSrcIp', ipText, ['mcast_src_ip']),
  field('mcast_dst_ip', 'multicastGroup', ipText),
  field('unicast_ttl', 'unicastTtl', integer(1, 255)),
  custom('unicast_peer', {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(instance, stmt, ctx) {
      for (const line of listLines(stmt, ctx)) {
        const ip = readIp(line.keyword, ctx, 'unicast_peer');
        const peer: VrrpInstance['unicastPeers'][number] = { address: ip?.address ?? '', pos: line.keyword.pos };
        const ttl = (key: 'minTtl' | 'maxTtl') => (tok: Token) => {
          const value = integer(0, 255)(tok, ctx, key === 'minTtl' ? 'min_ttl' : 'max_ttl');
          if (value !== undefined) peer[key] = value;
          return value !== undefined;
        };
        const options = new Map([
          ['min_ttl', ttl('minTtl')],
          ['max_ttl', ttl('maxTtl')],
        ]);
        if (!ip || !readLineOptions(line, 'unicast_peer', options, ctx)) continue;
        if ((peer.minTtl ?? 0) > (peer.maxTtl ?? 255))
          ctx.warning(
            line.keyword.pos,
            `\`unicast_peer\` ${ip.address}: min_ttl ${peer.minTtl} is above max_ttl ${peer.maxTtl ?? 255}, so every advert from it is dropped`,
          );
        instance.unicastPeers.push(peer);
      }
    },
  }),
  custom('authentication', { args: ARGS.none, block: true, apply: readAuthentication }),
  vipBlock('virtual_ipaddress', 'vips'),
  vipBlock('virtual_ipaddress_excluded', 'excludedVips'),
  routeBlock<VrrpInstance, 'virtualRoutes'>('virtual_routes', 'virtualRoutes', readRoute, false),
  routeBlock<VrrpInstance, 'virtualRules'>('virtual_rules', 'virtualRules', readRule, false),
  trackBlock('track_interface'),
  trackBlock('track_script'),
  trackBlock('track_file'),
  trackBlock('track_process'),
  ...notifyKeywords<VrrpInstance>(),
  field('garp_master_delay', 'garpMasterDelay', integer(0)),
  field('garp_master_repeat', 'garpMasterRepeat', integer(0)),
  field('garp_master_refresh', 'garpMasterRefresh', integer(0)),
  field('garp_master_refresh_repeat', 'garpMasterRefreshRepeat', integer(1)),
  toggle('skip_check_adv_addr', 'skipCheckAdvAddr'),
  toggle('higher_prio_send_advert', 'higherPrioSendAdvert'),
  field('garp_lower_prio_delay', 'garpLowerPrioDelay', integer(0)),
  field('garp_lower_prio_repeat', 'garpLowerPrioRepeat', integer(0)),
  toggle('lower_prio_no_advert', 'lowerPrioNoAdvert'),
  field('down_timer_adverts', 'downTimerAdverts', integer(1, 100)),
  flag('check_unicast_src', 'checkUnicastSrc'),
  flag('dont_track_primary', 'dontTrackPrimary'),
  custom('use_vmac', { args: [0, 2], apply: readUseVmac }),
  custom('notify_master_rx_lower_pri', {
    args: ARGS.atLeastOne,
    apply(instance, stmt, ctx) {
      const command = readNotifyCommand(stmt, ctx);
      if (command) instance.notifyMasterRxLowerPri = command;
    },
  }),
  custom('promote_secondaries', {
    args: ARGS.none,
    apply(instance) {
      instance.promoteSecondaries = true;
    },
  }),
  custom('lvs_sync_daemon_interface', {
    args: ARGS.one,
    apply(instance, stmt, ctx) {
      ctx.warning(
        stmt.keyword.pos,
        '`lvs_sync_daemon_interface` in an instance is deprecated in keepalived; write `lvs_sync_daemon INTERFACE inst INSTANCE` in global_defs',
      );
      instance.lvsSyncDaemonInterface = { name: stmt.args[0]!.text, pos: stmt.keyword.pos };
    },
  }),
  custom('vmac_xmit_base', {
    args: ARGS.none,
    apply(instance) {
      instance.vmacXmitBase = true;
    },
  }),
  // Deprecated in keepalived: forces IPv6. Only noted; the family is worked out at the end.
  custom('native_ipv6', { args: ARGS.none, apply() {} }),
  // Both are read as one setting: the later of the two wins, and unset it is resolved (strict-mode.ts).
  custom('accept', {
    args: ARGS.none,
    apply(instance) {
      instance.accept = true;
    },
  }),
  custom('no_accept', {
    args: ARGS.none,
    apply(instance) {
      instance.accept = false;
    },
  }),
  toggle('strict_mode', 'strict'),
]);

// ---- resolution once the whole file is read ------------------------------------------------

/** Instance keywords that default to the global_defs value of the same field. */
const NUMBERS_FROM_GLOBAL = {
  garp_master_delay: 'garpMasterDelay',
  garp_master_repeat: 'garpMasterRepeat',
  garp_master_refresh: 'garpMasterRefresh',
  garp_master_refresh_repeat: 'garpMasterRefreshRepeat',
  garp_lower_prio_delay: 'garpLowerPrioDelay',
  garp_lower_prio_repeat: 'garpLowerPrioRepeat',
  down_timer_adverts: 'downTimerAdverts',
} as const;
const FLAGS_FROM_GLOBAL = {
  skip_check_adv_addr: 'skipCheckAdvAddr',
  higher_prio_send_advert: 'higherPrioSendAdvert',
  lower_prio_no_advert: 'lowerPrioNoAdvert',
  check_unicast_src: 'checkUnicastSrc',
} as const;

/**
 * Fills in what depends on the rest of the file: the address family (from the first VIP),
 * the VRRP version and the values inherited from global_defs, which may come later in the file.
 */
export function resolveInstance(instance: VrrpInstance, global: GlobalDefs, ctx: BuildContext): void {
  const { sites } = ctx;
  const native = sites.get(instance, 'native_ipv6');
  const first = instance.vips[0];
  if (native && first?.family === 4) {
    ctx.error(native.keyword.pos, '`native_ipv6` forces IPv6, but the first `virtual_ipaddress` is an IPv4 address');
  }
  instance.family = first?.family ?? (native ? 6 : 4);

  // keepalived starts an address owner (priority 255) as MASTER unless `state` says otherwise.
  if (!sites.has(instance, 'state') && instance.priority === 255) instance.initialState = 'MASTER';

  // keepalived runs IPv6 instances as VRRPv3 unless a version is asked for explicitly.
  if (!sites.has(instance, 'version')) {
    instance.version = sites.has(global, 'vrrp_version') ? global.vrrpVersion : instance.family === 6 ? 3 : 2;
  }
  for (const [keyword, key] of Object.entries(NUMBERS_FROM_GLOBAL)) {
    if (!sites.has(instance, keyword)) instance[key] = global[key];
  }
  for (const [keyword, key] of Object.entries(FLAGS_FROM_GLOBAL)) {
    if (!sites.has(instance, keyword)) instance[key] = global[key];
  }
  const ttl = sites.get(instance, 'unicast_ttl');
  if (ttl && instance.unicastPeers.length === 0) {
    ctx.warning(ttl.keyword.pos, '`unicast_ttl` does not apply without unicast peers; ignored, as keepalived does');
    delete instance.unicastTtl;
  }
  // keepalived: a peer's TTL range is checked only with check_unicast_src, which it therefore sets.
  if (instance.unicastPeers.some((p) => p.minTtl !== undefined || p.maxTtl !== undefined))
    instance.checkUnicastSrc = true;

  resolveStrictMode(instance, global, ctx);
  resolveVmac(instance, ctx);
  resolveMulticastGroup(instance, global, ctx);

  const auth = sites.get(instance, 'authentication');
  if (auth && instance.auth && instance.version === 3) {
    ctx.warning(auth.keyword.pos, 'VRRPv3 has no authentication (RFC 5798); this `authentication` block is ignored');
    delete instance.auth;
  }
  // An AH instance must hear the master's sequence number before it may send; keepalived starts it as BACKUP.
  if (instance.auth?.type === 'AH' && instance.initialState === 'MASTER' && instance.priority !== 255) {
    ctx.warning(
      sites.get(instance, 'state')!.keyword.pos,
      '`state MASTER` does not go with `auth_type AH` (the AH sequence number must first be heard from the master); starting as BACKUP, as keepalived does',
    );
    instance.initialState = 'BACKUP';
  }
}

/** keepalived's corrections: vmac_xmit_base needs a vmac, and unicast adverts from a vmac need it. */
function resolveVmac(instance: VrrpInstance, ctx: BuildContext): void {
  const xmitBase = ctx.sites.get(instance, 'vmac_xmit_base');
  if (xmitBase && !instance.vmac) {
    ctx.warning(xmitBase.keyword.pos, '`vmac_xmit_base` is only valid with `use_vmac`; ignored');
    delete instance.vmacXmitBase;
  }
  const useVmac = ctx.sites.get(instance, 'use_vmac');
  if (useVmac && instance.unicastPeers.length > 0 && !instance.vmacXmitBase) {
    ctx.warning(useVmac.keyword.pos, 'unicast peers with `use_vmac` need `vmac_xmit_base`; set, as keepalived does');
    instance.vmacXmitBase = true;
  }
  if (instance.vmac) for (const vip of [...instance.vips, ...instance.excludedVips]) placeOnVmac(vip, instance);
  const promote = ctx.sites.get(instance, 'promote_secondaries');
  if (promote && instance.vmac) {
    ctx.warning(promote.keyword.pos, '`promote_secondaries` is set on vmacs anyway; ignored, as keepalived does');
    delete instance.promoteSecondaries;
  }
}

/**
 * keepalived's homes for VIPs with use_vmac: one of the instance's family on its interface (no
 * `dev`, or `dev` naming it) goes on the vmac, so no `dev`; one of the other family stays on the
 * interface itself, so `dev` names it.
 */
function placeOnVmac(vip: Vip, instance: VrrpInstance): void {
  if (vip.dev !== undefined && vip.dev !== instance.interface) return;
  if (vip.family === instance.family) delete vip.dev;
  else vip.dev = instance.interface;
}
