// Time as the cores and adapters see it: a monotonic clock with timers, injected so that tests
// drive time themselves (test/helpers/fake-clock.ts) and the daemon uses the process's.

export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` after `ms`; returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const processClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
