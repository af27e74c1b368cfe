// Suspend and resume from either side through the real runtime: the old token dies, the resume delivers a new EDR.
import { testEngines } from '../support/databases';
import { call, type TestRuntime } from '../support/runtime';
import { type Api, dspBase, negotiateAndStart, startSupplierAndOem, waitState } from './support/runtime-flow-steps';
import { edrOf, providerProcessOf, readFootprint, refreshTokenStatus } from './support/transfer-steps';

describe.each(testEngines())('transfer resume with a fresh token on %s', (engine) => {
  let rt: TestRuntime;
  let sup: Api;
  let oem: Api;
  let footprintId: string;

  beforeAll(async () => {
    ({ rt, sup, oem, footprintId } = await startSupplierAndOem(engine));
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
  });

  const read = (token: string) => readFootprint(rt, 'supplier', footprintId, token);
  const both = async (consumerId: string, providerId: string, state: string) => {
    await waitState(oem, 'transferprocesses', consumerId, state);
    await waitState(sup, 'transferprocesses', providerId, state);
  };

  it.each(['provider', 'consumer'])('the %s suspends and resumes: the old token is refused from the suspension on, the resume brings a new working EDR', async (side) => {
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const { transferId } = await negotiateAndStart(oem, { protocol: 'dataspace-protocol-http:2025-1', address: dspBase(rt, 'supplier', 'dataspace-protocol-http:2025-1'), counterPartyId: supplierDid });
    const providerId = await providerProcessOf(oem, transferId);
    const [api, id] = side === 'provider' ? [sup, providerId] : [oem, transferId];
    const first = await edrOf(oem, transferId);
    expect((await read(first.authorization)).status).toBe(200);

    expect((await api('POST', `/transferprocesses/${encodeURIComponent(id)}/suspend`, { reason: 'maintenance' })).status).toBe(204);
    await both(transferId, providerId, 'SUSPENDED');
    expect((await read(first.authorization)).status).toBe(401);
    expect((await oem('GET', `/edrs/${encodeURIComponent(transferId)}/dataaddress`)).status).toBe(404);
    expect(await refreshTokenStatus(rt, 'supplier', first['tx-auth:refreshToken'])).toBe('retired');

    expect((await api('POST', `/transferprocesses/${encodeURIComponent(id)}/resume`)).status).toBe(204);
    await both(transferId, providerId, 'STARTED');
    const second = await edrOf(oem, transferId);
    expect(second.authorization).not.toBe(first.authorization);
    expect(second['tx-auth:refreshToken']).not.toBe(first['tx-auth:refreshToken']);
    expect((await read(first.authorization)).status).toBe(401);
    expect((await read(second.authorization)).status).toBe(200);
    // The new EDR's refresh token works; the old one stays retired.
    const refreshed = await oem('POST', `/edrs/${encodeURIComponent(transferId)}/refresh`);
    expect(refreshed.status).toBe(200);
    expect((await read((refreshed.body as { authorization: string }).authorization)).status).toBe(200);
    expect(await refreshTokenStatus(rt, 'supplier', first['tx-auth:refreshToken'])).toBe('retired');

    // A second suspension kills the resumed tokens too.
    expect((await api('POST', `/transferprocesses/${encodeURIComponent(id)}/suspend`)).status).toBe(204);
    await both(transferId, providerId, 'SUSPENDED');
    expect((await read(second.authorization)).status).toBe(401);
    expect((await read((refreshed.body as { authorization: string }).authorization)).status).toBe(401);
    expect((await api('POST', `/transferprocesses/${encodeURIComponent(id)}/terminate`, { reason: 'done' })).status).toBe(204);
    await both(transferId, providerId, 'TERMINATED');
  }, 90_000);

  it('a resume of a transfer that is not suspended is a 409 in the management API format; the token keeps working', async () => {
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const { transferId } = await negotiateAndStart(oem, { protocol: 'dataspace-protocol-http:2025-1', address: dspBase(rt, 'supplier', 'dataspace-protocol-http:2025-1'), counterPartyId: supplierDid });
    const edr = await edrOf(oem, transferId);
    const r = await oem('POST', `/transferprocesses/${encodeURIComponent(transferId)}/resume`);
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).toContain('start');
    expect((await read(edr.authorization)).status).toBe(200);
  }, 60_000);
});
