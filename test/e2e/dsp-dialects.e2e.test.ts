// The older DSP dialects through the real runtime: 2024/1 (DID ids) and legacy 0.8 (BPNL ids), catalog → footprints → end.
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { dspBase, eventually, managementOf, negotiateAndStart, onboard, publishPcf, waitState, type Api, type Protocol } from './support/runtime-flow-steps';

const SUPPLIER_BPN = 'BPNL00000000SUPP';

describe.each(testEngines())('DSP 2024-1 and 0.8 through the runtime on %s', (engine) => {
  let rt: TestRuntime;
  let sup: Api;
  let oem: Api;
  let footprintId: string;
  let supplierDid: string;

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const keys = await onboard(rt, { supplier: SUPPLIER_BPN, oem: 'BPNL000000000OEM' });
    sup = managementOf(rt, keys.supplier);
    oem = managementOf(rt, keys.oem);
    footprintId = await publishPcf(rt, sup, 'supplier');
    supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
  });

  const cases: [string, Protocol, 'did' | 'bpn'][] = [
    ['2024/1', 'dataspace-protocol-http:2024/1', 'did'],
    ['0.8 (BPNL counter-party ids)', 'dataspace-protocol-http', 'bpn'],
  ];

  it.each(cases)('%s: catalog → agreement → transfer → EDR (refreshable) reads footprints → consumer terminates', async (_name, protocol, idKind) => {
    const counterPartyId = idKind === 'did' ? supplierDid : SUPPLIER_BPN;
    const address = dspBase(rt, 'supplier', protocol);
    const flow = await negotiateAndStart(oem, { protocol, address, counterPartyId });
    // The catalog answer is in the dialect asked for: 2024-1 and 0.8 both use the dspace v0.8 namespace in their context.
    expect(JSON.stringify(flow.catalog['@context'])).toContain('https://w3id.org/dspace/');
    expect(JSON.stringify(flow.catalog['@context'])).not.toContain('https://w3id.org/dspace/2025/1/');

    const nid = encodeURIComponent(flow.negotiationId);
    const n = (await oem('GET', `/contractnegotiations/${nid}`)).body as { protocol: string; counterPartyId?: string };
    expect(n.protocol).toBe(protocol);
    const agreement = (await oem('GET', `/contractagreements/${encodeURIComponent(flow.agreementId)}`)).body as Record<string, unknown>;
    // 0.8 names the parties by BPNL, the newer dialects by DID.
    expect(JSON.stringify(agreement)).toContain(idKind === 'did' ? supplierDid : SUPPLIER_BPN);

    // The provider recorded the same dialect for its side. It records STARTED when the consumer's acknowledgement of the
    // start message arrives, which may be just after the consumer itself shows STARTED: wait for it.
    type Row = { '@id': string; protocol: string; contractId: string; state: string };
    const providerSide = () => sup('POST', '/transferprocesses/request', { '@context': { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' }, '@type': 'QuerySpec', limit: 500 })
      .then((r) => (r.body as Row[]).find((t) => t.contractId === flow.agreementId));
    const mine = await eventually(providerSide, (t) => t?.state === 'STARTED');
    expect(mine).toMatchObject({ protocol, state: 'STARTED' });

    const tid = encodeURIComponent(flow.transferId);
    const edr = (await oem('GET', `/edrs/${tid}/dataaddress`)).body as { endpoint: string; authorization: string };
    expect(edr.endpoint).toBe(`${rt.baseUrl}/tenants/supplier/pact`);
    const read = (token: string) => call(rt.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprintId}`, { authorization: `Bearer ${token}` });
    expect((await read(edr.authorization)).status).toBe(200);
    // Refresh works for consumers of every dialect (0.8: the provider's BPNL is resolved to its DID for the client token).
    const refreshed = await oem('POST', `/edrs/${tid}/refresh`);
    expect(refreshed.status).toBe(200);
    const token = (refreshed.body as { authorization: string }).authorization;
    expect((await read(token)).status).toBe(200);

    expect((await oem('POST', `/transferprocesses/${tid}/terminate`, { reason: 'done' })).status).toBe(204);
    await waitState(oem, 'transferprocesses', flow.transferId, 'TERMINATED');
    await eventually(() => read(token), (r) => r.status === 401);
  }, 60_000);

  it('a 0.8 request naming an unknown BPNL fails cleanly (no DID known), not with a 5xx', async () => {
    const r = await oem('POST', '/catalog/request', {
      '@context': { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' }, '@type': 'CatalogRequest', counterPartyId: 'BPNL0000000UNKNW',
      counterPartyAddress: dspBase(rt, 'supplier', 'dataspace-protocol-http'), protocol: 'dataspace-protocol-http',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });
});
