/** `make(key)`, computed once per key object and kept for as long as the key lives. */
export function cachedBy<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = make(key);
    cache.set(key, value);
    return value;
  };
}
