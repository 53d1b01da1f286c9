/**
 * How often a master answers other routers' adverts out of turn. The answers exist so that a
 * router that wrongly thinks it is master (after a partition heals) or a backup that followed a
 * resigning master hears us at once, not at our next advert; but an answer per advert makes us
 * an amplifier: a neighbour sending 3,000 adverts a second would get 3,000 adverts and as many
 * gratuitous-ARP rounds back. So per window (the advert interval):
 * - each source gets one answer, the first at once: a real peer sends one advert per interval,
 *   and one answer per interval is all it needs; if that one is lost, its next advert gets the
 *   next;
 * - all sources together get `maxPerWindow`: sources are only as real as the packets that name
 *   them, and past a few our regular advert, due within the interval anyway, does the job.
 * Pure: the caller passes the time. The table holds the sources answered in the current window,
 * never more than `maxPerWindow`.
 */
export class AnswerLimiter {
  /** Source → when it was last answered, oldest first. */
  readonly #answered = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxPerWindow: number,
  ) {}

  /** Whether to answer `source` now; counts the answer if so. */
  admit(source: string, now: number): boolean {
    for (const [answered, at] of this.#answered) {
      if (now - at < this.windowMs) break;
      this.#answered.delete(answered);
    }
    if (this.#answered.has(source) || this.#answered.size >= this.maxPerWindow) return false;
    this.#answered.set(source, now);
    return true;
  }

  /** Sources it remembers now. */
  get size(): number {
    return this.#answered.size;
  }
}
