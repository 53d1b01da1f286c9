// HTTP_GET / SSL_GET without sockets: the request keepalived sends, the reading of the reply
// as keepalived reads it (status line, headers up to the blank line, then the body's bytes as
// received, chunked or not, counted up to Content-Length), and one url's rules over the result.
// Pure, so every rule is tested without a server.
import { createHash, type Hash } from 'node:crypto';
import {
  type BodyRegex,
  type HttpCheck,
  type HttpProtocol,
  type HttpUrl,
  type RegexOption,
  regexFlags,
} from '../config/index.js';
import { parseIp } from '../inet/address.js';

/** What one url of a checker asks, with the checker's defaults applied. */
export interface UrlRule {
  path: string;
  /** The Host header's value. */
  host: string;
  /** The virtual host named for this url, if any: SSL_GET's SNI name with enable_sni. */
  virtualhost?: string;
  /** Accepted status codes, sorted. */
  statusCodes: readonly number[];
  digest?: string;
  regex?: BodyRegex;
}

/** keepalived accepts 200-299 when a url sets no status_code. */
const DEFAULT_STATUS_CODES = Array.from({ length: 100 }, (_, i) => 200 + i);

/**
 * The Host header keepalived sends: the url's virtualhost, else the checker's (which already
 * holds the real or virtual server's, from the config), else the address and port connected to.
 */
export function urlRule(url: HttpUrl, checker: HttpCheck, address: string, port: number): UrlRule {
  const virtualhost = url.virtualhost ?? checker.virtualhost;
  return {
    path: url.path,
    host: virtualhost ?? `${parseIp(address)?.family === 6 ? `[${address}]` : address}:${port}`,
    ...(virtualhost !== undefined && { virtualhost }),
    statusCodes: url.statusCodes ?? DEFAULT_STATUS_CODES,
    ...(url.digest !== undefined && { digest: url.digest }),
    ...(url.regex !== undefined && { regex: url.regex }),
  };
}

/** The bytes of keepalived's GET: HTTP/1.0 by default; 1.0C and 1.1 ask the server to close. */
export function requestText(rule: UrlRule, protocol: HttpProtocol): string {
  const version = protocol === '1.1' ? '1.1' : '1.0';
  const close = protocol === '1.0' ? '' : 'Connection: close\r\n';
  return `GET ${rule.path} HTTP/${version}\r\nUser-Agent: KeepAliveClient\r\n${close}Host: ${rule.host}\r\n\r\n`;
}

/** How much of a body is kept for `regex`; the digest sees all of it. */
export const REGEX_WINDOW_BYTES = 1 << 20;
/** A reply whose headers have not ended by then is not HTTP worth reading on. */
const MAX_HEADER_BYTES = 64 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

export interface HttpReply {
  /** 0 when the status line has no three-digit code where HTTP puts it. */
  status: number;
  /** Lowercase hex MD5 of the body (up to Content-Length when one was given), when asked for. */
  digest?: string;
  /** The body's first REGEX_WINDOW_BYTES; empty unless asked for. */
  body: Buffer;
}

/** What of the body a reader keeps: hashing and keeping cost, at thousands of checks a second. */
export interface ReplyWants {
  digest: boolean;
  body: boolean;
}

/** What a url's rules look at. */
export const wantsOf = (rule: UrlRule): ReplyWants => ({
  digest: rule.digest !== undefined,
  body: rule.regex !== undefined,
});

/** The status code of `HTTP/1.x NNN reason`, read as keepalived does: the word after the first space. */
export function statusOf(statusLine: string): number {
  const match = /^[^ \r]* (\d{3})(?: |$)/.exec(statusLine);
  return match ? Number(match[1]) : 0;
}

function contentLengthOf(headers: string): number | undefined {
  const match = /^content-length:[ \t]*(\d+)[ \t]*$/im.exec(headers);
  return match ? Number(match[1]) : undefined;
}

/** Takes a reply's bytes as they arrive; `complete` once Content-Length bytes of body are in. */
export class ReplyReader {
  #head: Buffer = Buffer.alloc(0);
  #headersDone = false;
  #status = 0;
  #contentLength: number | undefined;
  #bodyBytes = 0;
  #kept: Buffer[] = [];
  #keptBytes = 0;
  readonly #md5: Hash | undefined;
  readonly #keepsBody: boolean;
  /** Set when the reply cannot be HTTP: the check fails with it. */
  error: string | undefined;

  constructor(wants: ReplyWants = { digest: true, body: true }) {
    this.#md5 = wants.digest ? createHash('md5') : undefined;
    this.#keepsBody = wants.body;
  }

  push(chunk: Buffer): void {
    if (this.#headersDone) {
      this.#body(chunk);
      return;
    }
    // A reply's headers come in one chunk nearly always: keep that one, copy only to join more.
    this.#head = this.#head.length === 0 ? chunk : Buffer.concat([this.#head, chunk]);
    const end = this.#head.indexOf(HEADER_END);
    if (end < 0) {
      if (this.#head.length > MAX_HEADER_BYTES) this.error = `no end of headers in the first ${MAX_HEADER_BYTES} bytes`;
      return;
    }
    const headers = this.#head.subarray(0, end).toString('latin1');
    this.#headersDone = true;
    this.#status = statusOf(headers.slice(0, headers.indexOf('\r\n') >>> 0));
    this.#contentLength = contentLengthOf(headers);
    const rest = this.#head.subarray(end + HEADER_END.length);
    this.#head = Buffer.alloc(0);
    this.#body(rest);
  }

  #body(chunk: Buffer): void {
    const room = this.#contentLength === undefined ? chunk.length : this.#contentLength - this.#bodyBytes;
    const counted = chunk.subarray(0, Math.max(0, room));
    this.#bodyBytes += counted.length;
    this.#md5?.update(counted);
    if (this.#keepsBody && this.#keptBytes < REGEX_WINDOW_BYTES) {
      const kept = counted.subarray(0, REGEX_WINDOW_BYTES - this.#keptBytes);
      this.#kept.push(kept);
      this.#keptBytes += kept.length;
    }
  }

  /** Whether every byte the reply announced is in: no need to wait for the server to close. */
  get complete(): boolean {
    return this.#headersDone && this.#contentLength !== undefined && this.#bodyBytes >= this.#contentLength;
  }

  get headersDone(): boolean {
    return this.#headersDone;
  }

  /** The reply so far; undefined when its headers never ended. Call once. */
  finish(): HttpReply | undefined {
    if (!this.#headersDone) return undefined;
    const body = Buffer.concat(this.#kept);
    return { status: this.#status, ...(this.#md5 && { digest: this.#md5.digest('hex') }), body };
  }
}

/** `200-299`, `200, 301-302`: the accepted codes as an operator wrote them. */
export function describeCodes(codes: readonly number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < codes.length; ) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j]! + 1) j++;
    ranges.push(i === j ? String(codes[i]) : `${codes[i]}-${codes[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/** The body as the regex sees it: bytes one to a character, or UTF-8 with the `utf` option. */
function subject(body: Buffer, options: readonly RegexOption[]): string {
  return body.toString(options.includes('utf') ? 'utf8' : 'latin1');
}

/** Whether a match of the regex starts within [minOffset, maxOffset] of the body. */
export function regexMatches(regex: BodyRegex, body: Buffer): boolean {
  const re = new RegExp(regex.pattern, regexFlags(regex.options));
  re.lastIndex = regex.minOffset ?? 0;
  const match = re.exec(subject(body, regex.options));
  return match !== null && (regex.maxOffset === undefined || match.index <= regex.maxOffset);
}

/**
 * Why a reply fails the url's rules, or undefined when it passes. keepalived's order: the
 * status first, then the digest, then the regex. `where` names the url in a multi-url check.
 */
export function judgeReply(rule: UrlRule, reply: HttpReply, where: string): string | undefined {
  if (!rule.statusCodes.includes(reply.status)) {
    const got = reply.status === 0 ? 'no status code in the reply' : `status ${reply.status}`;
    return `${got} (want ${describeCodes(rule.statusCodes)})${where}`;
  }
  if (rule.digest !== undefined && reply.digest !== rule.digest)
    return `digest mismatch on ${rule.path} (got ${reply.digest}, want ${rule.digest})`;
  if (rule.regex !== undefined && regexMatches(rule.regex, reply.body) === rule.regex.noMatch) {
    const { pattern, noMatch } = rule.regex;
    return noMatch
      ? `body matches regex "${pattern}" on ${rule.path}`
      : `no match for regex "${pattern}" on ${rule.path}`;
  }
  return undefined;
}
