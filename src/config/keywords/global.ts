import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import type { GlobalDefs, NotifyFifo, NotifyFifoKind } from '../types.js';
import {
  ARGS,
  type BuildContext,
  custom,
  defineBlock,
  field,
  flag,
  type KeywordSpec,
  listLines,
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
    garpMasterDelay: 5,
    garpMasterRepeat: 5,
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    garpInterval: 0,
    gnaInterval: 0,
    enableScriptSecurity: false,
    skipCheckAdvAddr: false,
    vrrpStrict: false,
    higherPrioSendAdvert: false,
    notifyFifos: {},
    mail: { connectTimeout: 30, to: [], noFaults: false },
  };
}

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

export const globalDefsBlock = defineBlock<GlobalDefs>('global_defs', [
  field('router_id', 'routerId', text),
  field('vrrp_version', 'vrrpVersion', vrrpVersion),
  field('vrrp_garp_master_delay', 'garpMasterDelay', integer(0)),
  field('vrrp_garp_master_repeat', 'garpMasterRepeat', integer(0)),
  field('vrrp_garp_master_refresh', 'garpMasterRefresh', integer(0)),
  field('vrrp_garp_master_refresh_repeat', 'garpMasterRefreshRepeat', integer(1)),
  field('vrrp_garp_interval', 'garpInterval', decimal()),
  field('vrrp_gna_interval', 'gnaInterval', decimal()),
  custom('script_user', {
    args: [1, 2],
    apply(global, stmt) {
      global.scriptUser = readRunAs(stmt.args);
    },
  }),
  flag('enable_script_security', 'enableScriptSecurity'),
  toggle('vrrp_skip_check_adv_addr', 'skipCheckAdvAddr'),
  flag('vrrp_strict', 'vrrpStrict'),
  toggle('vrrp_higher_prio_send_advert', 'higherPrioSendAdvert'),
  field('vrrp_priority', 'vrrpNice', nice),
  field('checker_priority', 'checkerNice', nice),
  ...notifyFifoKeywords('all'),
  ...notifyFifoKeywords('vrrp'),
  ...notifyFifoKeywords('lvs'),
  ...mailKeywords,
]);
