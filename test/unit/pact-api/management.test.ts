// Footprint management API on both engines: roles, create/list/get, v2 update and v3 revision, deprecate, bulk and Catena-X import.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { readAudit } from '../../../connector/audit/audit-log';
import { catenaXAspectUrn } from '../../../pcf-exchange-module/model/catenax-to-pact';
import type { ProductFootprintV2, ProductFootprintV3 } from '../../../pcf-exchange-module/model/pact-types';
import { importFootprints } from '../../../pcf-exchange-module/service/import-footprints';
import { catenaXExamples } from '../../conformance/pact/spec-examples';
import { insertTenantRow, testEngines } from '../../support/databases';
import { sampleFootprints } from '../pact/sample-footprints';
import { mgmt, openHarness, type Harness } from './harness';

const samples = sampleFootprints(6);
const v3doc = (): ProductFootprintV3 => ({ ...(samples[0].doc as ProductFootprintV3), id: randomUUID(), status: 'Active' });
const v2doc = (): ProductFootprintV2 => ({ ...(samples[1].doc as ProductFootprintV2), id: randomUUID(), status: 'Active', version: 0 });

describe.each(testEngines())('footprint management on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => { h = await openHarness(engine); });
  afterAll(async () => h.close());
  const as = (role: string, tenant = 'alpha') => mgmt(h.app, tenant, role);

  it('creates a footprint (publisher), reads it (viewer), refuses viewer writes, audits the change', async () => {
    const doc = v3doc();
    const refused = await as('viewer').post('/footprints').send(doc);
    expect(refused.status).toBe(403);
    const created = await as('publisher').post('/footprints').send(doc);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: doc.id, specVersion: '3.0.0', status: 'Active', version: 0 });
    expect(created.headers.location).toBe(`/management/v3/footprints/${doc.id}`);
    const read = await as('viewer').get(`/footprints/${doc.id}`);
    expect(read.status).toBe(200);
    expect(read.body.footprint).toEqual(doc);
    const asV2 = await as('viewer').get(`/footprints/${doc.id}?as=2`);
    expect(asV2.body.footprint.specVersion).toBe('2.3.0');
    const dup = await as('admin').post('/footprints').send(doc);
    expect(dup.status).toBe(409);
    for (const [method, path] of [['put', `/footprints/${doc.id}`], ['delete', `/footprints/${doc.id}`]] as const) {
      expect((await as('viewer')[method](path).send(doc)).status).toBe(403);
    }
    const audit = await h.db.withTenant('alpha', (tx) => readAudit(tx));
    expect(audit.filter((a) => a.action === 'footprint.create' && a.target === `footprint/${doc.id}`)).toHaveLength(1);
    expect(audit.find((a) => a.target === `footprint/${doc.id}`)?.actor).toBe('api-key:publisher-alpha');
  });

  it('refuses an invalid footprint with JSON pointers and reasons', async () => {
    const bad = { ...v3doc(), companyIds: ['not-a-urn'], pcf: { ...v3doc().pcf, declaredUnitAmount: '-1' } } as Record<string, unknown>;
    delete bad.productIds;
    const r = await as('publisher').post('/footprints').send(bad);
    expect(r.status).toBe(400);
    const paths = (r.body as { path: string; type: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/productIds', '/pcf/declaredUnitAmount']));
    expect(r.body[0].type).toBe('BadRequest');
    const noVersion = await as('publisher').post('/footprints').send({ ...v3doc(), specVersion: '9.9.9' });
    expect(noVersion.body[0].path).toBe('/specVersion');
    const wrongFormat = await as('publisher').post('/footprints?format=catenax-1.0.0').send(v3doc());
    expect(wrongFormat.status).toBe(400);
  });

  it('v3: a change mints a new id and deprecates the old one', async () => {
    const doc = v3doc();
    await as('publisher').post('/footprints').send(doc);
    const changed = { ...doc, comment: 'revised' };
    const r = await as('publisher').put(`/footprints/${doc.id}`).send(changed);
    expect(r.status).toBe(200);
    expect(r.body.current.id).not.toBe(doc.id);
    expect(r.body.current.footprint.precedingPfIds).toContain(doc.id);
    expect(r.body.current.footprint.comment).toBe('revised');
    expect(r.body.deprecated).toMatchObject({ id: doc.id, status: 'Deprecated' });
    const again = await as('publisher').put(`/footprints/${doc.id}`).send(changed);
    expect(again.status).toBe(409);
  });

  it('v2: an update keeps the id and bumps version and updated', async () => {
    const doc = v2doc();
    await as('publisher').post('/footprints').send(doc);
    h.advance(60);
    const r = await as('publisher').put(`/footprints/${doc.id}`).send({ ...doc, comment: 'v2 update' });
    expect(r.status).toBe(200);
    expect(r.body.current).toMatchObject({ id: doc.id, version: 1, updated: h.clock.now.toISOString() });
    expect(r.body.current.footprint.comment).toBe('v2 update');
    expect(r.body.deprecated).toBeUndefined();
    const otherId = await as('publisher').put(`/footprints/${doc.id}`).send({ ...doc, id: randomUUID() });
    expect(otherId.status).toBe(400);
  });

  it('deprecates with DELETE; other tenants see 404 for every operation', async () => {
    const doc = v3doc();
    await as('publisher').post('/footprints').send(doc);
    for (const [method, body] of [['get', undefined], ['put', doc], ['delete', undefined]] as const) {
      const r = await as('admin', 'beta')[method](`/footprints/${doc.id}`).send(body);
      expect(r.status).toBe(404);
      expect(r.body[0].type).toBe('ObjectNotFound');
    }
    const del = await as('publisher').delete(`/footprints/${doc.id}`);
    expect(del.status).toBe(200);
    expect(del.body.status).toBe('Deprecated');
    expect((await as('viewer').get(`/footprints/${doc.id}`)).body.status).toBe('Deprecated');
  });

  it('lists with paging and v3 filters', async () => {
    await insertTenantRow(h.db, 'lister');
    const docs = Array.from({ length: 5 }, () => v3doc());
    const bulk = await as('publisher', 'lister').post('/footprints').send(docs);
    expect(bulk.body.imported).toBe(5);
    const page1 = await as('viewer', 'lister').get('/footprints?limit=3');
    expect(page1.body).toHaveLength(3);
    const link = /^<([^>]+)>; rel="next"$/.exec(page1.headers.link as string)?.[1] as string;
    const page2 = await request(h.app).get(link).set({ 'x-test-tenant': 'lister', 'x-test-role': 'viewer' });
    expect(page2.body).toHaveLength(2);
    expect(page2.headers.link).toBeUndefined();
    expect([...page1.body, ...page2.body].map((r: { id: string }) => r.id).sort()).toEqual(docs.map((d) => d.id).sort());
    const none = await as('viewer', 'lister').get('/footprints?status=Deprecated');
    expect(none.body).toEqual([]);
    expect((await as('viewer', 'lister').get('/footprints?limit=x')).status).toBe(400);
  });

  it('bulk import (JSON array and JSON lines) reports per item and stores none of the invalid items', async () => {
    await insertTenantRow(h.db, 'bulk');
    const good = [v3doc(), v2doc(), v3doc()];
    const invalid = { ...v3doc(), pcf: {} };
    const body = [good[0], invalid, good[1], good[0], 'text'];
    const r = await as('publisher', 'bulk').post('/footprints').send(body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ processed: 5, imported: 2, failed: 3 });
    expect(r.body.results.map((x: { ok: boolean }) => x.ok)).toEqual([true, false, true, false, false]);
    expect(r.body.results[1].errors.length).toBeGreaterThan(0);
    expect(r.body.results[3].reason).toBe('conflict');
    const lines = [JSON.stringify(good[2]), '', '{not json', JSON.stringify(invalid)].join('\n');
    const nd = await as('publisher', 'bulk').post('/footprints').set('Content-Type', 'application/x-ndjson').send(lines);
    expect(nd.body).toMatchObject({ processed: 3, imported: 1, failed: 2 });
    const listed = await as('viewer', 'bulk').get('/footprints');
    expect(listed.body.map((x: { id: string }) => x.id).sort()).toEqual(good.map((g) => g.id).sort());
    const jsonl = await as('publisher', 'bulk').post('/footprints').set('Content-Type', 'application/jsonl').send(JSON.stringify(v2doc()));
    expect(jsonl.body.imported).toBe(1);
  });

  it('importFootprints (CLI) reports progress and per-item results in batches', async () => {
    await insertTenantRow(h.db, 'cli');
    async function* items() {
      for (let i = 0; i < 7; i++) yield i === 3 ? { nope: true } : v3doc();
    }
    const progress: number[] = [];
    const report = await importFootprints(h.db, 'cli', items(), (p) => progress.push(p.processed), { batchSize: 2, actor: 'cli:test' });
    expect(report).toMatchObject({ processed: 7, imported: 6, failed: 1 });
    expect(report.results[3]).toMatchObject({ index: 3, ok: false, reason: 'bad-request' });
    expect(progress[progress.length - 1]).toBe(7);
    expect(progress.length).toBeGreaterThan(2);
    const count = await h.db.withTenant('cli', (tx) => tx.query<{ n: string }>('SELECT count(*)::text AS n FROM footprints'));
    expect(count[0].n).toBe('6');
    const audit = await h.db.withTenant('cli', (tx) => readAudit(tx));
    expect(audit.every((a) => a.actor === 'cli:test' && a.action === 'footprint.import')).toBe(true);
  });

  it.each(catenaXExamples().map((e) => [e.version, e.doc] as const))('imports a Catena-X %s PCF, keeping the extension', async (version, doc) => {
    const tenant = `cx-${version.replace(/\./g, '')}`;
    await insertTenantRow(h.db, tenant);
    const explicit = version === '8.0.0' ? `?format=catenax-${version}` : '';
    const r = await as('publisher', tenant).post(`/footprints${explicit}`).send(doc);
    expect(r.status).toBe(201);
    expect(r.body.specVersion).toBe('3.0.0');
    const ext = (r.body.footprint.extensions as { dataSchema: string }[])[0];
    expect(ext.dataSchema).toBe(catenaXAspectUrn(version));
    const asPact = await as('publisher', tenant).post('/footprints?format=pact').send(doc);
    expect(asPact.status).toBe(400);
  });
});
