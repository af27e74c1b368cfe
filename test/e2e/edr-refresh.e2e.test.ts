// EDR refresh through the real runtime: refresh-token grant at the provider's PACT host, rotation, auto_refresh on expiry.
import { tokenHash } from '../../connector/credentials/token-minter';
import { testEngines } from '../support/databases';
import { call, type TestRuntime } from '../support/runtime';
import { type Api, dspBase, negotiateAndStart, startSupplierAndOem, waitState } from './support/runtime-flow-steps';

interface Edr { endpoint: string; authorization: string; 'tx-auth:refreshToken': string; 'tx-auth:refreshEndpoint': string; 'tx-auth:expiresIn': string }

const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback',
  'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;

describe.each(testEngines())('EDR refresh through the runtime on %s', (engine) => {
  let rt: TestRuntime;
  let oem: Api;
  let footprintId: string;

  beforeAll(async () => {
    ({ rt, oem, footprintId } = await startSupplierAndOem(engine));
  }, 60_000);

  afterAll(async () => {
    jest.useRealTimers();
    await rt?.close();
  });

  async function startTransfer(): Promise<string> {
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const { transferId } = await negotiateAndStart(oem, { protocol: 'dataspace-protocol-http:2025-1', address: dspBase(rt, 'supplier', 'dataspace-protocol-http:2025-1'), counterPartyId: supplierDid });
    return encodeURIComponent(transferId);
  }
  const refreshRows = () => rt.runtime.db.withTenant('supplier', (tx) => tx.query<{ token_hash: string; status: string }>('SELECT token_hash, status FROM credential_refresh_tokens'));
  const statusOf = async (rtoken: string) => (await refreshRows()).find((r) => r.token_hash === tokenHash(rtoken))?.status;
  const read = (edr: Edr) => call(rt.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprintId}`, { authorization: `Bearer ${edr.authorization}` });

  it('POST /edrs/{tp}/refresh rotates the access and refresh tokens at the endpoint the EDR names; the old refresh token is retired once the new one is used', async () => {
    const tid = await startTransfer();
    const first = (await oem('GET', `/edrs/${tid}/dataaddress?auto_refresh=false`)).body as Edr;
    expect(first['tx-auth:refreshEndpoint']).toBe(`${rt.baseUrl}/tenants/supplier/pact/token`);
    expect(first['tx-auth:refreshToken']).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const r1 = await oem('POST', `/edrs/${tid}/refresh`);
    expect(r1.status).toBe(200);
    const second = r1.body as Edr;
    expect(second.authorization).not.toBe(first.authorization);
    expect(second['tx-auth:refreshToken']).not.toBe(first['tx-auth:refreshToken']);
    expect(Number(second['tx-auth:expiresIn'])).toBeGreaterThan(0);
    // The cached EDR now is the refreshed one, and the new token opens the PACT host.
    expect(((await oem('GET', `/edrs/${tid}/dataaddress?auto_refresh=false`)).body as Edr).authorization).toBe(second.authorization);
    expect((await read(second)).status).toBe(200);
    // The presented token stays usable until its successor is used (a lost answer can be retried) …
    expect(await statusOf(first['tx-auth:refreshToken'])).toBe('active');
    const third = (await oem('POST', `/edrs/${tid}/refresh`)).body as Edr;
    expect(third['tx-auth:refreshToken']).not.toBe(second['tx-auth:refreshToken']);
    // … and is retired once the successor has been used.
    expect(await statusOf(first['tx-auth:refreshToken'])).toBe('retired');
    expect((await read(third)).status).toBe(200);
    const logs = rt.logs.join('');
    for (const secret of [first['tx-auth:refreshToken'], second['tx-auth:refreshToken'], second.authorization]) expect(logs).not.toContain(secret);
  }, 60_000);

  it('the token endpoint refuses grants without the consumer\'s DID-signed client token, other grant types and unknown tokens, never with a 5xx', async () => {
    const url = `/tenants/supplier/pact/token`;
    const form = (body: string, headers: Record<string, string> = {}) => fetch(`${rt.baseUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const tid = await startTransfer();
    const edr = (await oem('GET', `/edrs/${tid}/dataaddress`)).body as Edr;
    const rtok = edr['tx-auth:refreshToken'];
    const noClient = await form(`grant_type=refresh_token&refresh_token=${rtok}`);
    expect(noClient.status).toBe(401);
    expect(((await noClient.json()) as { error: string }).error).toBe('invalid_client');
    // The access token itself is not a client token (not self-issued by the consumer's DID).
    expect((await form(`grant_type=refresh_token&refresh_token=${rtok}`, { authorization: `Bearer ${edr.authorization}` })).status).toBe(401);
    expect((await form(`grant_type=client_credentials`)).status).toBe(400);
    expect((await form('%%%=&&')).status).toBe(400);
    // Nothing was consumed: the consumer can still refresh.
    expect((await oem('POST', `/edrs/${tid}/refresh`)).status).toBe(200);
  }, 60_000);

  it('auto_refresh (default true) refreshes an expired token on read; auto_refresh=false returns it as cached; ended transfers have no EDR to refresh', async () => {
    const tid = await startTransfer();
    const before = (await oem('GET', `/edrs/${tid}/dataaddress`)).body as Edr;
    // A fresh token is not refreshed.
    expect(((await oem('GET', `/edrs/${tid}/dataaddress?auto_refresh=true`)).body as Edr).authorization).toBe(before.authorization);
    expect((await oem('GET', `/edrs/${tid}/dataaddress?auto_refresh=maybe`)).status).toBe(400);

    // Eleven minutes later (tokens live 600 s): only the wall clock is faked, timers stay real.
    jest.useFakeTimers({ advanceTimers: true, doNotFake: [...REAL_TIMERS] });
    jest.setSystemTime(Date.now() + 11 * 60_000);
    try {
      expect((await read(before)).status).toBe(401);
      expect(((await oem('GET', `/edrs/${tid}/dataaddress?auto_refresh=false`)).body as Edr).authorization).toBe(before.authorization);
      const after = (await oem('GET', `/edrs/${tid}/dataaddress`)).body as Edr;
      expect(after.authorization).not.toBe(before.authorization);
      expect(after['tx-auth:refreshToken']).not.toBe(before['tx-auth:refreshToken']);
      expect((await read(after)).status).toBe(200);

      expect((await oem('POST', `/transferprocesses/${tid}/terminate`, { reason: 'done' })).status).toBe(204);
      await waitState(oem, 'transferprocesses', decodeURIComponent(tid), 'TERMINATED');
      expect((await oem('POST', `/edrs/${tid}/refresh`)).status).toBe(404);
      expect((await oem('GET', `/edrs/${tid}/dataaddress`)).status).toBe(404);
      expect(await statusOf(after['tx-auth:refreshToken'])).toBe('retired');
    } finally {
      jest.useRealTimers();
    }
  }, 60_000);
});
