// Test helper: a scratch schema on the local PostgreSQL with minimal tenants/app_current_tenant() and the footprints migration.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { TenantTx } from '../../../connector/store/database';

export const MIGRATION = path.resolve(__dirname, '../../../connector/store/migrations/0100_footprints.sql');

export interface Scratch {
  readonly client: Client;
  readonly schema: string;
  tx(tenantId: string): TenantTx;
  close(): Promise<void>;
}

/** Creates the scratch schema; without a `pcf_app` role (tests create no roles) the migration's GRANT is skipped. */
export async function openScratch(tenants: readonly string[]): Promise<Scratch> {
  const client = new Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' });
  await client.connect();
  const schema = `pact_scratch_${randomBytes(6).toString('hex')}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  await client.query('CREATE TABLE tenants (id text PRIMARY KEY)');
  await client.query(`CREATE FUNCTION app_current_tenant() RETURNS text LANGUAGE plpgsql STABLE AS $$
    DECLARE t text := current_setting('app.tenant_id', true);
    BEGIN
      IF t IS NULL OR t = '' THEN RAISE EXCEPTION 'no tenant set'; END IF;
      RETURN t;
    END $$`);
  let sql = readFileSync(MIGRATION, 'utf8');
  const role = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'pcf_app'");
  if (role.rowCount === 0) sql = sql.replace(/^GRANT [^;]+ TO pcf_app;$/gm, '');
  await client.query(sql);
  for (const t of tenants) await client.query('INSERT INTO tenants (id) VALUES ($1)', [t]);
  return {
    client,
    schema,
    tx(tenantId) {
      return {
        tenantId,
        async query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]> {
          return (await client.query(text, params as unknown[] | undefined)).rows as R[];
        },
        defer() {
          throw new Error('the footprint store never defers statements');
        },
      };
    },
    async close() {
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
