// Byte-bounded per-tenant cache kept exact by a table's change feed (LISTEN/NOTIFY): a change drops the tenant's entries.
import type { Database } from './database';

export interface ChangeFeedCacheOptions {
  /** The channel the table's trigger notifies at commit, with the tenant id as payload ('*' or '': every tenant). */
  readonly channel: string;
  /** Entries older than this are dropped even without a change (default: no limit). */
  readonly maxAgeMs?: number;
  /** Total bytes of cached values (default 64 MiB); 0 disables the cache. */
  readonly maxBytes?: number;
  /** Values larger than this are never cached (default 1 MiB). */
  readonly maxEntryBytes?: number;
}

/** A cached answer and its size in bytes (what the budget counts). */
export interface Sized {
  readonly bytes: number;
}

/**
 * Values derived from one tenant's rows, valid until that tenant's rows change. A value is only stored when no
 * change was seen while it was being loaded, and nothing is served while the change feed is down (the cache then
 * behaves as if empty), so a cached value never outlives a committed change by more than the feed's delivery delay;
 * changes made through this process are dropped synchronously (`invalidate`).
 */
export interface ChangeFeedCache<V extends Sized> {
  /** The cached value of `key` in `tenantId`'s answers, when current. */
  get(tenantId: string, key: string): V | undefined;
  /**
   * `get` (when `usable` accepts the hit), else `load` (a miss), storing the result unless the tenant changed
   * meanwhile; `undefined` is not stored.
   */
  getOrLoad(tenantId: string, key: string, load: () => Promise<V | undefined>, usable?: (hit: V) => boolean): Promise<V | undefined>;
  /** Drops `tenantId`'s answers ('*': everyone's). */
  invalidate(tenantId: string): void;
  /** Subscribes to the change feed; until it is listening nothing is cached. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Entries, bytes and whether the change feed is live (metrics and tests). */
  stats(): { entries: number; bytes: number; live: boolean; hits: number; misses: number };
}

interface Entry<V> {
  readonly tenantId: string;
  readonly generation: number;
  readonly storedAt: number;
  readonly value: V;
  /** `clock` when the entry last moved to the end of the LRU order. */
  touched: number;
}

export function createChangeFeedCache<V extends Sized>(db: Pick<Database, 'listen'>, options: ChangeFeedCacheOptions, now: () => number = Date.now): ChangeFeedCache<V> {
  const maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const maxEntryBytes = Math.min(options.maxEntryBytes ?? 1024 * 1024, maxBytes);
  const enabled = maxBytes > 0;
  // Map order is the (approximate) LRU order: a hit moves the entry to the end unless it already sits in the newer half
  // (moving a hot entry on every hit churns the Map's table for nothing), eviction takes from the front.
  const entries = new Map<string, Entry<V>>();
  let clock = 0;
  const keysByTenant = new Map<string, Set<string>>();
  const generations = new Map<string, number>();
  // Every change takes a fresh number from `counter`; a tenant's generation is its last change or the last full reset.
  let counter = 0;
  let floor = 0;
  let bytes = 0;
  let live = false;
  let hits = 0;
  let misses = 0;
  let unsubscribe: (() => Promise<void>) | undefined;

  const fullKey = (tenantId: string, key: string): string => `${tenantId}\u0000${key}`;
  const generationOf = (tenantId: string): number => Math.max(generations.get(tenantId) ?? 0, floor);

  function remove(k: string, e: Entry<V>): void {
    entries.delete(k);
    bytes -= e.value.bytes;
    const keys = keysByTenant.get(e.tenantId);
    keys?.delete(k);
    if (keys?.size === 0) keysByTenant.delete(e.tenantId);
  }

  function clearAll(): void {
    floor = ++counter;
    entries.clear();
    keysByTenant.clear();
    generations.clear();
    bytes = 0;
  }

  function invalidate(tenantId: string): void {
    if (tenantId === '*') return clearAll();
    generations.set(tenantId, ++counter);
    const keys = keysByTenant.get(tenantId);
    if (keys === undefined) return;
    for (const k of keys) {
      const e = entries.get(k);
      if (e !== undefined) {
        entries.delete(k);
        bytes -= e.value.bytes;
      }
    }
    keysByTenant.delete(tenantId);
  }

  function get(tenantId: string, key: string): V | undefined {
    if (!live) return undefined;
    const k = fullKey(tenantId, key);
    const e = entries.get(k);
    if (e === undefined) return undefined;
    if (e.generation !== generationOf(tenantId) || (maxAgeMs !== Number.POSITIVE_INFINITY && now() - e.storedAt > maxAgeMs)) {
      remove(k, e);
      return undefined;
    }
    if (clock - e.touched > entries.size >> 1) {
      entries.delete(k);
      entries.set(k, e);
      e.touched = ++clock;
    }
    return e.value;
  }

  function store(tenantId: string, key: string, generation: number, value: V): void {
    if (!live || !enabled || value.bytes > maxEntryBytes || generation !== generationOf(tenantId)) return;
    const k = fullKey(tenantId, key);
    const old = entries.get(k);
    if (old !== undefined) remove(k, old);
    entries.set(k, { tenantId, generation, storedAt: now(), value, touched: ++clock });
    bytes += value.bytes;
    let keys = keysByTenant.get(tenantId);
    if (keys === undefined) keysByTenant.set(tenantId, (keys = new Set()));
    keys.add(k);
    for (const [victimKey, victim] of entries) {
      if (bytes <= maxBytes) break;
      remove(victimKey, victim);
    }
  }

  return {
    get(tenantId, key) {
      const hit = get(tenantId, key);
      if (hit !== undefined) hits += 1;
      return hit;
    },
    async getOrLoad(tenantId, key, load, usable) {
      const hit = get(tenantId, key);
      if (hit !== undefined && (usable === undefined || usable(hit))) {
        hits += 1;
        return hit;
      }
      misses += 1;
      const generation = generationOf(tenantId);
      const value = await load();
      if (value !== undefined) store(tenantId, key, generation, value);
      return value;
    },
    invalidate,
    async start() {
      if (!enabled || unsubscribe !== undefined) return;
      let down = false;
      unsubscribe = await db.listen(options.channel, {
        onMessage: (payload) => invalidate(payload === '' ? '*' : payload),
        onReset: (connected) => {
          clearAll();
          live = connected;
          down = !connected;
        },
      });
      // Not listening yet (database unreachable): stay off until the feed reports it is connected.
      if (down) return;
      clearAll();
      live = true;
    },
    async stop() {
      live = false;
      clearAll();
      const u = unsubscribe;
      unsubscribe = undefined;
      await u?.();
    },
    stats: () => ({ entries: entries.size, bytes, live, hits, misses }),
  };
}
