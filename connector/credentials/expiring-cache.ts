// Expiring cache with single-flight loading: concurrent misses for one key share one in-flight load.

export interface Expiring<V> {
  readonly value: V;
  readonly expiresAt: Date;
}

export interface ExpiringCache<V> {
  /**
   * The cached value of `key` if it stays valid for more than the refresh margin, else the result of `load`.
   * Concurrent callers for the same key share one `load`; a rejected load is not cached.
   */
  get(key: string, load: () => Promise<Expiring<V>>): Promise<V>;
  /** Drops `key`. */
  delete(key: string): void;
  /** Drops every key that starts with `prefix`. */
  deletePrefix(prefix: string): void;
  readonly size: number;
}

export interface ExpiringCacheOptions {
  readonly now: () => Date;
  /** Entries are refreshed this many ms before they expire. */
  readonly marginMs: number;
  /** Upper bound for how long an entry is kept, whatever its expiry (e.g. secrets, which do not expire). */
  readonly maxAgeMs?: number;
}

export function createExpiringCache<V>(options: ExpiringCacheOptions): ExpiringCache<V> {
  const entries = new Map<string, { value: V; refreshAt: number }>();
  const inFlight = new Map<string, Promise<V>>();
  let generation = 0;
  const generations = new Map<string, number>();

  function store(key: string, loaded: Expiring<V>, startedGeneration: number): void {
    if ((generations.get(key) ?? 0) > startedGeneration) return;
    const now = options.now().getTime();
    const byExpiry = loaded.expiresAt.getTime() - options.marginMs;
    const byAge = options.maxAgeMs === undefined ? Number.POSITIVE_INFINITY : now + options.maxAgeMs;
    const refreshAt = Math.min(byExpiry, byAge);
    if (refreshAt > now) entries.set(key, { value: loaded.value, refreshAt });
  }

  return {
    async get(key, load) {
      const hit = entries.get(key);
      if (hit !== undefined && hit.refreshAt > options.now().getTime()) return hit.value;
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const started = generation;
      const promise = (async () => {
        try {
          const loaded = await load();
          store(key, loaded, started);
          return loaded.value;
        } finally {
          inFlight.delete(key);
        }
      })();
      inFlight.set(key, promise);
      return promise;
    },
    delete(key) {
      generation += 1;
      generations.set(key, generation);
      entries.delete(key);
      inFlight.delete(key);
    },
    deletePrefix(prefix) {
      generation += 1;
      for (const key of [...entries.keys(), ...inFlight.keys()]) {
        if (key.startsWith(prefix)) {
          generations.set(key, generation);
          entries.delete(key);
          inFlight.delete(key);
        }
      }
    },
    // eslint-disable-next-line no-restricted-syntax -- built once per cache, not per request
    get size() {
      return entries.size;
    },
  };
}
