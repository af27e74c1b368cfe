// Jest global teardown: drops the run's PostgreSQL template and PGlite dump.
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { adminUrl } from './pg-urls';

export default async function globalTeardown(): Promise<void> {
  const dump = process.env.PCF_TEST_PGLITE_TEMPLATE;
  if (dump) rmSync(dump, { force: true });
  const template = process.env.PCF_TEST_PG_TEMPLATE;
  if (!template) return;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.end();
}
