/** Something due at a time: `seq` orders those due at the same time by when they were queued. */
export interface Due {
  due: number;
  seq: number;
}

const earlier = (a: Due, b: Due): boolean => a.due < b.due || (a.due === b.due && a.seq < b.seq);

/**
 * A binary min-heap of what is due soonest. The health checker keeps its checks' next times
 * here behind one timer, instead of a timer (and two closures) a check: those lived from one
 * check to the next, long enough for the GC to promote them, thousands a second.
 */
export class DueHeap<T extends Due> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && earlier(items[right]!, items[left]!) ? right : left;
      if (!earlier(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
