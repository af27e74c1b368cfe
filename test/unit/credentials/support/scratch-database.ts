// Test-only Database over pg in a scratch schema: minimal tenants + app_current_tenant(), the 0200 migration, RLS as a non-superuser.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import type { Database, SystemTx, TenantTx } from '../../../../connector/store/database';
import { withDeferred } from '../../../support/deferring-tx';

export interface ScratchDatabase extends Database {
  readonly schema: string;
  /** Adds tenant rows (the core store owns this table in production). */
  addTenants(...ids: string[]): Promise<void>;
  /** Runs raw SQL as the superuser in the scratch schema (to inspect what is stored at rest). */
  raw<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Drops the scratch schema and closes the pool. */
  destroy(): Promise<void>;
}

const MIGRATION = path.resolve(__dirname, '../../../../connector/store/migrations/0200_credentials.sql');

/**
 * Creates the scratch schema. No roles are created: when `pcf_app` exists it is used, otherwise the migration's grants
 * go to PUBLIC and tenant transactions run as the built-in non-superuser role `pg_monitor`, so RLS really applies.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const pool = new Pool({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', max: 4 });
  const schema = `cred_test_${randomBytes(6).toString('hex')}`;
  const roles = await pool.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname = 'pcf_app'`);
  const appRole = roles.rowCount === 1 ? 'pcf_app' : 'pg_monitor';
  let migration = readFileSync(MIGRATION, 'utf8');
  if (appRole !== 'pcf_app') migration = migration.replace(/TO pcf_app;/g, 'TO PUBLIC;');
  const setup = await pool.connect();
  try {
    await setup.query('BEGIN');
    await setup.query(`CREATE SCHEMA ${schema}`);
    await setup.query(`SET LOCAL search_path TO ${schema}`);
    await setup.query('CREATE TABLE tenants (id text PRIMARY KEY)');
    await setup.query(`CREATE FUNCTION app_current_tenant() RETURNS text LANGUAGE plpgsql STABLE AS $$
      DECLARE t text := current_setting('app.tenant_id', true);
      BEGIN
        IF t IS NULL OR t = '' THEN RAISE EXCEPTION 'no tenant set'; END IF;
        RETURN t;
      END $$`);
    await setup.query(migration);
    await setup.query(`GRANT USAGE ON SCHEMA ${schema} TO ${appRole === 'pcf_app' ? 'pcf_app' : 'PUBLIC'}`);
    await setup.query('COMMIT');
  } catch (error) {
    await setup.query('ROLLBACK');
    throw error;
  } finally {
    setup.release();
  }

  async function inTx<T>(tenantId: string | undefined, role: string | undefined, work: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL search_path TO ${schema}`);
      if (tenantId !== undefined) await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      if (role !== undefined) await client.query(`SET LOCAL ROLE ${role}`);
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
  const txOf = (c: PoolClient) => async <R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> =>
    (await c.query(sql, params === undefined ? undefined : [...params])).rows as R[];

  return {
    engine: 'postgres',
    schema,
    withTenant: <T>(tenantId: string, work: (tx: TenantTx) => Promise<T>) => inTx(tenantId, appRole, (c) => withDeferred(tenantId, txOf(c), work)),
    withSystem: <T>(work: (tx: SystemTx) => Promise<T>) => inTx(undefined, appRole, (c) => work({ query: txOf(c) })),
    withPrivilegedTenant: <T>(tenantId: string, work: (tx: TenantTx) => Promise<T>) => inTx(tenantId, undefined, (c) => withDeferred(tenantId, txOf(c), work)),
    isReady: async () => true,
    // The credential tests never subscribe to change feeds.
    listen: () => Promise.reject(new Error('scratch databases have no notification channels')),
    close: async () => undefined,
    async addTenants(...ids) {
      await inTx(undefined, undefined, async (c) => {
        for (const id of ids) await c.query('INSERT INTO tenants (id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
      });
    },
    raw: <R extends object>(sql: string, params?: readonly unknown[]) => inTx(undefined, undefined, (c) => txOf(c)<R>(sql, params)),
    async destroy() {
      try {
        await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
