/**
 * A small bounded map whose entries expire after `ttlMs`. Used where a DynamoDB read can be answered
 * by a recent one; the oldest entry is evicted first when full.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

/**
 * An ExpiringCache filled by `read` on a miss. Callers missing the same key at the same time share one
 * read; a `set` or `forget` while a read is in flight keeps that read's answer out of the cache, so a
 * change this process made is never undone by an answer read before it.
 */
export class ReadThroughCache<K, V> {
  private readonly cache: ExpiringCache<K, V>;
  private readonly reads = new Map<K, Promise<V>>();

  constructor(
    ttlMs: number,
    maxEntries: number,
    private readonly read: (key: K) => Promise<V>,
  ) {
    this.cache = new ExpiringCache(ttlMs, maxEntries);
  }

  get(key: K): Promise<V> {
    const cached = this.cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.reads.get(key);
    if (pending) return pending;
    const read: Promise<V> = this.read(key)
      .then((value) => {
        if (this.reads.get(key) === read) this.cache.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.reads.get(key) === read) this.reads.delete(key);
      });
    this.reads.set(key, read);
    return read;
  }

  set(key: K, value: V): void {
    this.reads.delete(key);
    this.cache.set(key, value);
  }

  forget(key: K): void {
    this.reads.delete(key);
    this.cache.delete(key);
  }
}
