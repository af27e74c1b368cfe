// PGlite engine (embedded default): PostgreSQL in WebAssembly persisted to a directory; one connection, serial transactions.
import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryOptions } from './database';
import type { OwnerSession } from './owner-session';
import { transactionalDatabase } from './transactional-database';

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
  const db = transactionalDatabase('pglite', {
    transaction: (preamble, work) =>
      pg.transaction(async (t) => {
        if (preamble) await t.exec(preamble);
        const deferred: { sql: string; params: readonly unknown[] | undefined }[] = [];
        // The same rule as on PostgreSQL, where COMMIT travels with a statement marked last: nothing may follow it.
        let ended = false;
        const result = await work({
          query: async <R extends object>(sql: string, params?: readonly unknown[], options?: QueryOptions) => {
            if (ended) throw new Error('a statement after the transaction\'s last one');
            if (options?.last === true && deferred.length === 0) ended = true;
            return (await t.query<R>(sql, params as unknown[] | undefined)).rows;
          },
          exec: async (sql: string) => void (await t.exec(sql)),
          defer: (sql: string, params?: readonly unknown[]) => {
            if (ended) throw new Error('a deferred statement after the transaction\'s last one');
            deferred.push({ sql, params });
          },
        });
        for (const d of deferred) await t.query(d.sql, d.params as unknown[] | undefined);
        return result;
      }),
    ping: async () => void (await pg.query('SELECT 1')),
    // One embedded session: every notification is delivered in-process and none can be missed.
    listen: async (channel, handlers) => {
      const stop = await pg.listen(channel, (payload) => handlers.onMessage(payload));
      return async () => {
        if (!pg.closed) await stop();
      };
    },
    close: async () => {
      if (!pg.closed) await pg.close();
    },
  });
  return { ...db, dumpDataDir: () => pg.dumpDataDir('none') };
}
