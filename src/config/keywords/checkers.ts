import type { SourcePos } from '../diagnostics.js';
import type { Token } from '../lexer.js';
import type { Statement } from '../parser.js';
import {
  type BodyRegex,
  type CheckDefaults,
  type Checker,
  type CheckerTiming,
  type ConnectionOptions,
  DNS_QUERY_TYPES,
  type DnsCheck,
  type FileCheck,
  HTTP_PROTOCOLS,
  type HttpCheck,
  type HttpProtocol,
  type HttpUrl,
  type MiscCheck,
  type PingCheck,
  REGEX_OPTIONS,
  type RealServer,
  type RegexOption,
  type SmtpCheck,
  type SmtpHost,
  type TcpCheck,
  type UdpCheck,
  type VirtualServer,
} from '../types.js';
import {
  ARGS,
  applyBlock,
  type BlockTable,
  type BuildContext,
  custom,
  defineBlock,
  field,
  flag,
  type KeywordSpec,
  toggle,
  type ValueParser,
} from './table.js';
import { decimal, integer, ipText, oneOfAnyCase, port, readCommand, readRunAs, readWeight, text } from './values.js';

/** Check timing a virtual server, real server or checker may set; inner levels override outer. */
export const checkDefaultKeywords: readonly KeywordSpec<CheckDefaults>[] = [
  field('connect_timeout', 'connectTimeout', decimal({ positive: true })),
  field('retry', 'retry', integer(0), ['nb_get_retry']),
  field('delay_before_retry', 'delayBeforeRetry', decimal()),
  field('warmup', 'warmup', decimal()),
  field('delay_loop', 'delayLoop', decimal({ positive: true })),
  toggle('alpha', 'alpha'),
];

export const virtualhostKeyword = field<CheckDefaults, 'virtualhost'>('virtualhost', 'virtualhost', text);

const connectionKeywords: readonly KeywordSpec<ConnectionOptions>[] = [
  field('connect_ip', 'connectIp', ipText),
  field('connect_port', 'connectPort', port),
  field('bindto', 'bindTo', ipText),
  field('bind_port', 'bindPort', port),
  field('bind_if', 'bindIf', text),
  field('fwmark', 'fwmark', integer(1, 0xffffffff)),
];

/** Options of network checkers (everything but MISC_CHECK). */
const networkKeywords = [...connectionKeywords, ...checkDefaultKeywords];

// Placeholders: every timing field is overwritten by resolveChecker once the enclosing
// real and virtual servers are fully read.
const timing = (pos: SourcePos): CheckerTiming => ({
  pos,
  retry: 1,
  delayBeforeRetry: 1,
  warmup: 0,
  delayLoop: 60,
  alpha: false,
});
const network = (pos: SourcePos) => ({ ...timing(pos), connectTimeout: 5 });

// ---- HTTP_GET / SSL_GET --------------------------------------------------------------------

const md5Hex: ValueParser<string> = (tok, ctx, keyword) => {
  if (/^[0-9a-fA-F]{32}$/.test(tok.text)) return tok.text.toLowerCase();
  ctx.error(
    tok.pos,
    `\`${keyword}\` expects an MD5 digest of 32 hex digits (as genhash prints it), got \`${tok.text}\``,
  );
  return undefined;
};

/** `status_code 200 201 300-399`: codes and inclusive ranges, expanded and sorted. */
function readStatusCodes(tokens: readonly Token[], ctx: BuildContext): number[] | undefined {
  const codes = new Set<number>();
  for (const tok of tokens) {
    const match = /^(\d{3})(?:-(\d{3}))?$/.exec(tok.text);
    const first = Number(match?.[1]);
    const last = match?.[2] === undefined ? first : Number(match[2]);
    if (!match || first < 100 || last > 599 || last < first) {
      ctx.error(
        tok.pos,
        `\`status_code\` expects HTTP status codes (100-599) or ranges such as 200-299, got \`${tok.text}\``,
      );
      return undefined;
    }
    for (let code = first; code <= last; code++) codes.add(code);
  }
  return [...codes].sort((a, b) => a - b);
}

/** The regex keywords fill this in any order; `checkRegex` decides once the url block is read. */
const regexOf = (url: HttpUrl): BodyRegex => {
  url.regex ??= { pattern: '', options: [], noMatch: false };
  return url.regex;
};

function readRegexOptions(tokens: readonly Token[], ctx: BuildContext): RegexOption[] | undefined {
  const options: RegexOption[] = [];
  for (const tok of tokens) {
    if (!(REGEX_OPTIONS as readonly string[]).includes(tok.text)) {
      ctx.error(
        tok.pos,
        `\`regex_options\` can be ${REGEX_OPTIONS.join(', ')} in vigil (its regular expressions are JavaScript's, not PCRE2's), got \`${tok.text}\``,
      );
      return undefined;
    }
    options.push(tok.text as RegexOption);
  }
  return options;
}

/** The RegExp flags for keepalived's regex_options; `g` so that a search can start at regex_min_offset. */
export const regexFlags = (options: readonly RegexOption[]): string =>
  `g${options.includes('caseless') ? 'i' : ''}${options.includes('multiline') ? 'm' : ''}${options.includes('dotall') ? 's' : ''}${options.includes('utf') ? 'u' : ''}`;

const COMPANIONS = ['regex_no_match', 'regex_options', 'regex_min_offset', 'regex_max_offset'];

/** keepalived ignores regex companions without a regex, and offsets that leave no room; both are said here. */
function checkRegex(url: HttpUrl, ctx: BuildContext): void {
  const { regex } = url;
  if (!regex) return;
  const patternStmt = ctx.sites.get(url, 'regex');
  if (!patternStmt) {
    for (const keyword of COMPANIONS) {
      const stmt = ctx.sites.get(url, keyword);
      if (stmt) ctx.warning(stmt.keyword.pos, `\`${keyword}\` has no effect without a \`regex\` in this url`);
    }
    delete url.regex;
    return;
  }
  try {
    new RegExp(regex.pattern, regexFlags(regex.options));
  } catch (err) {
    ctx.error(
      patternStmt.args[0]!.pos,
      `\`regex\` does not compile as a JavaScript regular expression: ${(err as Error).message}`,
    );
  }
  if (regex.minOffset !== undefined && regex.maxOffset !== undefined && regex.minOffset > regex.maxOffset) {
    ctx.error(
      ctx.sites.get(url, 'regex_max_offset')!.args[0]!.pos,
      `\`regex_max_offset\` ${regex.maxOffset} is before \`regex_min_offset\` ${regex.minOffset}: no match could count`,
    );
  }
}

const urlBlock = defineBlock<HttpUrl>('url', [
  field('path', 'path', text),
  field('digest', 'digest', md5Hex),
  custom('status_code', {
    args: ARGS.atLeastOne,
    apply(url, stmt, ctx) {
      const codes = readStatusCodes(stmt.args, ctx);
      if (codes) url.statusCodes = codes;
    },
  }),
  field('virtualhost', 'virtualhost', text),
  custom('regex', {
    args: ARGS.one,
    apply(url, stmt) {
      regexOf(url).pattern = stmt.args[0]!.text;
    },
  }),
  custom('regex_no_match', {
    args: ARGS.none,
    apply(url) {
      regexOf(url).noMatch = true;
    },
  }),
  custom('regex_options', {
    args: ARGS.atLeastOne,
    apply(url, stmt, ctx) {
      const options = readRegexOptions(stmt.args, ctx);
      if (options) regexOf(url).options = options;
    },
  }),
  custom('regex_min_offset', {
    args: ARGS.one,
    apply(url, stmt, ctx) {
      const offset = integer(0)(stmt.args[0]!, ctx, 'regex_min_offset');
      if (offset !== undefined) regexOf(url).minOffset = offset;
    },
  }),
  custom('regex_max_offset', {
    args: ARGS.one,
    apply(url, stmt, ctx) {
      const offset = integer(0)(stmt.args[0]!, ctx, 'regex_max_offset');
      if (offset !== undefined) regexOf(url).maxOffset = offset;
    },
  }),
]);

const urlKeyword = custom<HttpCheck>('url', {
  args: ARGS.none,
  block: true,
  repeatable: true,
  apply(check, stmt, ctx) {
    const url: HttpUrl = { path: '', pos: stmt.keyword.pos };
    applyBlock(urlBlock, stmt.block!, url, ctx);
    checkRegex(url, ctx);
    if (ctx.sites.has(url, 'path')) {
      check.urls.push(url);
    } else {
      ctx.error(stmt.keyword.pos, '`url` needs a `path` (for example `path /health`)');
    }
  },
});

/** `http_protocol 1.0 | 1.0C | 1.1`; keepalived also takes `1.0c`. */
const httpProtocol: ValueParser<HttpProtocol> = (tok, ctx, keyword) => {
  const value = HTTP_PROTOCOLS.find((p) => p === tok.text || p === tok.text.toUpperCase());
  if (value === undefined)
    ctx.error(tok.pos, `\`${keyword}\` expects ${HTTP_PROTOCOLS.join(', ')}, got \`${tok.text}\``);
  return value;
};

const httpKeywords = [
  ...networkKeywords,
  virtualhostKeyword,
  field<HttpCheck, 'httpProtocol'>('http_protocol', 'httpProtocol', httpProtocol),
  urlKeyword,
];
const httpGetBlock = defineBlock<HttpCheck>('HTTP_GET', httpKeywords);
const sslGetBlock = defineBlock<HttpCheck>('SSL_GET', [...httpKeywords, toggle('enable_sni', 'enableSni')]);

// ---- MISC_CHECK ----------------------------------------------------------------------------

const miscBlock = defineBlock<MiscCheck>('MISC_CHECK', [
  ...checkDefaultKeywords.filter((k) => k.name !== 'connect_timeout'),
  custom('misc_path', {
    args: ARGS.atLeastOne,
    apply(check, stmt, ctx) {
      const command = readCommand(stmt.keyword, stmt.args, ctx);
      if (command) check.path = command;
    },
  }),
  field('misc_timeout', 'timeout', integer(1)),
  flag('misc_dynamic', 'dynamic'),
  custom('user', {
    args: [1, 2],
    apply(check, stmt) {
      check.user = readRunAs(stmt.args);
    },
  }),
]);

// ---- SMTP_CHECK ----------------------------------------------------------------------------

const smtpHostBlock = defineBlock<SmtpHost>('host', connectionKeywords);

const smtpBlock = defineBlock<SmtpCheck>('SMTP_CHECK', [
  ...networkKeywords,
  field('helo_name', 'heloName', text),
  custom('host', {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(check, stmt, ctx) {
      const host: SmtpHost = { pos: stmt.keyword.pos };
      applyBlock(smtpHostBlock, stmt.block!, host, ctx);
      check.hosts.push(host);
    },
  }),
]);

// ---- DNS_CHECK / UDP_CHECK / TCP_CHECK / PING_CHECK ----------------------------------------

const dnsBlock = defineBlock<DnsCheck>('DNS_CHECK', [
  ...networkKeywords,
  field('type', 'queryType', oneOfAnyCase(DNS_QUERY_TYPES)),
  field('name', 'name', text),
]);

/**
 * keepalived's free-form hex: each word is read two digits at a time from the left and a
 * final odd digit is one byte (`Ab12f 3` → ab 12 0f 03). With `wildcards`, x stands for any nibble.
 */
function readHex(tokens: readonly Token[], ctx: BuildContext, keyword: string, wildcards: boolean): string | undefined {
  const digit = wildcards ? /^[0-9a-fA-FxX]+$/ : /^[0-9a-fA-F]+$/;
  let hex = '';
  for (const tok of tokens) {
    if (!digit.test(tok.text)) {
      ctx.error(
        tok.pos,
        `\`${keyword}\` expects hex digits${wildcards ? ' (x for any digit)' : ''}, got \`${tok.text}\``,
      );
      return undefined;
    }
    const word = tok.text.toLowerCase();
    hex += word.length % 2 === 0 ? word : `${word.slice(0, -1)}0${word.slice(-1)}`;
  }
  return hex;
}

const udpBlock = defineBlock<UdpCheck>('UDP_CHECK', [
  ...networkKeywords,
  custom('payload', {
    args: ARGS.atLeastOne,
    apply(check, stmt, ctx) {
      const payload = readHex(stmt.args, ctx, 'payload', false);
      if (payload !== undefined) check.payload = payload;
    },
  }),
  custom('require_reply', {
    args: ARGS.any,
    apply(check, stmt, ctx) {
      if (stmt.args.length === 0) {
        check.requireReply = {};
        return;
      }
      const pattern = readHex(stmt.args, ctx, 'require_reply', true);
      if (pattern !== undefined) check.requireReply = { pattern };
    },
  }),
  field('min_reply_length', 'minReplyLength', integer(0, 65535)),
  field('max_reply_length', 'maxReplyLength', integer(0, 65535)),
]);

const tcpBlock = defineBlock<TcpCheck>('TCP_CHECK', networkKeywords);
const pingBlock = defineBlock<PingCheck>('PING_CHECK', networkKeywords);

// ---- FILE_CHECK ----------------------------------------------------------------------------

/** keepalived lets a FILE_CHECK weigh a real server by up to IPVS's whole weight range. */
const FILE_CHECK_WEIGHT_RANGE = [-2_147_483_647, 2_147_483_647] as const;

const fileBlock = defineBlock<FileCheck>('FILE_CHECK', [
  custom('track_file', {
    args: ARGS.one,
    apply(check, stmt) {
      const name = stmt.args[0]!;
      check.track.name = name.text;
      check.track.pos = name.pos;
    },
  }),
  custom('weight', {
    args: [1, 2],
    apply(check, stmt, ctx) {
      const weight = readWeight(stmt.keyword, stmt.args, ctx, FILE_CHECK_WEIGHT_RANGE, ['reverse', 'noreverse']);
      if (!weight) return;
      // A weight given here replaces the track_file's, reverse included (keepalived's rule).
      check.track.weight = weight.weight;
      check.track.reverse = weight.reverse ?? false;
    },
  }),
]);

// ---- the checker keywords of real_server ---------------------------------------------------

function checkerKeyword<C extends Checker>(
  table: BlockTable<C>,
  create: (pos: SourcePos) => C,
  complete?: (checker: C, stmt: Statement, ctx: BuildContext) => void,
): KeywordSpec<RealServer> {
  return custom(table.name, {
    args: ARGS.none,
    block: true,
    repeatable: true,
    apply(rs, stmt, ctx) {
      const checker = create(stmt.keyword.pos);
      applyBlock(table, stmt.block!, checker, ctx);
      complete?.(checker, stmt, ctx);
      rs.checkers.push(checker);
    },
  });
}

const requireUrl = (check: HttpCheck, stmt: Statement, ctx: BuildContext): void => {
  if (!ctx.sites.has(check, 'url'))
    ctx.error(stmt.keyword.pos, `\`${check.type}\` needs at least one \`url { path ... }\` block`);
};

export const checkerKeywords: readonly KeywordSpec<RealServer>[] = [
  checkerKeyword(tcpBlock, (pos) => ({ type: 'TCP_CHECK', ...network(pos) })),
  checkerKeyword(
    httpGetBlock,
    (pos) => ({ type: 'HTTP_GET', ...network(pos), urls: [], httpProtocol: '1.0', enableSni: false }),
    requireUrl,
  ),
  checkerKeyword(
    sslGetBlock,
    (pos) => ({ type: 'SSL_GET', ...network(pos), urls: [], httpProtocol: '1.0', enableSni: false }),
    requireUrl,
  ),
  checkerKeyword(
    miscBlock,
    (pos) => ({ type: 'MISC_CHECK', ...timing(pos), path: [], timeout: 0, dynamic: false }),
    (check, stmt, ctx) => {
      if (!ctx.sites.has(check, 'misc_path'))
        ctx.error(stmt.keyword.pos, '`MISC_CHECK` needs a `misc_path` (the command to run)');
    },
  ),
  checkerKeyword(smtpBlock, (pos) => ({ type: 'SMTP_CHECK', ...network(pos), hosts: [] })),
  checkerKeyword(dnsBlock, (pos) => ({ type: 'DNS_CHECK', ...network(pos), queryType: 'SOA', name: '.' })),
  checkerKeyword(udpBlock, (pos) => ({ type: 'UDP_CHECK', ...network(pos), minReplyLength: 0, maxReplyLength: 255 })),
  checkerKeyword(pingBlock, (pos) => ({ type: 'PING_CHECK', ...network(pos) })),
  checkerKeyword(
    fileBlock,
    (pos) => ({ type: 'FILE_CHECK', pos, track: { name: '', pos } }),
    (check, stmt, ctx) => {
      if (!ctx.sites.has(check, 'track_file'))
        ctx.error(stmt.keyword.pos, '`FILE_CHECK` needs a `track_file` (the name of a `track_file` block)');
    },
  ),
];

export const checkerTables: readonly BlockTable<never>[] = [
  tcpBlock,
  httpGetBlock,
  sslGetBlock,
  miscBlock,
  smtpBlock,
  dnsBlock,
  udpBlock,
  pingBlock,
  fileBlock,
  urlBlock,
  smtpHostBlock,
];

// ---- resolution ----------------------------------------------------------------------------

/** keepalived's per-checker defaults where they differ from the general ones. */
const DEFAULT_RETRY: Partial<Record<Checker['type'], number>> = { DNS_CHECK: 3, MISC_CHECK: 0 };
const DEFAULT_DELAY_BEFORE_RETRY: Partial<Record<Checker['type'], number>> = { HTTP_GET: 3, SSL_GET: 3 };

/**
 * Fills every timing value the checker did not set from its real server, then its virtual
 * server, then keepalived's defaults.
 */
export function resolveChecker(checker: Checker, rs: RealServer, vs: VirtualServer, ctx: BuildContext): void {
  // A file check has no timing: it follows the file.
  if (checker.type === 'FILE_CHECK') return;
  const own = (keyword: string): boolean => ctx.sites.has(checker, keyword);
  if (!own('delay_loop')) checker.delayLoop = rs.delayLoop ?? vs.delayLoop;
  if (!own('retry')) checker.retry = rs.retry ?? vs.retry ?? DEFAULT_RETRY[checker.type] ?? 1;
  if (!own('delay_before_retry')) {
    const fallback = checker.type === 'DNS_CHECK' ? checker.delayLoop : (DEFAULT_DELAY_BEFORE_RETRY[checker.type] ?? 1);
    checker.delayBeforeRetry = rs.delayBeforeRetry ?? vs.delayBeforeRetry ?? fallback;
  }
  // The first check starts after a random delay of up to delay_loop unless warmup says otherwise.
  if (!own('warmup')) checker.warmup = rs.warmup ?? vs.warmup ?? checker.delayLoop;
  if (!own('alpha')) checker.alpha = rs.alpha ?? vs.alpha;
  if (checker.type === 'MISC_CHECK') {
    if (!own('misc_timeout')) checker.timeout = checker.delayLoop;
    return;
  }
  if (!own('connect_timeout')) checker.connectTimeout = rs.connectTimeout ?? vs.connectTimeout ?? 5;
  if ((checker.type === 'HTTP_GET' || checker.type === 'SSL_GET') && !own('virtualhost')) {
    const inherited = rs.virtualhost ?? vs.virtualhost;
    if (inherited !== undefined) checker.virtualhost = inherited;
  }
}
