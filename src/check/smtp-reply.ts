// SMTP replies as RFC 5321 (4.2) writes them: one or more lines of a three-digit code, "-" on
// every line but the last, which has a space or nothing after the code. Pure: the probe feeds
// it what the server has sent so far.
//
// keepalived looks only at the first line and so fails a multi-line greeting ("220-..."),
// and a bare "220\r\n"; both are valid SMTP, so here the whole reply is read. Every reply
// keepalived accepts is accepted here too.

/** Longer than any reply a checker needs; a server sending more without ending a reply is not speaking SMTP. */
export const MAX_REPLY_BYTES = 8192;

export type ReplyRead =
  | { kind: 'incomplete' }
  | { kind: 'reply'; code: number; text: string; rest: string }
  | { kind: 'malformed'; line: string };

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;

/** The first complete reply in `buffered` (latin1 text), with what follows it. */
export function readReply(buffered: string): ReplyRead {
  let start = 0;
  let code: string | undefined;
  const texts: string[] = [];
  for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n', start)) {
    const line = buffered.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    const match = REPLY_LINE.exec(line);
    // Every line of one reply carries the same code.
    if (!match || (code !== undefined && match[1] !== code)) return { kind: 'malformed', line };
    code = match[1]!;
    texts.push(match[3] ?? '');
    if (match[2] !== '-')
      return { kind: 'reply', code: Number(code), text: texts.join('\n'), rest: buffered.slice(start) };
  }
  if (buffered.length > MAX_REPLY_BYTES) return { kind: 'malformed', line: buffered.slice(start, start + 80) };
  return { kind: 'incomplete' };
}
