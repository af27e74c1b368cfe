// The PACT data plane answers alike on the fast lane and on Express: token endpoint limits, refusals, headers, metrics.
import { gzipSync } from 'node:zlib';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const TENANT = 'fastlane';

describe('PACT data plane on the fast lane (pglite)', () => {
  let rt: TestRuntime;
  let basic: string;
  let tokenUrl: string;
  let pact: string;
  let mgmt: Record<string, string>;
  let clientId: string;

  const postToken = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(tokenUrl, { method: 'POST', body, headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', ...headers } });

  beforeAll(async () => {
    rt = await startTestRuntime('pglite');
    const t = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id: TENANT, displayName: 'Fast AG', bpn: 'BPNL00000000FAST' });
    mgmt = { 'x-api-key': (t.body as { adminApiKey: string }).adminApiKey };
    const client = (await call(rt.baseUrl, 'POST', '/management/v3/pact/clients', mgmt, { name: 'OEM' })).body as Record<string, string>;
    clientId = client.clientId;
    basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
    pact = `${rt.baseUrl}/tenants/${TENANT}/pact`;
    tokenUrl = `${pact}/auth/token`;
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
  });

  it('issues tokens on both paths (plain form on the fast lane, gzip-encoded form on Express) with the same answer shape', async () => {
    const fast = await postToken('grant_type=client_credentials');
    const viaExpress = await postToken(gzipSync('grant_type=client_credentials'), { 'content-encoding': 'gzip' });
    for (const r of [fast, viaExpress]) {
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Object.keys((await r.json()) as object).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    }
  });

  it('refuses oversized and over-long forms with a PACT BadRequest on both paths', async () => {
    const big = `grant_type=client_credentials&pad=${'x'.repeat(3000)}`;
    const many = ['grant_type=client_credentials', ...Array.from({ length: 11 }, (_, i) => `p${i}=1`)].join('&');
    for (const r of [await postToken(big), await postToken(gzipSync(big), { 'content-encoding': 'gzip' })]) {
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ code: 'BadRequest', message: 'request body too large' });
    }
    for (const r of [await postToken(many), await postToken(gzipSync(many), { 'content-encoding': 'gzip' })]) {
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ code: 'BadRequest', message: 'too many parameters' });
    }
  });

  it('answers the OAuth errors of the endpoint (wrong grant, wrong secret, JSON body)', async () => {
    const grant = await postToken('grant_type=password');
    expect(grant.status).toBe(400);
    expect(((await grant.json()) as { error: string }).error).toBe('unsupported_grant_type');
    const wrong = await fetch(tokenUrl, { method: 'POST', body: 'grant_type=client_credentials', headers: { authorization: `Basic ${Buffer.from('x:y').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="pact"');
    const json = await fetch(tokenUrl, { method: 'POST', body: '{"grant_type":"client_credentials"}', headers: { authorization: basic, 'content-type': 'application/json' } });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses missing tokens in each version format, serves HEAD and odd paths through Express, and labels metrics by route', async () => {
    const v3 = await fetch(`${pact}/3/footprints`);
    expect(v3.status).toBe(401);
    expect(v3.headers.get('www-authenticate')).toContain('Bearer');
    const v2 = await fetch(`${pact}/2/footprints/3b2a0c9e-5d0b-4c8f-9a51-1f3a2b4c5d01`);
    expect(v2.status).toBe(400);
    expect(((await v2.json()) as { code: string }).code).toBe('BadRequest');
    const token = ((await (await postToken('grant_type=client_credentials')).json()) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${pact}/3/footprints`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${pact}/3/footprints`, { method: 'HEAD', headers: auth })).status).toBe(200);
    expect((await fetch(`${pact}/3/footprints/`, { headers: auth })).status).toBe(200);
    const missing = await fetch(`${pact}/3/footprints/3b2a0c9e-5d0b-4c8f-9a51-1f3a2b4c5d01`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('NotFound');
    const metrics = String((await call(rt.baseUrl, 'GET', '/metrics')).body);
    expect(metrics).toMatch(/pcf_http_requests_total\{method="GET",route="\/tenants\/:tenantId\/pact\/3\/footprints\/:id",status="404"\} 1/);
    expect(metrics).toMatch(/pcf_http_requests_total\{method="POST",route="\/tenants\/:tenantId\/pact\/auth\/token",status="200"\}/);
  });

  // Runs last: it revokes the suite's client.
  it('takes the cached path for a repeated token, yet refuses it at once on another host, altered, or after revocation', async () => {
    await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id: 'fastlane-other', displayName: 'Other AG', bpn: 'BPNL00000000OTHR' });
    const token = ((await (await postToken('grant_type=client_credentials')).json()) as { access_token: string }).access_token;
    const url = `${pact}/3/footprints`;
    // Twice: the second call finds the tenant, the verification and the client status cached.
    for (let i = 0; i < 2; i++) expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const other = await fetch(`${rt.baseUrl}/tenants/fastlane-other/pact/3/footprints`, { headers: { authorization: `Bearer ${token}` } });
    expect(other.status).toBe(401);
    const altered = await fetch(url, { headers: { authorization: `Bearer ${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}` } });
    expect(altered.status).toBe(401);
    // Same signature (the cache key is its tail), different payload: refused, not mistaken for the cached token.
    const [h, p, sig] = token.split('.') as [string, string, string];
    const swapped = `${h}.${p.slice(0, 10)}${p[10] === 'A' ? 'B' : 'A'}${p.slice(11)}.${sig}`;
    expect((await fetch(url, { headers: { authorization: `Bearer ${swapped}` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    expect((await call(rt.baseUrl, 'DELETE', `/management/v3/pact/clients/${clientId}`, mgmt)).status).toBe(204);
    const revoked = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { message: string }).message).toBe('invalid access token');
  });
});
