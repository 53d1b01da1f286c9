import { VRRP_MULTICAST } from '../../inet/vrrp-wire.js';
import { INCLUDE_CHECK_TYPES } from '../include.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import type { GlobalDefs, LvsTimeouts, NotifyFifo, NotifyFifoKind } from '../types.js';
import { ignoredKeywords } from './ignored.js';
import { DEFAULT_LIFECYCLE_SCRIPT_TIMEOUT_S, lifecycleScriptKeywords } from './lifecycle-scripts.js';
import { lvsSyncDaemonKeyword } from './lvs-sync-daemon.js';
import { metricsListenKeyword } from './metrics.js';
import { globalMulticastGroup } from './multicast.js';
import {
  ARGS,
  type BuildContext,
  custom,
  defineBlock,
  field,
  flag,
  type KeywordSpec,
  listLines,
  type Sites,
  toggle,
  type ValueParser,
} from './table.js';
import { decimal, integer, oneOf, port, readCommandAndUser, readRunAs, text } from './values.js';

export const vrrpVersion: ValueParser<2 | 3> = (tok, ctx, keyword) => {
  const version = oneOf(['2', '3'])(tok, ctx, keyword);
  return version === undefined ? undefined : version === '2' ? 2 : 3;
};

/** A nice value, -20 (runs first) to 19 (runs last), as keepalived's vrrp_priority and checker_priority take it. */
const nice = integer(-20, 19);

/** keepalived's defaults. */
export function defaultGlobalDefs(): GlobalDefs {
  return {
    vrrpVersion: 2,
    vrrpMcastGroup4: VRRP_MULTICAST[4],
    vrrpMcastGroup6: VRRP_MULTICAST[6],
    garpMasterDelay: 5,
    garpMasterRepeat: 5,
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    garpInterval: 0,
    gnaInterval: 0,
    // Resolved from the master ones unless written (resolveGlobalDefs).
    garpLowerPrioDelay: 5,
    garpLowerPrioRepeat: 5,
    lowerPrioNoAdvert: false,
    downTimerAdverts: 3,
    checkUnicastSrc: false,
    minGarp: false,
    vrrpStartupDelay: 0,
    logUnknownVrids: false,
    enableScriptSecurity: false,
    skipCheckAdvAddr: false,
    // Not keepalived's default (off): a master that steps down for a higher priority says so with
    // one advert, and the new master, hearing a lower priority, announces the VIPs again. Without
    // it, a partition's heal can leave clients on the old master's MAC for seconds (docs).
    higherPrioSendAdvert: true,
    notifyFifos: {},
    mail: { connectTimeout: 30, to: [], noFaults: false },
    notifyPriorityChanges: false,
    fifoWriteStatesOnReload: false,
    startupScriptTimeout: DEFAULT_LIFECYCLE_SCRIPT_TIMEOUT_S,
    shutdownScriptTimeout: DEFAULT_LIFECYCLE_SCRIPT_TIMEOUT_S,
    vrrpStrict: false,
    nftables: { named: false, table: DEFAULT_NFTABLES_TABLE, priority: -1, counters: false, ifindex: false },
  };
}

/** keepalived's table name when `nftables` gives none, or a firewall is needed without it. */
export const DEFAULT_NFTABLES_TABLE = 'keepalived';
/** An identifier in nft's syntax: anything else would be read as more than a name. */
const NFT_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_./-]*$/;
/** NFT_TABLE_MAXNAMELEN, with its terminating NUL. */
const NFT_TABLE_NAME_MAX = 255;

/** The global_defs whose `nftables` has been read: keepalived keeps the first one. */
const nftablesRead = new WeakSet<GlobalDefs>();

/** `nftables [TABLE]`: as in keepalived, the first one counts and a later one is ignored. */
const nftablesKeyword = custom<GlobalDefs>('nftables', {
  args: ARGS.optional,
  repeatable: true,
  apply(global, stmt, ctx) {
    if (nftablesRead.has(global)) {
      ctx.warning(stmt.keyword.pos, '`nftables` is already set; keepalived ignores this one, and so does vigil');
      return;
    }
    const name = stmt.args[0];
    if (name && Buffer.byteLength(name.text) >= NFT_TABLE_NAME_MAX) {
      ctx.warning(name.pos, `the nftables table name is too long (at most ${NFT_TABLE_NAME_MAX - 1} bytes); ignored`);
      return;
    }
    if (name && !NFT_IDENTIFIER.test(name.text)) {
      ctx.error(
        name.pos,
        `vigil gives the table name to \`nft\`, which reads only a letter then letters, digits and \`_ . / -\`; \`${name.text}\` is not one`,
      );
      return;
    }
    nftablesRead.add(global);
    global.nftables.named = true;
    global.nftables.table = name?.text ?? DEFAULT_NFTABLES_TABLE;
  },
});

const FIFO_PREFIX: Record<NotifyFifoKind, string> = { all: '', vrrp: 'vrrp_', lvs: 'lvs_' };

/**
 * `[vrrp_|lvs_]notify_fifo PATH [user [group]]` and `..._script COMMAND [user [group]]`, each
 * read by `set` once: as in keepalived, the first of each wins and a second one is ignored.
 */
function fifoKeyword(
  kind: NotifyFifoKind,
  suffix: '' | '_script',
  set: (fifo: NotifyFifo, args: readonly Token[], stmt: Statement, ctx: BuildContext) => void,
): KeywordSpec<GlobalDefs> {
  const field = suffix === '' ? 'path' : 'script';
  return custom(`${FIFO_PREFIX[kind]}notify_fifo${suffix}`, {
    // A script's words are counted as keepalived reads them, by readCommandAndUser.
    args: suffix === '' ? [1, 3] : ARGS.atLeastOne,
    repeatable: true,
    apply(global, stmt, ctx) {
      const fifo = global.notifyFifos[kind] ?? { pos: stmt.keyword.pos };
      global.notifyFifos[kind] = fifo;
      if (fifo[field] === undefined) return set(fifo, stmt.args, stmt, ctx);
      ctx.warning(
        stmt.keyword.pos,
        `\`${stmt.keyword.text}\` is already set; keepalived keeps the first one, so this one is ignored`,
      );
    },
  });
}

function notifyFifoKeywords(kind: NotifyFifoKind): KeywordSpec<GlobalDefs>[] {
  return [
    fifoKeyword(kind, '', (fifo, [pathTok, ...owner]) => {
      fifo.path = pathTok!.text;
      if (owner.length > 0) fifo.owner = readRunAs(owner);
    }),
    fifoKeyword(kind, '_script', (fifo, _args, stmt, ctx) => {
      const line = readCommandAndUser(stmt.keyword, stmt.args, ctx);
      if (!line) return;
      fifo.script = line.command;
      if (line.runAs) fifo.scriptUser = line.runAs;
    }),
  ];
}

/** keepalived's limit for each lvs_timeouts value: 31 days. */
const LVS_MAX_TIMEOUT = 86_400 * 31;
const LVS_TIMEOUT_OPTIONS = { tcp: 'tcp', tcpfin: 'tcpFin', udp: 'udp' } as const;
type LvsTimeoutOption = keyof typeof LVS_TIMEOUT_OPTIONS;
const lvsTimeoutOption = oneOf(Object.keys(LVS_TIMEOUT_OPTIONS) as LvsTimeoutOption[]);
const lvsTimeoutSeconds = integer(0, LVS_MAX_TIMEOUT);

/** `lvs_timeouts [tcp N] [tcpfin N] [udp N]`, in any order; nothing is kept from a line with an error. */
const lvsTimeoutsKeyword = custom<GlobalDefs>('lvs_timeouts', {
  args: [2, 6],
  apply(global, stmt, ctx) {
    const timeouts: LvsTimeouts = {};
    for (let i = 0; i < stmt.args.length; i += 2) {
      const [optionTok, valueTok] = [stmt.args[i]!, stmt.args[i + 1]];
      const option = lvsTimeoutOption(optionTok, ctx, 'lvs_timeouts');
      if (option === undefined) return;
      if (!valueTok) return ctx.error(optionTok.pos, `\`lvs_timeouts ${option}\` needs a number of seconds`);
      const seconds = lvsTimeoutSeconds(valueTok, ctx, `lvs_timeouts ${option}`);
      if (seconds === undefined) return;
      timeouts[LVS_TIMEOUT_OPTIONS[option]] = seconds;
    }
    global.lvsTimeouts = timeouts;
  },
});

/** keepalived's email keywords; they live in global_defs but fill `mail`. */
const mailKeywords: KeywordSpec<GlobalDefs>[] = [
  custom('smtp_server', {
    args: [1, 2],
    apply(global, stmt, ctx) {
      const [hostTok, portTok] = stmt.args;
      const value = portTok ? port(portTok, ctx, 'smtp_server') : 25;
      if (value !== undefined) global.mail.server = { host: hostTok!.text, port: value };
    },
  }),
  custom('smtp_helo_name', {
    args: ARGS.one,
    apply(global, stmt) {
      global.mail.heloName = stmt.args[0]!.text;
    },
  }),
  custom('smtp_connect_timeout', {
    args: ARGS.one,
    apply(global, stmt, ctx) {
      const seconds = integer(0)(stmt.args[0]!, ctx, 'smtp_connect_timeout');
      if (seconds === undefined) return;
      if (seconds === 0) ctx.warning(stmt.args[0]!.pos, '`smtp_connect_timeout` must be at least 1; using 1');
      global.mail.connectTimeout = Math.max(1, seconds);
    },
  }),
  custom('notification_email', {
    args: ARGS.none,
    block: true,
    // keepalived appends each block's addresses to the list.
    repeatable: true,
    apply(global, stmt, ctx) {
      for (const line of listLines(stmt, ctx)) global.mail.to.push(line.keyword.text, ...line.args.map((t) => t.text));
    },
  }),
  custom('notification_email_from', {
    args: ARGS.one,
    apply(global, stmt) {
      global.mail.from = stmt.args[0]!.text;
    },
  }),
  ...(
    [
      ['smtp_alert', 'alert'],
      ['smtp_alert_vrrp', 'alertVrrp'],
      ['smtp_alert_checker', 'alertChecker'],
    ] as const
  ).map(([name, key]) =>
    custom<GlobalDefs>(name, {
      args: ARGS.optional,
      apply(global, stmt, ctx) {
        toggle<GlobalDefs['mail'], typeof key>(name, key).apply(global.mail, stmt, ctx);
      },
    }),
  ),
  custom('no_email_faults', {
    args: ARGS.none,
    apply(global) {
      global.mail.noFaults = true;
    },
  }),
];

/** The bits keepalived's `umask IWGRP|IWOTH` names, as chmod's S_I* constants. */
const UMASK_BITS: Record<string, number> = {
  IRUSR: 0o400,
  IWUSR: 0o200,
  IXUSR: 0o100,
  IRGRP: 0o040,
  IWGRP: 0o020,
  IXGRP: 0o010,
  IROTH: 0o004,
  IWOTH: 0o002,
  IXOTH: 0o001,
};

/** C's strtol with base 0, as keepalived reads a numeric umask: 0177 is octal, 0x7f hex, 127 decimal. */
function cNumber(text: string): number | undefined {
  if (/^0[0-7]*$/.test(text)) return Number.parseInt(text, 8);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return /^[1-9]\d*$/.test(text) ? Number(text) : undefined;
}

/** `umask 0177` or `umask IWGRP | IWOTH` (spaces around `|` or not). */
function readUmask(written: string): number | undefined {
  if (/^\d/.test(written)) {
    const value = cNumber(written);
    return value !== undefined && value <= 0o777 ? value : undefined;
  }
  const bits = written.split('|').map((name) => UMASK_BITS[name.trim()]);
  return bits.every((bit) => bit !== undefined) ? bits.reduce((mask, bit) => mask | bit, 0) : undefined;
}

const umaskKeyword = custom<GlobalDefs>('umask', {
  args: ARGS.atLeastOne,
  apply(global, stmt, ctx) {
    const written = stmt.args.map((t) => t.text).join('');
    const value = readUmask(written);
    if (value === undefined) {
      ctx.error(
        stmt.args[0]!.pos,
        `\`umask\` expects a number such as 0177 or bits such as IWGRP|IWOTH, got \`${written}\``,
      );
      return;
    }
    global.umask = value;
  },
});

/**
 * `include_check [[+|-]TYPE ...]`: the loader applies it to the includes read after it (see
 * include.ts); here its words are checked. keepalived 2.2.7 ignores what it does not know.
 */
const includeCheck = custom<GlobalDefs>('include_check', {
  args: ARGS.any,
  apply(_global, stmt, ctx) {
    stmt.args.forEach((tok, index) => {
      const signed = tok.text[0] === '+' || tok.text[0] === '-';
      if (!signed && index > 0) {
        ctx.warning(tok.pos, `a second \`include_check\` type without + or - is ignored, as keepalived 2.2.7 does`);
      } else if (!INCLUDE_CHECK_TYPES.has(signed ? tok.text.slice(1) : tok.text)) {
        const known = [...INCLUDE_CHECK_TYPES.keys()].map((t) => `\`${t}\``).join(', ');
        ctx.warning(
          tok.pos,
          `unknown \`include_check\` type \`${tok.text}\` is ignored, as keepalived 2.2.7 does; it knows ${known}`,
        );
      }
    });
  },
});

export const globalDefsBlock = defineBlock<GlobalDefs>('global_defs', [
  includeCheck,
  field('router_id', 'routerId', text),
  field('vrrp_version', 'vrrpVersion', vrrpVersion),
  field('vrrp_garp_master_delay', 'garpMasterDelay', integer(0)),
  field('vrrp_garp_master_repeat', 'garpMasterRepeat', integer(0)),
  field('vrrp_garp_master_refresh', 'garpMasterRefresh', integer(0)),
  field('vrrp_garp_master_refresh_repeat', 'garpMasterRefreshRepeat', integer(1)),
  field('vrrp_garp_interval', 'garpInterval', decimal()),
  field('vrrp_gna_interval', 'gnaInterval', decimal()),
  field('vrrp_garp_lower_prio_delay', 'garpLowerPrioDelay', integer(0)),
  field('vrrp_garp_lower_prio_repeat', 'garpLowerPrioRepeat', integer(0)),
  toggle('vrrp_lower_prio_no_advert', 'lowerPrioNoAdvert'),
  field('vrrp_down_timer_adverts', 'downTimerAdverts', integer(1, 100)),
  flag('vrrp_check_unicast_src', 'checkUnicastSrc'),
  toggle('vrrp_min_garp', 'minGarp'),
  toggle('vrrp_notify_priority_changes', 'notifyPriorityChanges'),
  flag('fifo_write_vrrp_states_on_reload', 'fifoWriteStatesOnReload'),
  field('vrrp_startup_delay', 'vrrpStartupDelay', decimal()),
  flag('log_unknown_vrids', 'logUnknownVrids'),
  field('vmac_prefix', 'vmacPrefix', text),
  lvsSyncDaemonKeyword,
  field('default_interface', 'defaultInterface', text),
  field('vrrp_mcast_group4', 'vrrpMcastGroup4', globalMulticastGroup(4)),
  field('vrrp_mcast_group6', 'vrrpMcastGroup6', globalMulticastGroup(6)),
  custom('script_user', {
    args: [1, 2],
    apply(global, stmt) {
      global.scriptUser = readRunAs(stmt.args);
    },
  }),
  flag('enable_script_security', 'enableScriptSecurity'),
  toggle('vrrp_skip_check_adv_addr', 'skipCheckAdvAddr'),
  toggle('vrrp_higher_prio_send_advert', 'higherPrioSendAdvert'),
  flag('vrrp_strict', 'vrrpStrict'),
  nftablesKeyword,
  custom('nftables_priority', {
    args: ARGS.one,
    apply(global, stmt, ctx) {
      const priority = integer(-(2 ** 31), 2 ** 31 - 1)(stmt.args[0]!, ctx, 'nftables_priority');
      if (priority !== undefined) global.nftables.priority = priority;
    },
  }),
  custom('nftables_counters', {
    args: ARGS.none,
    apply(global) {
      global.nftables.counters = true;
    },
  }),
  custom('nftables_ifindex', {
    args: ARGS.none,
    apply(global) {
      global.nftables.ifindex = true;
    },
  }),
  field('vrrp_priority', 'vrrpNice', nice),
  field('checker_priority', 'checkerNice', nice),
  ...notifyFifoKeywords('all'),
  ...notifyFifoKeywords('vrrp'),
  ...notifyFifoKeywords('lvs'),
  lvsTimeoutsKeyword,
  ...lifecycleScriptKeywords,
  ...mailKeywords,
  ...ignoredKeywords<GlobalDefs>('global_defs'),
  umaskKeyword,
  metricsListenKeyword,
]);

/**
 * Fills in the global values that depend on others, once every global_defs block is read:
 * vrrp_min_garp (one gratuitous ARP round, no second burst) for the GARP keywords not written,
 * then the lower-priority answers, which default to the master values as in keepalived.
 */
export function resolveGlobalDefs(global: GlobalDefs, sites: Sites): void {
  const written = (keyword: string) => sites.has(global, keyword);
  if (global.minGarp) {
    if (!written('vrrp_garp_master_repeat')) global.garpMasterRepeat = 1;
    if (!written('vrrp_garp_master_delay')) global.garpMasterDelay = 0;
  }
  if (!written('vrrp_garp_lower_prio_repeat')) global.garpLowerPrioRepeat = global.garpMasterRepeat;
  if (!written('vrrp_garp_lower_prio_delay')) global.garpLowerPrioDelay = global.garpMasterDelay;
}
