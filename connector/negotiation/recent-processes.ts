// Process rows as this runtime last committed them, so a message to one can skip reading it (the version check at COMMIT guards the copy).
import { isConcurrentChange, type StoredProcess } from './process-table';

export interface RecentProcesses<T extends { readonly id: string; readonly tenantId: string }> {
  /**
   * The row as this runtime last committed it, once a save of it still in flight (`saving`) has settled; undefined
   * when unknown. A copy may be stale (another replica, a claim, a write that did not report here): a write based on it
   * must check the version at COMMIT (`updateAtCommit`) and fall back to a locked read when that fails.
   */
  current(tenantId: string, id: string): Promise<StoredProcess<T> | undefined>;
  /** Records a committed row (kept only if newer than the copy held). */
  committed(saved: StoredProcess<T>): void;
  /**
   * Tracks a save of the row in flight, so `current` waits for it: its committed result is recorded; a failure or an
   * undefined result (the save was stale) drops the copy.
   */
  saving<R extends StoredProcess<T> | undefined>(tenantId: string, id: string, save: Promise<R>): Promise<R>;
  /** Drops the copy (a write failed on a stale version). */
  forget(tenantId: string, id: string): void;
  /** Drops every copy of the tenant's rows (the tenant was erased). */
  forgetTenant(tenantId: string): void;
  /** Rows held. */
  count(): number;
}

export interface RecentProcessesOptions<T> {
  /** Rows kept at most; the least recently committed go first. */
  readonly maxEntries?: number;
  /** States in which no message is expected any more: such rows are dropped instead of kept. */
  readonly isFinal?: (entity: T) => boolean;
}

export function createRecentProcesses<T extends { readonly id: string; readonly tenantId: string }>(options: RecentProcessesOptions<T> = {}): RecentProcesses<T> {
  const maxEntries = options.maxEntries ?? 2_000;
  const rows = new Map<string, StoredProcess<T>>();
  /** Per row, the save in flight: settles (never rejects) once it has, and has been recorded. */
  const inFlight = new Map<string, Promise<void>>();
  const keyOf = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

  function committed(saved: StoredProcess<T>): void {
    const key = keyOf(saved.entity.tenantId, saved.entity.id);
    const held = rows.get(key);
    if (held !== undefined && held.version >= saved.version) return;
    rows.delete(key);
    if (options.isFinal?.(saved.entity) === true) return;
    rows.set(key, saved);
    if (rows.size > maxEntries) rows.delete(rows.keys().next().value as string);
  }

  return {
    async current(tenantId, id) {
      const key = keyOf(tenantId, id);
      // A save started while waiting is waited for too.
      for (let pending = inFlight.get(key); pending !== undefined; pending = inFlight.get(key)) await pending;
      return rows.get(key);
    },
    committed,
    saving(tenantId, id, save) {
      const key = keyOf(tenantId, id);
      const tracked = save.then(
        (saved) => {
          if (saved === undefined) rows.delete(key);
          else committed(saved);
          return saved;
        },
        (err: unknown) => {
          rows.delete(key);
          throw err;
        },
      );
      const settled: Promise<void> = tracked.then(() => undefined, () => undefined).then(() => {
        if (inFlight.get(key) === settled) inFlight.delete(key);
      });
      inFlight.set(key, settled);
      return tracked;
    },
    forget(tenantId, id) {
      rows.delete(keyOf(tenantId, id));
    },
    forgetTenant(tenantId) {
      forgetKeysOf(rows, tenantId);
    },
    count: () => rows.size,
  };
}

/** Deletes the entries of `tenantId` from a map keyed `${tenantId}\u0000${id}`. */
export function forgetKeysOf(map: Map<string, unknown>, tenantId: string): void {
  const prefix = `${tenantId}\u0000`;
  for (const key of [...map.keys()]) if (key.startsWith(prefix)) map.delete(key);
}

/** What a write to a process row is based on: the row this transaction locked, or a copy checked at COMMIT. */
export type ProcessBase = 'locked' | 'at-commit';

/** Thrown in a transaction based on a copy to roll it back and decide on the locked row instead (e.g. a refusal). */
export const STALE_COPY: Error = new Error('decide on the locked row instead of the copy');

/**
 * The result of a transaction based on a copy, or undefined when it must be redone on the locked row: the copy was
 * stale (`updateAtCommit` failed the commit) or the transaction threw `STALE_COPY`; both rolled back everything.
 */
export async function onCopy<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (err === STALE_COPY || isConcurrentChange(err)) return undefined;
    throw err;
  }
}
