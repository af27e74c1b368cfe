// The whole product through one real runtime: a supplier publishes, an OEM negotiates over DSP and reads footprints with its EDR.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pcfAccessPolicy, pcfUsagePolicy } from '../../policies/templates';
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const SPECS = resolve(__dirname, '../../../shared/specs');
const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
const PROTOCOL = 'dataspace-protocol-http:2025-1';

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(testEngines())('supplier → OEM through the runtime on %s', (engine) => {
  let rt: TestRuntime;
  let supplierKey: string;
  let oemKey: string;

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const op = { authorization: `Bearer ${rt.operatorKey}` };
    const s = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'supplier', displayName: 'Supplier AG', bpn: 'BPNL00000000SUPP' });
    const o = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'oem', displayName: 'OEM SE', bpn: 'BPNL000000000OEM' });
    expect([s.status, o.status]).toEqual([201, 201]);
    supplierKey = (s.body as { adminApiKey: string }).adminApiKey;
    oemKey = (o.body as { adminApiKey: string }).adminApiKey;
  });

  afterAll(async () => {
    await rt.close();
  });

  it('catalog → negotiation → agreement → transfer → footprints with the EDR token → terminate revokes access', async () => {
    const sup = (method: string, path: string, body?: unknown) => call(rt.baseUrl, method, `/management/v3${path}`, { 'x-api-key': supplierKey }, body);
    const oem = (method: string, path: string, body?: unknown) => call(rt.baseUrl, method, `/management/v3${path}`, { 'x-api-key': oemKey }, body);

    // Supplier: a footprint, the PCF asset, the CX-0136 policies and a contract definition.
    const footprint = JSON.parse(readFileSync(resolve(SPECS, 'pact/v3/examples/example-1.json'), 'utf8')) as { id: string };
    expect((await sup('POST', '/footprints', footprint)).status).toBeLessThan(300);
    expect((await sup('POST', '/assets', {
      '@context': EDC, '@id': 'pcf-exchange',
      properties: { 'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' } },
      dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: `${rt.baseUrl}/tenants/supplier/pact` },
    })).status).toBe(200);
    const access = pcfAccessPolicy({});
    const usage = pcfUsagePolicy({});
    expect((await sup('POST', '/policydefinitions', access)).status).toBe(200);
    expect((await sup('POST', '/policydefinitions', usage)).status).toBe(200);
    expect((await sup('POST', '/contractdefinitions', {
      '@context': EDC, '@id': 'pcf-contract', accessPolicyId: access['@id'], contractPolicyId: usage['@id'],
      assetsSelector: [{ operandLeft: 'https://w3id.org/edc/v0.0.1/ns/id', operator: '=', operandRight: 'pcf-exchange' }],
    })).status).toBe(200);

    // OEM: catalog, negotiation, transfer — only through its management API.
    const supplierDid = (await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string };
    const dsp = `${rt.baseUrl}/tenants/supplier/dsp/2025-1`;
    const catalog = await oem('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', counterPartyId: supplierDid.id, counterPartyAddress: dsp, protocol: PROTOCOL });
    expect(catalog.status).toBe(200);
    const dataset = ((catalog.body as { dataset: Record<string, unknown>[] }).dataset).find((d) => d['@id'] === 'pcf-exchange') as Record<string, unknown>;
    expect(dataset).toBeDefined();
    const offer = (dataset.hasPolicy as Record<string, unknown>[])[0];
    const negotiation = await oem('POST', '/contractnegotiations', {
      '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
      '@type': 'ContractRequest', counterPartyAddress: dsp, counterPartyId: supplierDid.id, protocol: PROTOCOL, policy: { ...offer, target: 'pcf-exchange' },
    });
    expect(negotiation.status).toBe(200);
    const nid = encodeURIComponent((negotiation.body as { '@id': string })['@id']);
    await eventually(() => oem('GET', `/contractnegotiations/${nid}/state`), (r) => (r.body as { state?: string }).state === 'FINALIZED');
    const agreementId = ((await oem('GET', `/contractnegotiations/${nid}`)).body as { contractAgreementId: string }).contractAgreementId;
    const transfer = await oem('POST', '/transferprocesses', {
      '@context': EDC, '@type': 'TransferRequest', contractId: agreementId, counterPartyAddress: dsp, protocol: PROTOCOL,
      transferType: 'HttpData-PULL', dataDestination: { type: 'HttpProxy' },
    });
    expect(transfer.status).toBe(200);
    const tid = encodeURIComponent((transfer.body as { '@id': string })['@id']);
    await eventually(() => oem('GET', `/transferprocesses/${tid}/state`), (r) => (r.body as { state?: string }).state === 'STARTED');
    const edr = (await oem('GET', `/edrs/${tid}/dataaddress`)).body as { endpoint: string; authorization: string };
    expect(edr.endpoint).toBe(`${rt.baseUrl}/tenants/supplier/pact`);

    // The EDR token reads the supplier's footprints on its PACT host, and only there.
    const bearer = { authorization: `Bearer ${edr.authorization}` };
    const one = await call(rt.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprint.id}`, bearer);
    expect(one.status).toBe(200);
    expect((one.body as { data: { id: string } }).data.id).toBe(footprint.id);
    const list = await call(rt.baseUrl, 'GET', '/tenants/supplier/pact/3/footprints?limit=10', bearer);
    expect((list.body as { data: unknown[] }).data).toHaveLength(1);
    expect((await call(rt.baseUrl, 'GET', '/tenants/oem/pact/3/footprints', bearer)).status).toBe(401);

    // Terminating the transfer stops the token at once, although it has not expired.
    expect((await oem('POST', `/transferprocesses/${tid}/terminate`, { reason: 'done' })).status).toBe(204);
    await eventually(() => oem('GET', `/transferprocesses/${tid}/state`), (r) => (r.body as { state?: string }).state === 'TERMINATED');
    await eventually(() => call(rt.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprint.id}`, bearer), (r) => r.status === 401);
  }, 60_000);

  it('hides an offer whose access policy excludes the partner, and refuses unauthenticated DSP calls', async () => {
    const sup = (method: string, path: string, body?: unknown) => call(rt.baseUrl, method, `/management/v3${path}`, { 'x-api-key': supplierKey }, body);
    const restricted = pcfAccessPolicy({ bpns: ['BPNL0000000OTHER'], id: 'pcf-access-other' });
    expect((await sup('POST', '/policydefinitions', restricted)).status).toBe(200);
    expect((await sup('POST', '/assets', { '@context': EDC, '@id': 'pcf-private', properties: {}, dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: 'https://example.com' } })).status).toBe(200);
    expect((await sup('POST', '/contractdefinitions', {
      '@context': EDC, '@id': 'private-contract', accessPolicyId: 'pcf-access-other', contractPolicyId: pcfUsagePolicy({})['@id'],
      assetsSelector: [{ operandLeft: 'https://w3id.org/edc/v0.0.1/ns/id', operator: '=', operandRight: 'pcf-private' }],
    })).status).toBe(200);
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const catalog = await call(rt.baseUrl, 'POST', '/management/v3/catalog/request', { 'x-api-key': oemKey }, {
      '@context': EDC, '@type': 'CatalogRequest', counterPartyId: supplierDid, counterPartyAddress: `${rt.baseUrl}/tenants/supplier/dsp/2025-1`, protocol: PROTOCOL,
    });
    const ids = ((catalog.body as { dataset: { '@id': string }[] }).dataset).map((d) => d['@id']);
    expect(ids).toContain('pcf-exchange');
    expect(ids).not.toContain('pcf-private');

    const anonymous = await call(rt.baseUrl, 'POST', '/tenants/supplier/dsp/2025-1/catalog/request', {}, { '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'], '@type': 'CatalogRequestMessage' });
    expect(anonymous.status).toBe(404);
    expect(JSON.stringify(anonymous.body)).not.toContain('pcf-exchange');
  });
});
