// The catalog part of the management API through the full runtime: EDC bodies, roles, tenant isolation, audit.
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };

describe.each(testEngines())('management catalog API through the runtime on %s', (engine) => {
  let rt: TestRuntime;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    for (const [id, bpn] of [['cat-supplier', 'BPNL0000000CAT01'], ['cat-oem', 'BPNL0000000CAT02']]) {
      const r = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id, displayName: id, bpn });
      keys[id] = (r.body as { adminApiKey: string }).adminApiKey;
    }
  });

  afterAll(async () => {
    await rt.close();
  });

  it('creates an asset with an EDC body; only its tenant can read it', async () => {
    const asset = {
      '@context': EDC, '@id': 'pcf-asset',
      properties: { 'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' }, 'https://w3id.org/catenax/ontology/common#version': '1.1' },
      dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: 'https://example.com/pcf' },
    };
    const created = await call(rt.baseUrl, 'POST', '/management/v3/assets', { 'x-api-key': keys['cat-supplier'] }, asset);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ '@id': 'pcf-asset' });
    expect((await call(rt.baseUrl, 'GET', '/management/v3/assets/pcf-asset', { 'x-api-key': keys['cat-supplier'] })).status).toBe(200);
    expect((await call(rt.baseUrl, 'GET', '/management/v3/assets/pcf-asset', { 'x-api-key': keys['cat-oem'] })).status).toBe(404);
    const listed = await call(rt.baseUrl, 'POST', '/management/v3/assets/request', { 'x-api-key': keys['cat-oem'] }, { '@context': EDC, '@type': 'QuerySpec' });
    expect(listed.body).toEqual([]);
    const dup = await call(rt.baseUrl, 'POST', '/management/v3/assets', { 'x-api-key': keys['cat-supplier'] }, asset);
    expect(dup.status).toBe(409);
    const audit = String((await call(rt.baseUrl, 'GET', '/management/v3/audit', { 'x-api-key': keys['cat-supplier'] })).body);
    expect(audit).toContain('"target":"asset/pcf-asset"');
  });

  it('refuses writes from a viewer and a malformed body with EDC error shapes', async () => {
    const viewer = await call(rt.baseUrl, 'POST', '/management/v3/apikeys', { 'x-api-key': keys['cat-supplier'] }, { name: 'ro', role: 'viewer' });
    const viewerKey = (viewer.body as { key: string }).key;
    const denied = await call(rt.baseUrl, 'DELETE', '/management/v3/assets/pcf-asset', { 'x-api-key': viewerKey });
    expect(denied.status).toBe(403);
    const bad = await call(rt.baseUrl, 'POST', '/management/v3/policydefinitions', { 'x-api-key': keys['cat-supplier'] }, { '@context': EDC, '@id': 'p1', policy: { '@type': 'Set', permission: [{ action: 'use', constraint: [{ leftOperand: 'Nonsense', operator: 'eq', rightOperand: 'x' }] }] } });
    expect(bad.status).toBe(400);
    expect(Array.isArray(bad.body)).toBe(true);
    expect((bad.body as [{ type: string }])[0].type).toBe('BadRequest');
  });

  it('serves the management OpenAPI document', async () => {
    const doc = await call(rt.baseUrl, 'GET', '/management/v3/openapi.json', { 'x-api-key': keys['cat-oem'] });
    expect(doc.status).toBe(200);
    expect((doc.body as { openapi: string }).openapi).toMatch(/^3\.1/);
  });
});
