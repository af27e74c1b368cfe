// /management/v3/assets over HTTP: EDC bodies in @vocab/prefixed/expanded form, status codes, roles, tenancy, audit.
import request from 'supertest';
import { readAudit } from '../../../connector/audit/audit-log';
import { cx0136Asset, openCatalogApp, EDC, type CatalogApp } from './catalog-app';

const VOCAB = { '@vocab': EDC, dct: 'http://purl.org/dc/terms/' };

function vocabAsset(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': VOCAB, '@type': 'Asset', '@id': id,
    properties: { name: `asset ${id}`, 'dct:type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' }, ...extra },
    privateProperties: { owner: 'team-a' },
    dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: 'https://backend/api', proxyPath: 'true', 'header:X-Key': 'k' },
  };
}

describe('asset routes', () => {
  let t: CatalogApp;
  beforeAll(async () => {
    t = await openCatalogApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates the CX-0136 PCF asset (edc: prefixed form) and returns it compact with an inline context', async () => {
    const created = await request(t.app).post('/management/v3/assets').send(cx0136Asset()).expect(200);
    expect(created.body).toMatchObject({ '@type': 'IdResponse', '@id': 'c34018ab-5820-4065-9087-416d78e1ab60', createdAt: Date.parse('2025-06-01T12:00:00Z') });
    const got = await request(t.app).get('/management/v3/assets/c34018ab-5820-4065-9087-416d78e1ab60').expect(200);
    expect(got.body).toMatchObject({
      '@id': 'c34018ab-5820-4065-9087-416d78e1ab60', '@type': 'Asset',
      properties: {
        id: 'c34018ab-5820-4065-9087-416d78e1ab60', 'dct:type': { '@id': 'cx-taxo:PcfExchange' }, 'cx-common:version': '1.1',
        'rdfs:label': 'PCF Data', contentType: 'application/json', 'aas-semantics:semanticId': { '@id': 'urn:samm:io.catenax.pcf:8.0.0#Pcf' },
      },
      dataAddress: { '@type': 'DataAddress', type: 'HttpData', proxyBody: 'true', proxyMethod: 'true' },
      '@context': { '@vocab': EDC, 'cx-taxo': 'https://w3id.org/catenax/taxonomy#', dct: 'http://purl.org/dc/terms/' },
    });
    expect(typeof got.body['@context']).toBe('object');
  });

  it('creates from @vocab and from expanded bodies, generates an id when none is given', async () => {
    await request(t.app).post('/management/v3/assets').send(vocabAsset('a-vocab')).expect(200);
    const expanded = {
      '@id': 'a-expanded', '@type': [`${EDC}Asset`],
      [`${EDC}properties`]: [{ [`${EDC}name`]: [{ '@value': 'expanded' }] }],
      [`${EDC}dataAddress`]: [{ [`${EDC}type`]: [{ '@value': 'HttpData' }] }],
    };
    await request(t.app).post('/management/v3/assets').set('content-type', 'application/ld+json').send(JSON.stringify(expanded)).expect(200);
    const got = await request(t.app).get('/management/v3/assets/a-expanded').expect(200);
    expect(got.body.properties).toEqual({ name: 'expanded', id: 'a-expanded' });
    const noId = await request(t.app).post('/management/v3/assets').send({ '@context': VOCAB, properties: {}, dataAddress: { type: 'HttpData' } }).expect(200);
    expect(noId.body['@id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 409 for a duplicate id and 400 with EDC error arrays for invalid bodies', async () => {
    const dup = await request(t.app).post('/management/v3/assets').send(vocabAsset('a-vocab')).expect(409);
    expect(dup.body).toEqual([{ message: 'Asset a-vocab already exists', type: 'ObjectConflict', path: null, invalidValue: null }]);
    const noAddress = await request(t.app).post('/management/v3/assets').send({ '@context': VOCAB, '@id': 'x', properties: {} }).expect(400);
    expect(noAddress.body).toEqual([{ message: `${EDC}dataAddress: mandatory object 'dataAddress' is missing`, type: 'BadRequest', path: `${EDC}dataAddress`, invalidValue: null }]);
    const noType = await request(t.app).post('/management/v3/assets').send({ '@context': VOCAB, '@id': 'x', properties: {}, dataAddress: { baseUrl: 'u' } }).expect(400);
    expect(noType.body[0]).toMatchObject({ type: 'BadRequest', path: `${EDC}dataAddress.${EDC}type` });
    const overlap = await request(t.app).post('/management/v3/assets').send({ '@context': VOCAB, '@id': 'x', properties: { a: 1 }, privateProperties: { a: 2 }, dataAddress: { type: 'HttpData' } }).expect(400);
    expect(overlap.body[0].message).toContain(`${EDC}a`);
    const badJson = await request(t.app).post('/management/v3/assets').set('content-type', 'application/json').send('{"oops":').expect(400);
    expect(badJson.body).toEqual([{ message: 'the request body is not valid JSON', type: 'BadRequest', path: null, invalidValue: null }]);
    const remote = await request(t.app).post('/management/v3/assets').send({ '@context': 'https://attacker.example/ctx', properties: {} }).expect(400);
    expect(remote.body[0].message).toContain('never fetched');
    await request(t.app).post('/management/v3/assets').send('not json at all').set('content-type', 'text/plain').expect(400);
  });

  it('queries with a QuerySpec: filter on dct:type @id, sort, paging; invalid specs are 400', async () => {
    await request(t.app).post('/management/v3/assets').send(vocabAsset('a-other', { 'dct:type': { '@id': 'https://w3id.org/catenax/taxonomy#DigitalTwinRegistry' } })).expect(200);
    const spec = {
      '@context': { '@vocab': EDC }, '@type': 'QuerySpec', sortField: 'id', sortOrder: 'DESC',
      filterExpression: [{ operandLeft: "'http://purl.org/dc/terms/type'.'@id'", operator: '=', operandRight: 'https://w3id.org/catenax/taxonomy#PcfExchange' }],
    };
    const r = await request(t.app).post('/management/v3/assets/request').send(spec).expect(200);
    expect(r.body.map((a: { '@id': string }) => a['@id'])).toEqual(['c34018ab-5820-4065-9087-416d78e1ab60', 'a-vocab']);
    expect(r.body[0]['@context']['@vocab']).toBe(EDC);
    const page = await request(t.app).post('/management/v3/assets/request').send({ '@context': { '@vocab': EDC }, offset: 1, limit: 1 }).expect(200);
    expect(page.body).toHaveLength(1);
    const all = await request(t.app).post('/management/v3/assets/request').expect(200);
    expect(all.body.length).toBeGreaterThanOrEqual(5);
    const bad = await request(t.app).post('/management/v3/assets/request').send({ '@context': { '@vocab': EDC }, limit: 0 }).expect(400);
    expect(bad.body[0]).toMatchObject({ type: 'BadRequest', path: 'limit', invalidValue: 0 });
    const op = await request(t.app).post('/management/v3/assets/request').send({ '@context': { '@vocab': EDC }, filterExpression: [{ operandLeft: 'id', operator: 'matches', operandRight: 'x' }] }).expect(400);
    expect(op.body[0].path).toBe('filterExpression[0].operator');
  });

  it('updates with PUT (204) and deletes (204); unknown ids are 404', async () => {
    await request(t.app).put('/management/v3/assets').send(vocabAsset('a-vocab', { name: 'renamed' })).expect(204);
    const got = await request(t.app).get('/management/v3/assets/a-vocab').expect(200);
    expect(got.body.properties.name).toBe('renamed');
    expect(got.body.privateProperties).toEqual({ owner: 'team-a' });
    await request(t.app).put('/management/v3/assets').send(vocabAsset('nope')).expect(404);
    const missingId = { ...vocabAsset('x') };
    delete missingId['@id'];
    await request(t.app).put('/management/v3/assets').send(missingId).expect(400);
    await request(t.app).delete('/management/v3/assets/a-other').expect(204);
    const gone = await request(t.app).get('/management/v3/assets/a-other').expect(404);
    expect(gone.body[0]).toMatchObject({ type: 'ObjectNotFound' });
    await request(t.app).delete('/management/v3/assets/a-other').expect(404);
  });

  it('lets a viewer read but not write', async () => {
    await request(t.app).get('/management/v3/assets/a-vocab').set('x-test-role', 'viewer').expect(200);
    await request(t.app).post('/management/v3/assets/request').set('x-test-role', 'viewer').expect(200);
    const denied = await request(t.app).post('/management/v3/assets').set('x-test-role', 'viewer').send(vocabAsset('v')).expect(403);
    expect(denied.body[0].type).toBe('NotAuthorized');
    await request(t.app).put('/management/v3/assets').set('x-test-role', 'viewer').send(vocabAsset('a-vocab')).expect(403);
    await request(t.app).delete('/management/v3/assets/a-vocab').set('x-test-role', 'viewer').expect(403);
    await request(t.app).get('/management/v3/assets/v').expect(404);
  });

  it("hides another tenant's assets: 404 on read, update and delete, nothing listed", async () => {
    const asBeta = (r: request.Test): request.Test => r.set('x-test-tenant', 'beta');
    await asBeta(request(t.app).get('/management/v3/assets/a-vocab')).expect(404);
    await asBeta(request(t.app).put('/management/v3/assets')).send(vocabAsset('a-vocab')).expect(404);
    await asBeta(request(t.app).delete('/management/v3/assets/a-vocab')).expect(404);
    const list = await asBeta(request(t.app).post('/management/v3/assets/request')).expect(200);
    expect(list.body).toEqual([]);
    await asBeta(request(t.app).post('/management/v3/assets')).send(vocabAsset('a-vocab')).expect(200);
  });

  it('appends an audit record in the same transaction for every change, none for reads or failures', async () => {
    const records = await t.db.withTenant('alpha', (tx) => readAudit(tx));
    expect(records.map((r) => [r.action, r.target])).toEqual([
      ['asset.create', 'asset/c34018ab-5820-4065-9087-416d78e1ab60'],
      ['asset.create', 'asset/a-vocab'],
      ['asset.create', 'asset/a-expanded'],
      ['asset.create', expect.stringMatching(/^asset\/[0-9a-f-]{36}$/)],
      ['asset.create', 'asset/a-other'],
      ['asset.update', 'asset/a-vocab'],
      ['asset.delete', 'asset/a-other'],
    ]);
    expect(records[0]).toMatchObject({ actor: 'api-key:alpha-admin', afterDigest: expect.any(String), beforeDigest: null });
    expect(records[5]).toMatchObject({ beforeDigest: expect.any(String), afterDigest: expect.any(String) });
    const beta = await t.db.withTenant('beta', (tx) => readAudit(tx));
    expect(beta.map((r) => r.action)).toEqual(['asset.create']);
  });

  it('serves the OpenAPI document of the covered endpoints', async () => {
    const doc = await request(t.app).get('/management/v3/openapi.json').set('x-test-role', 'viewer').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining([
      '/assets', '/assets/request', '/assets/{id}', '/policydefinitions/{id}/evaluationplan', '/policydefinitions/{id}/explain', '/contractdefinitions',
    ]));
    expect(doc.body.paths['/assets'].put).toBeDefined();
    expect(doc.body.paths['/policydefinitions/{id}'].put).toBeDefined();
    expect(doc.body.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
  });

  it('turns an unexpected fault into a 500 whose body carries only an error id', async () => {
    const broken = await openCatalogApp();
    await broken.close();
    const r = await request(broken.app).get('/management/v3/assets/a-vocab').expect(500);
    expect(r.body).toEqual([{ message: expect.stringMatching(/^internal error \(error id [0-9a-f-]{36}\)$/), type: 'InternalError', path: null, invalidValue: null }]);
  });
});
