// Opens fresh, migrated databases for tests: PGlite from the run's dump, PostgreSQL as a copy of the run's template.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import type { Database } from '../../connector/store/database';
import type { OwnerSession } from '../../connector/store/owner-session';
import { createPgliteDatabase } from '../../connector/store/pglite-database';
import { createPostgresDatabase } from '../../connector/store/postgres-database';
import { adminUrl, withDatabase } from './pg-urls';

/** A test database; `url` is set on PostgreSQL (a second connection can play another replica). */
export type TestDatabase = Database & OwnerSession & { readonly url?: string };
export type EngineName = 'pglite' | 'postgres';

/** The engines to run store tests on: PostgreSQL only when the run's template exists (always in CI). */
export function testEngines(): EngineName[] {
  return process.env.PCF_TEST_PG_TEMPLATE ? ['pglite', 'postgres'] : ['pglite'];
}

export async function openTestDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const path = process.env.PCF_TEST_PGLITE_TEMPLATE;
    if (!path) throw new Error('PCF_TEST_PGLITE_TEMPLATE is not set: run tests through jest (global setup)');
    return createPgliteDatabase({ loadDataDir: new Blob([readFileSync(path)]) });
  }
  const template = process.env.PCF_TEST_PG_TEMPLATE;
  if (!template) throw new Error('PCF_TEST_PG_TEMPLATE is not set: PostgreSQL is unavailable');
  const name = `pcf_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const db = createPostgresDatabase({ url: withDatabase(name), poolSize: 4 });
  return {
    ...db,
    url: withDatabase(name),
    async close() {
      await db.close();
      const drop = new Client({ connectionString: adminUrl() });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

/** Inserts a tenant row directly (store-level tests that do not go through the tenancy service). */
export async function insertTenantRow(db: Database, id: string, bpn = `BPNL${id.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(12, '0').slice(0, 12)}`): Promise<void> {
  await db.withSystem((tx) =>
    tx.query("INSERT INTO tenants (id, display_name, bpn, region, credential_mode) VALUES ($1, $2, $3, 'eu-central-1', 'local')", [id, id, bpn]),
  );
}
