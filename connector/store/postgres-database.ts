// PostgreSQL engine (production): a pg pool; every tenant transaction switches to the pcf_app role so RLS applies.
import { Pool, types } from 'pg';
import type { Database } from './database';
import type { OwnerSession } from './owner-session';
import { createPostgresListener } from './postgres-listener';
import { transactionalDatabase } from './transactional-database';

export interface PostgresDatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Milliseconds a statement may run before PostgreSQL cancels it. */
  readonly statementTimeoutMs?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** int8 as JS number (counts, sequence numbers); numeric stays text (decimals); everything else as pg's defaults. */
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return (v: string) => Number(v);
  if (oid === NUMERIC_OID) return (v: string) => v;
  return types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

export type PostgresDatabase = Database & OwnerSession;

export function createPostgresDatabase(options: PostgresDatabaseOptions): PostgresDatabase {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    types: { getTypeParser: typeParser as typeof types.getTypeParser },
  });
  // An idle client's connection error must not crash the process; the pool replaces the client.
  pool.on('error', () => undefined);
  // Notifications need a session of their own: a pooled connection is shared and may be replaced at any time.
  const listener = createPostgresListener({ url: options.url });

  return transactionalDatabase('postgres', {
    async transaction(preamble, work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        // One round trip opens the transaction, switches role and binds the tenant (the id is validated: a slug).
        await client.query(preamble ? `BEGIN; ${preamble}` : 'BEGIN');
        const result = await work({
          query: async <R extends object>(sql: string, params?: readonly unknown[]) => (await client.query(sql, params as unknown[] | undefined)).rows as R[],
          exec: async (sql: string) => void (await client.query(sql)),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    ping: async () => void (await pool.query('SELECT 1')),
    listen: (channel, handlers) => listener.listen(channel, handlers),
    close: async () => {
      await listener.close();
      await pool.end();
    },
  });
}
