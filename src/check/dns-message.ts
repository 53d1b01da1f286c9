// The few bytes of DNS (RFC 1035, 4.1) a DNS_CHECK needs: one recursive query out, and a
// reply's header judged as keepalived judges it. Pure.
import type { DnsQueryType } from '../config/index.js';

const TYPE_CODES: Record<DnsQueryType, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  RRSIG: 46,
  DNSKEY: 48,
};

const HEADER_BYTES = 12;
const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;

/** `name` as length-prefixed labels ending in the root label; "." (or "") is the root itself. Throws on a name DNS cannot carry. */
export function encodeName(name: string): Buffer {
  const labels = name === '.' || name === '' ? [] : name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length === 0) throw new Error(`name ${JSON.stringify(name)} has an empty label`);
    if (bytes.length > 63) throw new Error(`name ${JSON.stringify(name)} has a label longer than 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const encoded = Buffer.concat(parts);
  if (encoded.length > 255) throw new Error(`name ${JSON.stringify(name)} is longer than 255 bytes`);
  return encoded;
}

/** A query for `name`/`type`, class IN, recursion desired, as keepalived sends it. */
export function encodeQuery(id: number, name: string, type: DnsQueryType): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(FLAG_RD, 2);
  header.writeUInt16BE(1, 4); // one question; no answer, authority or additional records
  const question = Buffer.alloc(4);
  question.writeUInt16BE(TYPE_CODES[type], 0);
  question.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), question]);
}

const RCODE_NAMES: Record<number, string> = {
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

export type ReplyJudgement =
  /** Not the reply to this query (too short, another id, a query itself): keep waiting, as keepalived does. */
  { kind: 'ignore'; why: string } | { kind: 'pass' } | { kind: 'fail'; reason: string };

/**
 * keepalived's rule: the first datagram with the query's id and the QR bit passes when its
 * rcode is 0 (NOERROR). The question is not compared and an empty answer section passes.
 */
export function judgeReply(queryId: number, message: Buffer): ReplyJudgement {
  if (message.length < HEADER_BYTES) return { kind: 'ignore', why: `a datagram of ${message.length} bytes` };
  const id = message.readUInt16BE(0);
  if (id !== queryId) return { kind: 'ignore', why: 'a reply with another id' };
  const flags = message.readUInt16BE(2);
  if ((flags & FLAG_QR) === 0) return { kind: 'ignore', why: 'a query instead of a reply' };
  const rcode = flags & 0x000f;
  if (rcode !== 0) return { kind: 'fail', reason: `the server answered ${RCODE_NAMES[rcode] ?? `rcode ${rcode}`}` };
  return { kind: 'pass' };
}
