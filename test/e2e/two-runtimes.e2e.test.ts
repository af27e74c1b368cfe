// Supplier in runtime A, OEM in runtime B: two connectors, each with its own dev trust anchor trusting the other's, full flow over real HTTP with DCP.
import { createServer, type AddressInfo } from 'node:net';
import { didWebFor } from '../../connector/identity/did-web';
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { dspBase, EDC, eventually, managementOf, negotiate, publishPcf, startTransfer } from './support/runtime-flow-steps';
import { edrOf } from './support/transfer-steps';

const PROTOCOL = 'dataspace-protocol-http:2025-1';

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

/** Env of one runtime on `port` that trusts the dev trust anchor of the runtime on `otherPort` (its own is trusted anyway). */
function envFor(port: number, otherPort: number): Record<string, string> {
  return {
    PORT: String(port), PCF_PUBLIC_URL: `http://127.0.0.1:${port}`, PCF_DEV_TRUST_ANCHOR: 'true',
    PCF_TRUSTED_ISSUERS: didWebFor(`http://127.0.0.1:${otherPort}`, ['trust-anchor']),
  };
}

/** Counts DSP and Credential Service requests arriving at a runtime from its http access log lines. */
function dcpTraffic(rt: TestRuntime, pattern: RegExp): number {
  return rt.logs.filter((l) => pattern.test(l) && /"status":200/.test(l)).length;
}

describe.each(testEngines())('supplier in runtime A → OEM in runtime B over HTTP on %s', (engine) => {
  let a: TestRuntime;
  let b: TestRuntime;
  let supplierKey: string;
  let oemKey: string;

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    a = await startTestRuntime(engine, envFor(portA, portB));
    b = await startTestRuntime(engine, envFor(portB, portA));
    const s = await call(a.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${a.operatorKey}` }, { id: 'supplier', displayName: 'Supplier AG', bpn: 'BPNL00000000SUPP' });
    const o = await call(b.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${b.operatorKey}` }, { id: 'oem', displayName: 'OEM SE', bpn: 'BPNL000000000OEM' });
    expect([s.status, o.status]).toEqual([201, 201]);
    supplierKey = (s.body as { adminApiKey: string }).adminApiKey;
    oemKey = (o.body as { adminApiKey: string }).adminApiKey;
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('each tenant holds credentials of its own runtime\'s anchor', async () => {
    const supplierCreds = await call(a.baseUrl, 'GET', '/operator/v1/tenants/supplier/credentials', { authorization: `Bearer ${a.operatorKey}` });
    const oemCreds = await call(b.baseUrl, 'GET', '/operator/v1/tenants/oem/credentials', { authorization: `Bearer ${b.operatorKey}` });
    const issuers = (r: { body: unknown }) => [...new Set(((r.body as { items: { issuer: string }[] }).items).map((c) => c.issuer))];
    expect(issuers(supplierCreds)).toEqual([didWebFor(a.baseUrl, ['trust-anchor'])]);
    expect(issuers(oemCreds)).toEqual([didWebFor(b.baseUrl, ['trust-anchor'])]);
  });

  it('catalog → negotiation → transfer → footprints across runtimes; every DSP call authenticated by DCP; terminate revokes', async () => {
    const sup = managementOf(a, supplierKey);
    const oem = managementOf(b, oemKey);
    const footprint = { id: await publishPcf(a, sup, 'supplier') };

    const supplierDid = ((await call(a.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const oemDid = ((await call(b.baseUrl, 'GET', '/tenants/oem/did.json')).body as { id: string }).id;
    expect(supplierDid).toContain(`127.0.0.1%3A${new URL(a.baseUrl).port}`);
    expect(oemDid).toContain(`127.0.0.1%3A${new URL(b.baseUrl).port}`);
    const target = { protocol: PROTOCOL, address: dspBase(a, 'supplier', PROTOCOL), counterPartyId: supplierDid } as const;
    const { agreementId } = await negotiate(oem, target);
    // A verified the OEM's presentations (it queried B's Credential Service), and the provider's callbacks into B
    // were authenticated too (B queried A's Credential Service for the supplier).
    expect(dcpTraffic(b, /credentials\/presentations\/query/)).toBeGreaterThan(0);
    expect(dcpTraffic(a, /credentials\/presentations\/query/)).toBeGreaterThan(0);

    const tid = encodeURIComponent(await startTransfer(oem, target, agreementId));
    const edr = await edrOf(oem, decodeURIComponent(tid));
    expect(edr.endpoint).toBe(`${a.baseUrl}/tenants/supplier/pact`);

    const bearer = { authorization: `Bearer ${edr.authorization}` };
    const one = await call(a.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprint.id}`, bearer);
    expect(one.status).toBe(200);
    expect((one.body as { data: { id: string } }).data.id).toBe(footprint.id);
    // The token opens only the supplier's PACT host in runtime A, nothing in runtime B.
    expect((await call(b.baseUrl, 'GET', '/tenants/oem/pact/3/footprints', bearer)).status).toBe(401);

    expect((await oem('POST', `/transferprocesses/${tid}/terminate`, { reason: 'done' })).status).toBe(204);
    await eventually(() => oem('GET', `/transferprocesses/${tid}/state`), (r) => (r.body as { state?: string }).state === 'TERMINATED');
    await eventually(() => call(a.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprint.id}`, bearer), (r) => r.status === 401, 5_000);
  }, 60_000);

  it('refuses DSP calls without a token, and partners whose anchor is not trusted', async () => {
    const anonymous = await call(a.baseUrl, 'POST', '/tenants/supplier/dsp/2025-1/catalog/request', {}, { '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'], '@type': 'CatalogRequestMessage' });
    expect(anonymous.status).toBe(404);
    expect(JSON.stringify(anonymous.body)).not.toContain('pcf-exchange');

    // A third runtime whose anchor A does not trust: its tenant's credentials are refused, so the catalog request fails.
    const c = await startTestRuntime(engine, { PCF_DEV_TRUST_ANCHOR: 'true' });
    try {
      const t = await call(c.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${c.operatorKey}` }, { id: 'stranger', displayName: 'Stranger', bpn: 'BPNL00000000STRA' });
      expect(t.status).toBe(201);
      const key = (t.body as { adminApiKey: string }).adminApiKey;
      const supplierDid = ((await call(a.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
      const refused = await call(c.baseUrl, 'POST', '/management/v3/catalog/request', { 'x-api-key': key }, {
        '@context': EDC, '@type': 'CatalogRequest', counterPartyId: supplierDid, counterPartyAddress: `${a.baseUrl}/tenants/supplier/dsp/2025-1`, protocol: PROTOCOL,
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(JSON.stringify(refused.body)).not.toContain('pcf-exchange');
      expect(a.logs.join('')).toMatch(/credential-untrusted-issuer/);
    } finally {
      await c.close();
    }
  }, 60_000);
});
