// Jest global setup: one migrated PGlite dump and one migrated PostgreSQL template database per test run.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../connector/store/migrations';
import { createPgliteDatabase } from '../../connector/store/pglite-database';
import { createPostgresDatabase } from '../../connector/store/postgres-database';
import { adminUrl, withDatabase } from './pg-urls';

export default async function globalSetup(): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const pglite = await createPgliteDatabase({});
  await applyMigrations(pglite);
  const dump = await pglite.dumpDataDir();
  await pglite.close();
  const dumpPath = join(tmpdir(), `pcf-pglite-template-${runId}.tar`);
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
  process.env.PCF_TEST_PGLITE_TEMPLATE = dumpPath;

  const admin = new Client({ connectionString: adminUrl() });
  try {
    await admin.connect();
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI but unreachable at ${adminUrl()}: ${(err as Error).message}`, { cause: err });
    console.warn(`PostgreSQL unreachable (${(err as Error).message}); PostgreSQL variants of the store tests will be skipped`);
    return;
  }
  const template = `pcf_tpl_${runId}`;
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const db = createPostgresDatabase({ url: withDatabase(template), poolSize: 1 });
  await applyMigrations(db);
  await db.close();
  process.env.PCF_TEST_PG_TEMPLATE = template;
}
