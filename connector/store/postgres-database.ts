// PostgreSQL engine (production): a pg pool; every tenant transaction switches to the pcf_app role so RLS applies.
import { Pool, types, type PoolClient } from 'pg';
import type { Database, SystemTx, TenantTx } from './database';
import { migrationsApplied } from './migrations';
import { privilegedPreamble, SYSTEM_PREAMBLE, tenantPreamble, type OwnerSession, type OwnerTx } from './owner-session';
import { assertTenantId } from './tenant-guard';

export interface PostgresDatabaseOptions {
  readonly url: string;
  readonly poolSize: number;
  /** Milliseconds a statement may run before PostgreSQL cancels it. */
  readonly statementTimeoutMs?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** int8 as JS number (counts, sequence numbers); everything else as pg's defaults. */
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
  let ready = false;

  async function inTransaction<T, Tx>(preamble: string | undefined, makeTx: (c: PoolClient) => Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(preamble ? `BEGIN; ${preamble}` : 'BEGIN');
      const result = await work(makeTx(client));
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
  }

  const rowsOf = (c: PoolClient) => async <R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> =>
    (await c.query(sql, params as unknown[] | undefined)).rows as R[];

  const db: PostgresDatabase = {
    engine: 'postgres',
    async withTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
      assertTenantId(tenantId);
      return inTransaction(tenantPreamble(tenantId), (c) => ({ tenantId, query: rowsOf(c) }), work);
    },
    withSystem<T>(work: (tx: SystemTx) => Promise<T>): Promise<T> {
      return inTransaction(SYSTEM_PREAMBLE, (c) => ({ query: rowsOf(c) }), work);
    },
    async withPrivilegedTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
      assertTenantId(tenantId);
      return inTransaction(privilegedPreamble(tenantId), (c) => ({ tenantId, query: rowsOf(c) }), work);
    },
    withOwner<T>(work: (tx: OwnerTx) => Promise<T>): Promise<T> {
      return inTransaction(
        undefined,
        (c): OwnerTx => ({ query: rowsOf(c), exec: async (sql: string) => void (await c.query(sql)) }),
        work,
      );
    },
    async isReady(): Promise<boolean> {
      try {
        if (ready) {
          await pool.query('SELECT 1');
          return true;
        }
        ready = await migrationsApplied(db);
        return ready;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
  return db;
}
