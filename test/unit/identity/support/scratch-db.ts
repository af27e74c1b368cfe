// Test database: a scratch schema on the local PostgreSQL with minimal `tenants` and `app_current_tenant()`, plus migration 0300.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import type { Database, SystemTx, TenantTx } from '../../../../connector/store/database';
import { withDeferred } from '../../../support/deferring-tx';

export interface ScratchDb extends Pick<Database, 'withTenant' | 'withSystem'> {
  readonly schema: string;
  /** Runs raw SQL in the scratch schema as the connecting (super)user. */
  raw<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  addTenant(id: string): Promise<void>;
  drop(): Promise<void>;
}

const MIGRATION = path.resolve(__dirname, '../../../../connector/store/migrations/0300_identity.sql');

export async function createScratchDb(): Promise<ScratchDb> {
  const pool = new Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
  const schema = `identity_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const setup = await pool.connect();
  try {
    await setup.query(`CREATE SCHEMA ${schema}`);
    await setup.query(`SET search_path TO ${schema}`);
    await setup.query('CREATE TABLE tenants (id text PRIMARY KEY)');
    await setup.query(`CREATE FUNCTION app_current_tenant() RETURNS text LANGUAGE plpgsql STABLE AS $$
      DECLARE t text := current_setting('app.tenant_id', true);
      BEGIN
        IF t IS NULL OR t = '' THEN RAISE EXCEPTION 'app.tenant_id is not set'; END IF;
        RETURN t;
      END $$`);
    // No roles may be created here: grant to the connecting user instead of pcf_app.
    const sql = readFileSync(MIGRATION, 'utf8').replace(/\bTO pcf_app\b/g, 'TO CURRENT_USER');
    await setup.query(sql);
  } finally {
    await setup.query('RESET search_path');
    setup.release();
  }

  async function inTx<T>(tenantId: string | undefined, work: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL search_path TO ${schema}`);
      if (tenantId !== undefined) await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  const run = (c: PoolClient) => async <R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> =>
    (await c.query(sql, params as unknown[] | undefined)).rows as R[];

  return {
    schema,
    withTenant: <T>(tenantId: string, work: (tx: TenantTx) => Promise<T>) => inTx(tenantId, (c) => withDeferred(tenantId, run(c), work)),
    withSystem: <T>(work: (tx: SystemTx) => Promise<T>) => inTx(undefined, (c) => work({ query: run(c) })),
    raw: (sql, params) => inTx(undefined, (c) => run(c)(sql, params)),
    addTenant: async (id) => {
      await inTx(undefined, (c) => c.query('INSERT INTO tenants (id) VALUES ($1)', [id]));
    },
    drop: async () => {
      try {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
