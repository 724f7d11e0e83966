/**
 * A map of at most `capacity` entries that forgets the least recently used one
 * to make room, so a cache keyed by what agents choose stays bounded and keeps
 * its hot entries however many distinct keys pass through it.
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order; re-inserting on every hit keeps the oldest use first.
  private readonly entries = new Map<K, V>();

  /** `capacity` is the most entries ever held; at least 1. */
  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`LruCache capacity must be a positive integer, got ${capacity}`);
  }

  /** The value for `key`, now the most recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores `value` as the most recently used, forgetting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.entries.size;
  }
}
