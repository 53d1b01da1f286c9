// UDP_CHECK's rules for a reply when require_reply is set, as keepalived applies them: the
// reply's length within min/max_reply_length, and the pattern compared over as many bytes as
// both have (a reply shorter than the pattern is only compared as far as it goes).
// One difference: keepalived checks the lengths only when a pattern is given; vigil checks
// them whenever require_reply is set, as the manual describes them.

export interface ReplyRule {
  /** Lowercase hex, `x` for any nibble; unset accepts any content. */
  pattern?: string;
  minLength: number;
  maxLength: number;
}

/** What keepalived sends when told nothing: "keepalived check - " repeated to `length` bytes. */
export function fillerPayload(length: number): Buffer {
  const text = 'keepalived check - ';
  return Buffer.from(text.repeat(Math.ceil(length / text.length)).slice(0, length));
}

/** UDP_CHECK without `payload` sends 32 bytes of filler. */
export const DEFAULT_UDP_PAYLOAD = fillerPayload(32);

/** Why `reply` fails the rule, in an operator's words; undefined when it passes. */
export function replyMismatch(reply: Uint8Array, rule: ReplyRule): string | undefined {
  if (reply.length < rule.minLength)
    return `reply of ${bytes(reply.length)} is shorter than min_reply_length ${rule.minLength}`;
  if (reply.length > rule.maxLength)
    return `reply of ${bytes(reply.length)} is longer than max_reply_length ${rule.maxLength}`;
  const pattern = rule.pattern ?? '';
  const compared = Math.min(reply.length, pattern.length / 2);
  for (let i = 0; i < compared; i++) {
    const expected = pattern.slice(2 * i, 2 * i + 2);
    const got = reply[i]!.toString(16).padStart(2, '0');
    if (!nibbleMatches(got[0]!, expected[0]!) || !nibbleMatches(got[1]!, expected[1]!))
      return `reply does not match require_reply: byte ${i + 1} is ${got}, expected ${expected}`;
  }
  return undefined;
}

const nibbleMatches = (got: string, expected: string): boolean => expected === 'x' || got === expected;
const bytes = (n: number): string => (n === 1 ? '1 byte' : `${n} bytes`);
