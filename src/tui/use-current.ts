// State that a key handler reads as it is now, not as the last render saw it. Ink hands every
// key of one read (a paste, a fast key repeat) to the handler in a row, and React renders
// later: with useState, the second key would act on the state from before the first.
import { useCallback, useRef, useState } from 'react';

export interface Current<T> {
  get(): T;
  /** Replaces the state and renders again (when it changed). */
  set(change: (now: T) => T): void;
}

export function useCurrent<T>(initial: T): Current<T> {
  const ref = useRef(initial);
  const [, render] = useState(0);
  const set = useCallback((change: (now: T) => T) => {
    const next = change(ref.current);
    if (next === ref.current) return;
    ref.current = next;
    render((n) => n + 1);
  }, []);
  const get = useCallback(() => ref.current, []);
  return { get, set };
}
