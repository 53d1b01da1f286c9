// Keeps a repeated problem from flooding the log, or memory: the first occurrence of each kind is
// logged, then at most one line per window saying how many were held back. A peer sending bad
// adverts ten times a second is one line a minute, not 600. Kinds come from a closed set, never
// from message text a sender controls, and the table is bounded all the same: a window that ended
// is forgotten, and past `maxKinds` the oldest window goes. Pure: the caller passes the time.
import type { InstanceObserver, ProblemKind } from '../vrrp/instance.js';
import type { Logger } from './logger.js';

interface Window {
  start: number;
  suppressed: number;
}

export class LogThrottle {
  /** Oldest window first: a kind whose window restarts moves to the end. */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKinds = 1024,
  ) {}

  /** How many kinds it remembers now. */
  get size(): number {
    return this.windows.size;
  }

  /** Whether to log this occurrence of `kind` now, and how many were held back since the last line. */
  admit(kind: string, now: number): { log: boolean; suppressed: number } {
    this.forgetEnded(now);
    const entry = this.windows.get(kind);
    if (entry && now - entry.start < this.windowMs) {
      entry.suppressed++;
      return { log: false, suppressed: entry.suppressed };
    }
    this.windows.delete(kind);
    this.windows.set(kind, { start: now, suppressed: 0 });
    if (this.windows.size > this.maxKinds) this.windows.delete(this.windows.keys().next().value!);
    return { log: true, suppressed: entry?.suppressed ?? 0 };
  }

  /**
   * Drops windows that ended with nothing held back. One that held some back is kept one more
   * window, so that a problem still going on says how many lines it skipped; after that the
   * count is stale and goes too.
   */
  private forgetEnded(now: number): void {
    for (const [kind, { start, suppressed }] of this.windows) {
      const age = now - start;
      if (age < this.windowMs) return;
      if (suppressed === 0 || age >= 2 * this.windowMs) this.windows.delete(kind);
    }
  }
}

/** The VRRP observer's `problem`, as a warning in the log, throttled per instance and kind. */
export class ProblemLog {
  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    private readonly now: () => number = () => performance.now(),
    readonly throttle = new LogThrottle(),
  ) {}

  readonly report: InstanceObserver['problem'] = (instance, kind: ProblemKind, message, detail) => {
    const { log, suppressed } = this.throttle.admit(`${instance}|${kind}`, this.now());
    if (!log) return;
    this.log.warn(
      { instance, kind, ...detail, ...(suppressed > 0 && { suppressed }) },
      `${instance}: ${message}${suppressed > 0 ? ` (and ${suppressed} more like it since the last line about it)` : ''}`,
    );
  };
}
