// The whole product through one real runtime: a supplier publishes, an OEM negotiates over DSP and reads footprints with its EDR.
import { pcfAccessPolicy, pcfUsagePolicy } from '../../policies/templates';
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { dspBase, EDC, eventually, managementOf, negotiate, publishPcf, startTransfer } from './support/runtime-flow-steps';
import { edrOf } from './support/transfer-steps';

const PROTOCOL = 'dataspace-protocol-http:2025-1';

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
    const sup = managementOf(rt, supplierKey);
    const oem = managementOf(rt, oemKey);

    // Supplier: a footprint, the PCF asset, the CX-0136 policies and a contract definition.
    const footprint = { id: await publishPcf(rt, sup, 'supplier') };

    // OEM: catalog, negotiation, transfer — only through its management API.
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const target = { protocol: PROTOCOL, address: dspBase(rt, 'supplier', PROTOCOL), counterPartyId: supplierDid } as const;
    const { agreementId } = await negotiate(oem, target);
    const tid = encodeURIComponent(await startTransfer(oem, target, agreementId));
    const edr = await edrOf(oem, decodeURIComponent(tid));
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
    const sup = managementOf(rt, supplierKey);
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
