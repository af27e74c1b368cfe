// Store on real PostgreSQL (scratch schema): CRUD, keyset paging, tenant scoping, lifecycle, and SQL = in-memory matcher.
import { readFileSync } from 'node:fs';
import { toV2 } from '../../../pcf-exchange-module/model/convert-v2-v3';
import { indexFields } from '../../../pcf-exchange-module/model/index-fields';
import type { PactFootprint } from '../../../pcf-exchange-module/model/pact-types';
import type { FootprintFilter } from '../../../pcf-exchange-module/query/filter-ast';
import { matchesFilter } from '../../../pcf-exchange-module/query/match';
import { parseODataFilter } from '../../../pcf-exchange-module/query/odata-filter';
import { parseV3QueryParams, type QueryParams } from '../../../pcf-exchange-module/query/v3-query-params';
import { createFootprintLifecycle } from '../../../pcf-exchange-module/store/footprint-lifecycle';
import type { FootprintStore } from '../../../pcf-exchange-module/store/footprint-store';
import { createSqlFootprintStore } from '../../../pcf-exchange-module/store/sql-footprint-store';
import { MIGRATION, openScratch, type Scratch } from './pg-scratch';
import { sampleFootprints } from './sample-footprints';

const samples = sampleFootprints(40);
let scratch: Scratch;
let clock = new Date('2026-01-01T00:00:00Z');
let store: FootprintStore;

function v2(filter: string): FootprintFilter {
  const r = parseODataFilter(filter);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}
function v3(q: QueryParams): FootprintFilter {
  const r = parseV3QueryParams(q);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function expectedIds(filter: FootprintFilter, set: readonly PactFootprint[]): string[] {
  return set
    .map(indexFields)
    .filter((f) => matchesFilter(filter, f))
    .sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((f) => f.id);
}

async function listAll(tenant: string, filter: FootprintFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.list(scratch.tx(tenant), { filter, limit, cursor });
    if (!page.ok) throw new Error(page.message);
    expect(page.value.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.value.items.map((i) => i.footprint.doc.id.toLowerCase()));
    if (page.value.nextCursor === null) return ids;
    cursor = page.value.nextCursor;
  }
  throw new Error('paging did not end');
}

beforeAll(async () => {
  scratch = await openScratch(['t1', 't2']);
  store = createSqlFootprintStore({ now: () => clock });
  const r = await store.insertMany(scratch.tx('t1'), samples);
  expect(r).toEqual({ ok: true, value: samples.length });
  const other = await store.insertMany(scratch.tx('t2'), samples.slice(0, 5));
  expect(other).toEqual({ ok: true, value: 5 });
});

afterAll(async () => {
  await scratch?.close();
});

describe('footprints migration', () => {
  it('does not hard-code a schema and creates the table with forced row-level security and a tenant policy', async () => {
    const sql = readFileSync(MIGRATION, 'utf8');
    expect(sql).not.toMatch(/\bpublic\.|search_path|CREATE SCHEMA/i);
    const t = await scratch.client.query(
      "SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'footprints'",
      [scratch.schema],
    );
    expect(t.rows).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
    const p = await scratch.client.query('SELECT qual, with_check FROM pg_policies WHERE schemaname = $1 AND tablename = $2', [scratch.schema, 'footprints']);
    expect(p.rows[0].qual).toContain('app_current_tenant()');
    expect(p.rows[0].with_check).toContain('app_current_tenant()');
  });
});

const FILTERS: readonly (readonly [string, FootprintFilter])[] = [
  ['all', { kind: 'true' }],
  ['v2 created ge', v2(`created ge '${samples[10].doc.created}'`)],
  ['v2 created lt', v2("created lt '2024-03-01T00:00:00Z'")],
  ['v2 created eq', v2(`created eq '${samples[5].doc.created}'`)],
  ['v2 updated le', v2("updated le '2025-05-15T12:00:00Z'")],
  ['v2 cpc eq', v2("productCategoryCpc eq '101'")],
  ['v2 cpc gt', v2("productCategoryCpc gt '101'")],
  ['v2 country eq', v2("pcf/geographyCountry eq 'DE'")],
  ['v2 country lt', v2("pcf/geographyCountry lt 'E'")],
  ['v2 reference period', v2("pcf/referencePeriodStart ge '2022-01-01T00:00:00Z' and pcf/referencePeriodEnd le '2024-06-01T00:00:00Z'")],
  ['v2 productIds any', v2("productIds/any(p:(p eq 'urn:gtin:1002'))")],
  ['v2 companyIds any mixed case', v2("companyIds/any(c:(c eq 'URN:COMPANY:EXAMPLE:C1'))")],
  ['v2 and', v2("productIds/any(p:(p eq 'urn:product:mixed:7')) and created ge '2024-01-01T00:00:00Z'")],
  ['v3 productId OR', v3({ productId: ['urn:gtin:1000', 'urn:gtin:1003'] })],
  ['v3 companyId', v3({ companyId: 'urn:company:example:c2' })],
  ['v3 geography country', v3({ geography: 'fr' })],
  ['v3 geography region', v3({ geography: 'Western Europe' })],
  ['v3 geography subdivision', v3({ geography: ['US-NY', 'XX'] })],
  ['v3 classification', v3({ classification: 'urn:pact:productclassification:un-cpc:102' })],
  ['v3 validOn', v3({ validOn: '2024-06-01T00:00:00Z' })],
  ['v3 validAfter', v3({ validAfter: '2023-01-01T00:00:00Z' })],
  ['v3 validBefore', v3({ validBefore: '2025-07-01T00:00:00Z' })],
  ['v3 status', v3({ status: 'Deprecated' })],
  ['v3 status AND productId', v3({ status: 'Active', productId: 'urn:gtin:1001' })],
  ['v3 bogus status', v3({ status: 'BogusStatus' })],
  ['v3 bogus company OR', v3({ companyId: ['urn:bogus:a', 'urn:bogus:b'] })],
  ['v3 validOn 1900', v3({ validOn: '1900-01-01T00:00:00Z' })],
];

describe('SQL compile results equal the in-memory matcher', () => {
  it.each(FILTERS)('%s', async (_name, filter) => {
    const expected = expectedIds(filter, samples);
    expect(await listAll('t1', filter, 7)).toEqual(expected);
    expect(await store.count(scratch.tx('t1'), filter)).toBe(expected.length);
  });

  it('uses filters that discriminate (neither all nor none for most)', () => {
    const sizes = FILTERS.map(([, f]) => expectedIds(f, samples).length);
    expect(sizes.filter((n) => n > 0 && n < samples.length).length).toBeGreaterThan(18);
  });
});

describe('SqlFootprintStore', () => {
  it('pages in stable (created, id) order without repeating or skipping, never above the limit', async () => {
    const all = await listAll('t1', { kind: 'true' }, 1000);
    expect(all).toHaveLength(samples.length);
    for (const limit of [1, 3, 40, 41]) expect(await listAll('t1', { kind: 'true' }, limit)).toEqual(all);
    const last = await store.list(scratch.tx('t1'), { filter: { kind: 'true' }, limit: 40 });
    expect(last.ok && last.value.nextCursor).toBeNull();
  });

  it('reads a page in index order and stops at the limit: the plan has no sort (keyset pages stay cheap at any size)', async () => {
    const seen: { sql: string; params: unknown[] }[] = [];
    const base = scratch.tx('t1');
    const spy = { ...base, query: <R extends object>(sql: string, params?: readonly unknown[]) => {
      seen.push({ sql, params: [...(params ?? [])] });
      return base.query<R>(sql, params);
    } };
    const first = await store.list(spy, { filter: { kind: 'true' }, limit: 2 });
    expect(first.ok && first.value.nextCursor).toBeTruthy();
    await store.list(spy, { filter: v3({ status: 'Active' }), limit: 2, cursor: first.ok ? first.value.nextCursor ?? undefined : undefined });
    expect(seen).toHaveLength(2);
    await scratch.client.query('BEGIN');
    try {
      // A table this small would be read sequentially; the question is whether an index can deliver the order.
      await scratch.client.query('SET LOCAL enable_seqscan TO off');
      for (const q of seen) {
        const plan = JSON.stringify((await scratch.client.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params)).rows);
        expect(plan).not.toContain('"Sort"');
        expect(plan).toContain('Index Scan');
      }
    } finally {
      await scratch.client.query('ROLLBACK');
    }
  });

  it('refuses an invalid limit or cursor', async () => {
    expect((await store.list(scratch.tx('t1'), { filter: { kind: 'true' }, limit: 0 })).ok).toBe(false);
    const r = await store.list(scratch.tx('t1'), { filter: { kind: 'true' }, limit: 5, cursor: 'garbage!' });
    expect(r).toEqual(expect.objectContaining({ ok: false, reason: 'bad-request' }));
  });

  it('caps a page at maxPageSize', async () => {
    const capped = createSqlFootprintStore({ maxPageSize: 4 });
    const r = await capped.list(scratch.tx('t1'), { filter: { kind: 'true' }, limit: 100 });
    expect(r.ok && r.value.items.length).toBe(4);
  });

  it('gets by id (any case), returns not-found for unknown, malformed and other tenants\' ids', async () => {
    const id = samples[1].doc.id;
    const r = await store.get(scratch.tx('t1'), id.toUpperCase());
    expect(r.ok && r.value.footprint).toEqual(samples[1]);
    expect((await store.get(scratch.tx('t1'), '00000000-0000-0000-0000-000000000000')).ok).toBe(false);
    expect(await store.get(scratch.tx('t1'), 'nope')).toEqual(expect.objectContaining({ reason: 'not-found' }));
    expect((await store.get(scratch.tx('t2'), samples[20].doc.id)).ok).toBe(false);
    expect(await store.count(scratch.tx('t2'), { kind: 'true' })).toBe(5);
  });

  it('refuses duplicate inserts, all-or-nothing for batches', async () => {
    expect(await store.insert(scratch.tx('t1'), samples[0])).toEqual(expect.objectContaining({ ok: false, reason: 'conflict' }));
    const fresh = sampleFootprints(45).slice(40);
    const r = await store.insertMany(scratch.tx('t2'), [...fresh, samples[0]]);
    expect(r).toEqual(expect.objectContaining({ ok: false, reason: 'conflict' }));
    expect(await store.count(scratch.tx('t2'), { kind: 'true' })).toBe(5);
    const dup = await store.insertMany(scratch.tx('t2'), [fresh[0], fresh[0]]);
    expect(dup).toEqual(expect.objectContaining({ ok: false, reason: 'conflict' }));
  });
});

describe('lifecycle', () => {
  let n = 0;
  const lifecycle = () => createFootprintLifecycle({ store, now: () => clock, newId: () => `aaaaaaaa-0000-4000-8000-${String(++n).padStart(12, '0')}` });

  it('v2 update keeps the id, bumps version and updated, keeps created', async () => {
    const target = samples.find((s) => s.version === '2' && s.doc.status === 'Active');
    if (target?.version !== '2') throw new Error('no v2 sample');
    clock = new Date('2026-02-01T00:00:00Z');
    const next = { ...target.doc, comment: 'recalculated', created: '2030-01-01T00:00:00Z' };
    const r = await lifecycle().updateV2(scratch.tx('t1'), target.doc.id, next);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.version).toBe(target.doc.version + 1);
    expect(r.value.updated).toBe('2026-02-01T00:00:00.000Z');
    const stored = await store.get(scratch.tx('t1'), target.doc.id);
    expect(stored.ok && stored.value.footprint.doc).toEqual(expect.objectContaining({ comment: 'recalculated', created: target.doc.created, version: target.doc.version + 1 }));
    expect(await lifecycle().updateV2(scratch.tx('t1'), samples[0].doc.id, next)).toEqual(expect.objectContaining({ ok: false, reason: 'conflict' }));
  });

  it('v3 change creates a new id with the old one preceding, and deprecates the old', async () => {
    const target = samples.find((s) => s.version === '3' && s.doc.status === 'Active');
    if (target?.version !== '3') throw new Error('no v3 sample');
    clock = new Date('2026-03-01T00:00:00Z');
    const r = await lifecycle().reviseV3(scratch.tx('t1'), target.doc.id, { ...target.doc, comment: 'new data' });
    if (!r.ok) throw new Error(r.message);
    const current = r.value.current.footprint.doc;
    expect(current.id).not.toBe(target.doc.id);
    expect(current.precedingPfIds).toContain(target.doc.id);
    expect(current.created).toBe('2026-03-01T00:00:00.000Z');
    expect(r.value.deprecated.footprint.doc.status).toBe('Deprecated');
    expect(r.value.deprecated.version).toBe(1);
    const served = toV2(r.value.deprecated.footprint, r.value.deprecated);
    expect(served.ok && served.value).toEqual(expect.objectContaining({ version: 1, updated: '2026-03-01T00:00:00.000Z', status: 'Deprecated' }));
    const deprecatedNow = await store.list(scratch.tx('t1'), { filter: v3({ status: 'Deprecated', productId: target.doc.productIds[0] }), limit: 100 });
    expect(deprecatedNow.ok && deprecatedNow.value.items.map((i) => i.footprint.doc.id)).toContain(target.doc.id);
    expect(await lifecycle().reviseV3(scratch.tx('t1'), target.doc.id, target.doc)).toEqual(expect.objectContaining({ ok: false, reason: 'conflict' }));
  });

  it('deprecate sets the status once; unknown ids are not found', async () => {
    const target = samples.find((s) => s.doc.status === 'Active' && s.version === '2' && s.doc.id !== samples[1].doc.id);
    if (target === undefined) throw new Error('no sample');
    const first = await lifecycle().deprecate(scratch.tx('t1'), target.doc.id);
    const again = await lifecycle().deprecate(scratch.tx('t1'), target.doc.id);
    expect(first.ok && first.value.footprint.doc.status).toBe('Deprecated');
    expect(again.ok && again.value.version).toBe(first.ok && first.value.version);
    expect((await lifecycle().deprecate(scratch.tx('t1'), '11111111-1111-4111-8111-111111111111')).ok).toBe(false);
  });
});
