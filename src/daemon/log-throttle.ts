// Keeps a repeated problem from flooding the log: the first occurrence of each kind is logged,
// then at most one line per window saying how many were held back. A peer sending bad adverts
// ten times a second is one line a minute, not 600. Pure: the caller passes the time.
export class LogThrottle {
  private readonly kinds = new Map<string, { windowStart: number; suppressed: number }>();

  constructor(private readonly windowMs = 60_000) {}

  /** Whether to log this occurrence of `kind` now, and how many were held back since the last line. */
  admit(kind: string, now: number): { log: boolean; suppressed: number } {
    const entry = this.kinds.get(kind);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      const suppressed = entry?.suppressed ?? 0;
      this.kinds.set(kind, { windowStart: now, suppressed: 0 });
      return { log: true, suppressed };
    }
    entry.suppressed++;
    return { log: false, suppressed: entry.suppressed };
  }
}
