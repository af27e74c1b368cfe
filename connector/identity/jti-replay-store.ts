// Remembers SI-token ids per audience DID until the token expires, so no jti is accepted twice (in memory or SQL).
import type { Database, TxGuard } from '../store/database';

/** SQLSTATE of `identity_jti_admit` (migration 0320) when the token id was used before. */
const REPLAYED_SQLSTATE = 'PCF01';

/** True when a transaction failed because its admission found the token id used before. */
export function isReplayedError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === REPLAYED_SQLSTATE;
}

/**
 * The one-time use of an inbound token's id, recorded before the request it authenticated has any effect: as the
 * first statement of the request's first tenant transaction (a `TxGuard`: a replay aborts that transaction), or on
 * its own (`confirm`) when the request opens no transaction.
 */
export interface ReplayAdmission extends TxGuard {
  /** `open`: not recorded yet; `pending`: inside a transaction in flight; `recorded`; `replayed`: used before. */
  readonly state: 'open' | 'pending' | 'recorded' | 'replayed';
  /** Records the id now unless a transaction did: true when the id was fresh, false on replay. */
  confirm(): Promise<boolean>;
}

/** Replay protection for token ids. Entries are keyed by (audience DID, jti) and live until the token's expiry. */
export interface JtiReplayStore {
  /**
   * Records `jti` for `audience` until `expiresAt`. Returns true when it was not seen before (or its earlier entry
   * has expired), false on replay. Must be atomic across replicas.
   */
  remember(audience: string, jti: string, expiresAt: Date): Promise<boolean>;
  /** The admission of `jti` for `audience` until `expiresAt`, to be recorded within the request (`ReplayAdmission`). */
  admit(audience: string, jti: string, expiresAt: Date): ReplayAdmission;
  /** Deletes expired entries; returns how many. */
  purgeExpired(): Promise<number>;
}

/** An admission whose statement (if any) records the id in a transaction, and which `remember` records otherwise. */
class StoreAdmission implements ReplayAdmission {
  state: ReplayAdmission['state'];

  constructor(
    private readonly statement: { readonly sql: string; readonly params: readonly unknown[] } | undefined,
    private readonly record: () => Promise<boolean>,
    initial: ReplayAdmission['state'] = 'open',
  ) {
    this.state = initial;
  }

  take(): { readonly sql: string; readonly params: readonly unknown[] } | undefined {
    if (this.state !== 'open' || this.statement === undefined) return undefined;
    this.state = 'pending';
    return this.statement;
  }

  settle(committed: boolean, error?: unknown): void {
    if (this.state !== 'pending') return;
    this.state = committed ? 'recorded' : isReplayedError(error) ? 'replayed' : 'open';
  }

  async confirm(): Promise<boolean> {
    if (this.state === 'pending') throw new Error('the token id is being recorded by a transaction still in flight');
    if (this.state === 'open') this.state = (await this.record()) ? 'recorded' : 'replayed';
    return this.state === 'recorded';
  }
}

/** Single-process store (embedded mode, tests). */
export function createInMemoryJtiReplayStore(deps: { now: () => Date; maxEntries?: number }): JtiReplayStore {
  const entries = new Map<string, number>();
  const maxEntries = deps.maxEntries ?? 100_000;
  function purge(): number {
    const now = deps.now().getTime();
    let removed = 0;
    for (const [key, exp] of entries) {
      if (exp <= now) {
        entries.delete(key);
        removed++;
      }
    }
    return removed;
  }
  function rememberNow(audience: string, jti: string, expiresAt: Date): boolean {
    const key = `${audience}\n${jti}`;
    const seen = entries.get(key);
    if (seen !== undefined && seen > deps.now().getTime()) return false;
    if (entries.size >= maxEntries) purge();
    if (entries.size >= maxEntries) throw new Error('jti replay store is full');
    entries.set(key, expiresAt.getTime());
    return true;
  }
  return {
    async remember(audience, jti, expiresAt) {
      return rememberNow(audience, jti, expiresAt);
    },
    // In one process the check is immediate and atomic: the admission is decided before the request goes on.
    admit(audience, jti, expiresAt) {
      const fresh = rememberNow(audience, jti, expiresAt);
      return new StoreAdmission(undefined, async () => fresh, fresh ? 'recorded' : 'replayed');
    },
    async purgeExpired() {
      return purge();
    },
  };
}

/**
 * PostgreSQL/PGlite store on table `identity_jti_replay` (migration 0300). Not tenant data: the audience DID
 * already identifies the tenant, and rows vanish within minutes, so it runs in system transactions.
 *
 * Group commit: a `remember` starts its own transaction at once when fewer than `maxConcurrentWrites` are running;
 * otherwise it joins the next one, which records every waiting jti with one multi-row INSERT (the same atomic
 * ON CONFLICT rule per row). A serial caller therefore pays exactly one transaction, and N concurrent requests share
 * far fewer than N. Within one batch a repeated (audience, jti) is a replay of the first.
 */
export function createSqlJtiReplayStore(deps: { db: Pick<Database, 'withSystem'>; now: () => Date; maxConcurrentWrites?: number; maxBatch?: number }): JtiReplayStore {
  interface Waiting {
    readonly audience: string;
    readonly jti: string;
    readonly expiresAt: Date;
    resolve(fresh: boolean): void;
    reject(err: unknown): void;
  }
  const maxConcurrent = Math.max(1, deps.maxConcurrentWrites ?? 2);
  const maxBatch = Math.max(1, deps.maxBatch ?? 500);
  let queue: Waiting[] = [];
  let writing = 0;

  async function write(batch: readonly Waiting[]): Promise<void> {
    const key = (audience: string, jti: string) => `${audience}\n${jti}`;
    const unique = new Map<string, Waiting>();
    const repeats: Waiting[] = [];
    for (const w of batch) {
      if (unique.has(key(w.audience, w.jti))) repeats.push(w);
      else unique.set(key(w.audience, w.jti), w);
    }
    const rows = [...unique.values()];
    try {
      const inserted = await deps.db.withSystem((tx) =>
        tx.query<{ audience_did: string; jti: string }>(
          `INSERT INTO identity_jti_replay (audience_did, jti, expires_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
           ON CONFLICT (audience_did, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at
             WHERE identity_jti_replay.expires_at <= $4
           RETURNING audience_did, jti`,
          [rows.map((r) => r.audience), rows.map((r) => r.jti), rows.map((r) => r.expiresAt.toISOString()), deps.now().toISOString()],
          { last: true },
        ),
        // Like a replay cache in memory, losing the last moment of entries in a database crash is harmless (a token
        // lives minutes and is audience-bound); waiting for the WAL flush on every DSP request is not.
        { durable: false },
      );
      const fresh = new Set(inserted.map((r) => key(r.audience_did, r.jti)));
      for (const r of rows) r.resolve(fresh.has(key(r.audience, r.jti)));
      for (const r of repeats) r.resolve(false);
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  function pump(): void {
    while (writing < maxConcurrent && queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      writing++;
      void write(batch).finally(() => {
        writing--;
        pump();
      });
    }
  }

  function remember(audience: string, jti: string, expiresAt: Date): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      queue.push({ audience, jti, expiresAt, resolve, reject });
      pump();
    });
  }

  return {
    remember,
    admit(audience, jti, expiresAt) {
      const statement = { sql: 'SELECT identity_jti_admit($1, $2, $3, $4)', params: [audience, jti, expiresAt.toISOString(), deps.now().toISOString()] };
      return new StoreAdmission(statement, () => remember(audience, jti, expiresAt));
    },
    async purgeExpired() {
      const rows = await deps.db.withSystem((tx) =>
        tx.query('DELETE FROM identity_jti_replay WHERE expires_at <= $1 RETURNING jti', [deps.now().toISOString()]),
      );
      return rows.length;
    },
  };
}
