// Bench suite: the cost of row-level security — the same footprint queries through a tenant transaction (app role, RLS)
// and as the table owner without RLS, on PostgreSQL, in the same run.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { applyMigrations } from '../../connector/store/migrations';
import { createPostgresDatabase, type PostgresDatabase } from '../../connector/store/postgres-database';
import { ratioOf, type BenchMetric, type BenchSuite } from '../lib/report';

const ADMIN_URL = process.env.PCF_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TENANTS = 20;
const PER_TENANT = 500;

function dbUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function seed(db: PostgresDatabase): Promise<void> {
  await db.withOwner(async (tx) => {
    await tx.query(`INSERT INTO tenants (id, display_name, bpn, region, credential_mode)
      SELECT 'rls-' || g, 'Tenant ' || g, 'BPNL' || lpad(g::text, 12, '0'), 'eu-central-1', 'local' FROM generate_series(1, ${TENANTS}) g`);
    await tx.query(`INSERT INTO footprints (tenant_id, id, spec_version, pact_version, status, created, product_ids, company_ids, classifications,
        geographies, reference_period_start, reference_period_end, validity_start, validity_end, document)
      SELECT 'rls-' || t, gen_random_uuid(), '3.0.0', '3', CASE WHEN i % 5 = 0 THEN 'Deprecated' ELSE 'Active' END,
        now() - (i || ' minutes')::interval, ARRAY['urn:gtin:' || i], ARRAY['urn:bpn:' || t], ARRAY[]::text[], ARRAY['DE'],
        '2025-01-01', '2026-01-01', '2026-01-01', '2027-01-01', jsonb_build_object('n', i, 'pcf', repeat('x', 800))
      FROM generate_series(1, ${TENANTS}) t, generate_series(1, ${PER_TENANT}) i`);
    await tx.exec('ANALYZE footprints');
  });
}

async function rate(iterations: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations); i++) await op(i);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await op(i);
  return Math.round((iterations / (performance.now() - started)) * 1000);
}

export const suite: BenchSuite = {
  name: 'rls-overhead',
  async run(ctx) {
    const name = `pcf_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const db = createPostgresDatabase({ url: dbUrl(name), poolSize: 2 });
    try {
      await applyMigrations(db);
      ctx.log(`seeding ${TENANTS * PER_TENANT} footprints across ${TENANTS} tenants`);
      await seed(db);
      const ids = await db.withOwner((tx) => tx.query<{ tenant_id: string; id: string }>('SELECT tenant_id, id FROM footprints ORDER BY random() LIMIT 500'));
      const n = ctx.quick ? 500 : 4000;
      const pick = (i: number) => ids[i % ids.length];

      ctx.log('point selects');
      const byIdRls = await rate(n, (i) => db.withTenant(pick(i).tenant_id, (tx) => tx.query('SELECT document FROM footprints WHERE id = $1', [pick(i).id])));
      const byIdOwner = await rate(n, (i) => db.withOwner((tx) => tx.query('SELECT document FROM footprints WHERE tenant_id = $1 AND id = $2', [pick(i).tenant_id, pick(i).id])));
      ctx.log('filtered pages');
      const listSql = "SELECT id, document FROM footprints WHERE status = 'Active' ORDER BY created, id LIMIT 50";
      const listRls = await rate(n / 4, (i) => db.withTenant(pick(i).tenant_id, (tx) => tx.query(listSql)));
      const listOwner = await rate(n / 4, (i) => db.withOwner((tx) => tx.query(listSql.replace('WHERE', 'WHERE tenant_id = $1 AND'), [pick(i).tenant_id])));

      const metric = (label: string, value: number, baseline: number): BenchMetric => ({
        name: label, value, unit: 'transactions/s (serial)', baseline: { name: 'same query as owner, no RLS, explicit tenant filter', value: baseline },
        ratio: ratioOf(value, baseline), ratioNote: 'with RLS ÷ without',
      });
      return {
        suite: 'rls-overhead',
        description: `PostgreSQL, ${TENANTS * PER_TENANT} footprints across ${TENANTS} tenants; each operation is a whole transaction (the RLS side also switches role and sets the tenant)`,
        metrics: [metric('GET footprint by id, RLS (app role)', byIdRls, byIdOwner), metric('filtered page of 50, RLS (app role)', listRls, listOwner)],
      };
    } finally {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  },
};
