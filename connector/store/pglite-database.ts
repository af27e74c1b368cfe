// PGlite engine (embedded default): PostgreSQL in WebAssembly persisted to a directory; one connection, serial transactions.
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, SystemTx, TenantTx } from './database';
import { migrationsApplied } from './migrations';
import { privilegedPreamble, SYSTEM_PREAMBLE, tenantPreamble, type OwnerSession, type OwnerTx } from './owner-session';
import { assertTenantId } from './tenant-guard';

export interface PgliteDatabaseOptions {
  /** Directory the database persists to; undefined keeps it in memory (tests). */
  readonly dataDir?: string;
  /** A data-directory dump to start from (tests start each instance from one migrated template). */
  readonly loadDataDir?: Blob | File;
}

export type PgliteDatabase = Database & OwnerSession & {
  /** Dumps the data directory (used to build test templates). */
  dumpDataDir(): Promise<Blob | File>;
};

export async function createPgliteDatabase(options: PgliteDatabaseOptions): Promise<PgliteDatabase> {
  const pg = await PGlite.create({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir !== undefined ? { loadDataDir: options.loadDataDir } : {}),
  });
  let ready = false;

  const rowsOf = (tx: Transaction) => async <R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> =>
    (await tx.query<R>(sql, params as unknown[] | undefined)).rows;

  function inTransaction<T, Tx>(preamble: string | undefined, makeTx: (t: Transaction) => Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
    return pg.transaction(async (t) => {
      if (preamble) await t.exec(preamble);
      return work(makeTx(t));
    });
  }

  const db: PgliteDatabase = {
    engine: 'pglite',
    async withTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
      assertTenantId(tenantId);
      return inTransaction(tenantPreamble(tenantId), (t) => ({ tenantId, query: rowsOf(t) }), work);
    },
    withSystem<T>(work: (tx: SystemTx) => Promise<T>): Promise<T> {
      return inTransaction(SYSTEM_PREAMBLE, (t) => ({ query: rowsOf(t) }), work);
    },
    async withPrivilegedTenant<T>(tenantId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
      assertTenantId(tenantId);
      return inTransaction(privilegedPreamble(tenantId), (t) => ({ tenantId, query: rowsOf(t) }), work);
    },
    withOwner<T>(work: (tx: OwnerTx) => Promise<T>): Promise<T> {
      return inTransaction(undefined, (t): OwnerTx => ({ query: rowsOf(t), exec: async (sql: string) => void (await t.exec(sql)) }), work);
    },
    async isReady(): Promise<boolean> {
      try {
        if (ready) {
          await pg.query('SELECT 1');
          return true;
        }
        ready = await migrationsApplied(db);
        return ready;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      if (!pg.closed) await pg.close();
    },
    dumpDataDir(): Promise<Blob | File> {
      return pg.dumpDataDir('none');
    },
  };
  return db;
}
