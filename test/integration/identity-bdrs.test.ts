// PCF_BDRS_URL through the full runtime: a management catalog request with a BPNL counterPartyId resolves the DID through BDRS (nock).
import { gzipSync } from 'node:zlib';
import { decodeJwt } from 'jose';
import { testEngines } from '../support/databases';
import nock from '../support/nock';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
const PROTOCOL = 'dataspace-protocol-http:2025-1';
// Nothing listens here: nock answers. `localhost` resolves without external DNS.
const BDRS = 'http://localhost:9';
const SUPPLIER_BPN = 'BPNL0000000BDRS1';
const OEM_BPN = 'BPNL0000000BDRS2';

describe.each(testEngines())('BDRS directory in the runtime on %s', (engine) => {
  let rt: TestRuntime;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    rt = await startTestRuntime(engine, { PCF_BDRS_URL: `${BDRS}/api/directory` });
    for (const [id, bpn] of [['bdrs-supplier', SUPPLIER_BPN], ['bdrs-oem', OEM_BPN]]) {
      const r = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id, displayName: id, bpn });
      expect(r.status).toBe(201);
      keys[id] = (r.body as { adminApiKey: string }).adminApiKey;
    }
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1/);
  });

  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await rt?.close();
  });

  it('resolves a BPNL counterPartyId through BDRS (one fetch, membership VP) and refuses a BPNL BDRS does not list', async () => {
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/bdrs-supplier/did.json')).body as { id: string }).id;
    const seen: string[] = [];
    // BDRS lists the supplier only: the OEM's BPNL is known to the built-in directory but must not be used.
    const scope = nock(BDRS).get('/api/directory/bpn-directory').matchHeader('accept-encoding', 'gzip').reply(function reply() {
      seen.push(String(this.req.headers.authorization));
      return [200, gzipSync(JSON.stringify({ [SUPPLIER_BPN]: supplierDid })), { 'content-encoding': 'gzip', 'content-type': 'application/json' }];
    });
    const oem = (body: unknown) => call(rt.baseUrl, 'POST', '/management/v3/catalog/request', { 'x-api-key': keys['bdrs-oem'] }, body);
    const dsp = `${rt.baseUrl}/tenants/bdrs-supplier/dsp/2025-1`;

    const catalog = await oem({ '@context': EDC, '@type': 'CatalogRequest', counterPartyId: SUPPLIER_BPN, counterPartyAddress: dsp, protocol: PROTOCOL });
    expect(catalog.status).toBe(200);
    expect(JSON.stringify(catalog.body)).toMatch(/Catalog/);
    expect(scope.isDone()).toBe(true);
    expect(seen).toHaveLength(1);
    const vp = decodeJwt(seen[0].replace(/^Bearer /, '')) as { iss: string; vp: { verifiableCredential: string[] } };
    expect(vp.iss).toMatch(/^did:web:127\.0\.0\.1%3A\d+:tenants:bdrs-/);
    expect(vp.vp.verifiableCredential.map((c) => (decodeJwt(c) as { vc: { type: string[] } }).vc.type)).toEqual([['VerifiableCredential', 'MembershipCredential']]);

    const again = await oem({ '@context': EDC, '@type': 'CatalogRequest', counterPartyId: SUPPLIER_BPN, counterPartyAddress: dsp, protocol: PROTOCOL });
    expect(again.status).toBe(200);
    const unknown = await oem({ '@context': EDC, '@type': 'CatalogRequest', counterPartyId: OEM_BPN, counterPartyAddress: dsp, protocol: PROTOCOL });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.status).toBeLessThan(500);
    expect(Array.isArray(unknown.body)).toBe(true);
    expect(seen).toHaveLength(1); // the miss came within the minimum refresh interval: no second fetch
    expect(rt.logs.join('')).not.toContain(seen[0].replace(/^Bearer /, ''));
  });
});
