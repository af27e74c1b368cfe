// PostgreSQL engine (production): a pg pool; every tenant transaction switches to the pcf_app role so RLS applies.
import { Pool, types, type QueryResult } from 'pg';
import type { Database, QueryOptions } from './database';
import type { OwnerSession } from './owner-session';
import { createPostgresListener } from './postgres-listener';
import { inlineParameters } from './sql-inline';
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
    async transaction(preamble, work, options) {
      const client = await pool.connect();
      const opening = preamble ? `BEGIN; ${preamble}` : 'BEGIN';
      // BEGIN (with the role switch and tenant binding) is not sent on its own: it travels in one simple-protocol round
      // trip with the transaction's first statement when that statement's parameters can be inlined as literals, and
      // a transaction that issues no statement sends nothing at all.
      let begun = false;
      let broken: Error | undefined;
      const first = async (sql: string, params: readonly unknown[] | undefined): Promise<QueryResult | undefined> => {
        begun = true;
        const inlined = inlineParameters(sql, params ?? []);
        if (inlined === undefined) {
          await client.query(opening);
          return undefined;
        }
        const results = (await client.query(`${opening}; ${inlined}`)) as unknown as QueryResult[];
        return results[results.length - 1];
      };
      const deferred: { sql: string; params: readonly unknown[] }[] = [];
      // Set once COMMIT has been sent with a statement marked `last`.
      let committed = false;
      /**
       * COMMIT, preceded by the deferred statements in order: inlined, they travel in COMMIT's simple-protocol round
       * trip (a failing one aborts the transaction and the rest of the string, so the COMMIT never happens); one that
       * cannot be inlined runs on the extended protocol after those queued before it.
       */
      const commit = async (queue: readonly { sql: string; params: readonly unknown[] }[]): Promise<void> => {
        const send = async (script: string): Promise<void> => {
          const sql = begun ? script : `${opening}; ${script}`;
          // Set before the round trip: if the script fails after its BEGIN, the catch below must roll back.
          begun = true;
          await client.query(sql);
        };
        let script: string[] = [];
        for (const d of queue) {
          const inlined = inlineParameters(d.sql, d.params);
          if (inlined !== undefined) {
            script.push(inlined);
            continue;
          }
          if (script.length > 0) await send(script.join('; '));
          else if (!begun) {
            begun = true;
            await client.query(opening);
          }
          script = [];
          await client.query(d.sql, d.params as unknown[]);
        }
        if (script.length > 0) await send([...script, 'COMMIT'].join('; '));
        else if (begun) await client.query('COMMIT');
        else if (options?.eager === true) await send('COMMIT');
      };
      try {
        const result = await work({
          query: async <R extends object>(sql: string, params?: readonly unknown[], options?: QueryOptions) => {
            if (committed) throw new Error('a statement after the transaction\'s last one');
            if (options?.last === true && deferred.length === 0) {
              const inlined = inlineParameters(sql, params ?? []);
              if (inlined !== undefined) {
                const head = begun ? '' : `${opening}; `;
                begun = true;
                committed = true;
                const results = (await client.query(`${head}${inlined}; COMMIT`)) as unknown as QueryResult[];
                return (results[results.length - 2] as QueryResult).rows as R[];
              }
            }
            if (!begun) {
              const combined = await first(sql, params);
              if (combined !== undefined) return combined.rows as R[];
            }
            return (await client.query(sql, params as unknown[] | undefined)).rows as R[];
          },
          exec: async (sql: string) => {
            if (!begun) {
              begun = true;
              await client.query(`${opening}; ${sql}`);
              return;
            }
            await client.query(sql);
          },
          defer: (sql: string, params?: readonly unknown[]) => {
            if (committed) throw new Error('a deferred statement after the transaction\'s last one');
            deferred.push({ sql, params: params ?? [] });
          },
        });
        if (!committed) await commit(deferred);
        return result;
      } catch (err) {
        try {
          if (begun) await client.query('ROLLBACK');
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
