// Remembers SI-token ids per audience DID until the token expires, so no jti is accepted twice (in memory or SQL).
import type { Database } from '../store/database';

/** Replay protection for token ids. Entries are keyed by (audience DID, jti) and live until the token's expiry. */
export interface JtiReplayStore {
  /**
   * Records `jti` for `audience` until `expiresAt`. Returns true when it was not seen before (or its earlier entry
   * has expired), false on replay. Must be atomic across replicas.
   */
  remember(audience: string, jti: string, expiresAt: Date): Promise<boolean>;
  /** Deletes expired entries; returns how many. */
  purgeExpired(): Promise<number>;
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
  return {
    async remember(audience, jti, expiresAt) {
      const key = `${audience}\n${jti}`;
      const seen = entries.get(key);
      if (seen !== undefined && seen > deps.now().getTime()) return false;
      if (entries.size >= maxEntries) purge();
      if (entries.size >= maxEntries) throw new Error('jti replay store is full');
      entries.set(key, expiresAt.getTime());
      return true;
    },
    async purgeExpired() {
      return purge();
    },
  };
}

/**
 * PostgreSQL/PGlite store on table `identity_jti_replay` (migration 0300). Not tenant data: the audience DID
 * already identifies the tenant, and rows vanish within minutes, so it runs in system transactions.
 */
export function createSqlJtiReplayStore(deps: { db: Pick<Database, 'withSystem'>; now: () => Date }): JtiReplayStore {
  return {
    async remember(audience, jti, expiresAt) {
      const rows = await deps.db.withSystem((tx) =>
        tx.query(
          `INSERT INTO identity_jti_replay (audience_did, jti, expires_at) VALUES ($1, $2, $3)
           ON CONFLICT (audience_did, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at
             WHERE identity_jti_replay.expires_at <= $4
           RETURNING jti`,
          [audience, jti, expiresAt.toISOString(), deps.now().toISOString()],
        ),
      );
      return rows.length === 1;
    },
    async purgeExpired() {
      const rows = await deps.db.withSystem((tx) =>
        tx.query('DELETE FROM identity_jti_replay WHERE expires_at <= $1 RETURNING jti', [deps.now().toISOString()]),
      );
      return rows.length;
    },
  };
}
