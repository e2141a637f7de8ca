/**
 * A least-recently-used cache with a fixed capacity.
 * Reading or writing a key makes it the most recently used one; when the cache is full,
 * inserting a new key evicts the least recently used entry.
 */
export class LruCache {
  /** @param {number} capacity maximum number of entries (>= 1) */
  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    /** @type {Map<string, unknown>} insertion order = recency order (oldest first) */
    this.entries = new Map();
    this.evictions = 0;
  }

  get size() {
    return this.entries.size;
  }

  has(key) {
    return this.entries.has(key);
  }

  get(key) {
    return this.entries.get(key);
  }

  set(key, value) {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      this.entries.delete(oldest);
      this.evictions++;
    }
    this.entries.set(key, value);
    return this;
  }

  delete(key) {
    return this.entries.delete(key);
  }

  clear() {
    this.entries.clear();
  }

  /** Keys from least to most recently used. */
  keys() {
    return [...this.entries.keys()];
  }
}
