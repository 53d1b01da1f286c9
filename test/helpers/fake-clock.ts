// A manual clock for adapters that take a Clock port: time moves only when a test says so, and
// due callbacks run in deadline order.
export class FakeClock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now = (): number => this.time;

  after = (ms: number, fn: () => void): (() => void) => {
    const id = this.seq++;
    this.timers.set(id, { at: this.time + ms, fn });
    return () => this.timers.delete(id);
  };

  /** Moves time forward by `ms`, running every callback that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = end;
  }
}
