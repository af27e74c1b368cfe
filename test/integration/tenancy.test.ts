// Two tenants over real HTTP: each sees only its own data and audit trail; offboarding leaves no row of it anywhere.
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const ALPHA = { id: 'it-alpha', displayName: 'Alpha Supplier', bpn: 'BPNL00000000A1FA' };
const BETA = { id: 'it-beta', displayName: 'Beta OEM', bpn: 'BPNL00000000B2FB', region: 'eu-west-1' };

describe.each(testEngines())('tenancy over HTTP on %s', (engine) => {
  let rt: TestRuntime;
  let alphaKey: string;
  let betaKey: string;
  const op = () => ({ authorization: `Bearer ${rt.operatorKey}` });

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const a = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), ALPHA);
    const b = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), BETA);
    expect([a.status, b.status]).toEqual([201, 201]);
    alphaKey = (a.body as { adminApiKey: string }).adminApiKey;
    betaKey = (b.body as { adminApiKey: string }).adminApiKey;
  });

  afterAll(async () => {
    await rt.close();
  });

  it('refuses the operator API without the operator key, and bad onboarding input with a precise error', async () => {
    expect((await call(rt.baseUrl, 'GET', '/operator/v1/tenants')).status).toBe(401);
    expect((await call(rt.baseUrl, 'GET', '/operator/v1/tenants', { authorization: 'Bearer wrong' })).status).toBe(401);
    const dup = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), ALPHA);
    expect(dup.status).toBe(409);
    const region = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), { id: 'it-gamma', displayName: 'G', bpn: 'BPNL00000000C3FC', region: 'us-east-1' });
    expect(region.status).toBe(400);
    expect(JSON.stringify(region.body)).toMatch(/data residency/);
    const bpn = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), { id: 'it-gamma', displayName: 'G', bpn: 'BPNS0000' });
    expect(bpn.status).toBe(400);
    expect((bpn.body as [{ path: string }])[0].path).toBe('/bpn');
    const json = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), '{not json');
    expect(json.status).toBe(400);
  });

  it('authenticates management callers by API key or token and never by a client-chosen tenant', async () => {
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant')).status).toBe(401);
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant', { 'x-api-key': `${alphaKey.slice(0, -4)}AAAA` })).status).toBe(401);
    const forged = alphaKey.replace('pcfk_it-alpha_', 'pcfk_it-beta_');
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant', { 'x-api-key': forged })).status).toBe(401);
    const me = await call(rt.baseUrl, 'GET', '/management/v3/tenant', { 'x-api-key': alphaKey, 'x-tenant-id': BETA.id });
    expect((me.body as { tenant: { id: string } }).tenant.id).toBe(ALPHA.id);

    const token = await call(rt.baseUrl, 'POST', `/operator/v1/tenants/${ALPHA.id}/tokens`, op(), { subject: 'alice', role: 'publisher', ttlSeconds: 600 });
    expect(token.status).toBe(201);
    const jwt = (token.body as { access_token: string }).access_token;
    const asAlice = await call(rt.baseUrl, 'GET', '/management/v3/tenant', { authorization: `Bearer ${jwt}` });
    expect(asAlice.body).toMatchObject({ tenant: { id: ALPHA.id }, caller: { subject: 'alice', role: 'publisher', via: 'jwt' } });
    const [h, p, s] = jwt.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, 'custom:tenant_id': BETA.id })).toString('base64url')}.${s}`;
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant', { authorization: `Bearer ${tampered}` })).status).toBe(401);
    // A publisher is not an admin; an admin can downgrade a user through role assignments.
    expect((await call(rt.baseUrl, 'GET', '/management/v3/apikeys', { authorization: `Bearer ${jwt}` })).status).toBe(403);
    expect((await call(rt.baseUrl, 'PUT', '/management/v3/users/alice', { 'x-api-key': alphaKey }, { role: 'none' })).status).toBe(200);
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant', { authorization: `Bearer ${jwt}` })).status).toBe(401);
  });

  it('each tenant sees only its own keys, roles and audit trail; another tenant’s resource is not found', async () => {
    const created = await call(rt.baseUrl, 'POST', '/management/v3/apikeys', { 'x-api-key': betaKey }, { name: 'ci', role: 'viewer' });
    expect(created.status).toBe(201);
    const betaExtra = created.body as { id: string; key: string };
    expect((await call(rt.baseUrl, 'PUT', '/management/v3/users/bob', { 'x-api-key': betaKey }, { role: 'viewer' })).status).toBe(200);

    const alphaKeys = (await call(rt.baseUrl, 'GET', '/management/v3/apikeys', { 'x-api-key': alphaKey })).body as { id: string }[];
    expect(alphaKeys.map((k) => k.id)).not.toContain(betaExtra.id);
    const alphaUsers = (await call(rt.baseUrl, 'GET', '/management/v3/users', { 'x-api-key': alphaKey })).body as { subject: string }[];
    expect(alphaUsers.map((u) => u.subject)).toEqual(['alice']);
    expect((await call(rt.baseUrl, 'DELETE', `/management/v3/apikeys/${betaExtra.id}`, { 'x-api-key': alphaKey })).status).toBe(404);
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant', { 'x-api-key': betaExtra.key })).status).toBe(200);
    expect((await call(rt.baseUrl, 'POST', '/management/v3/apikeys', { 'x-api-key': betaExtra.key }, { name: 'x', role: 'admin' })).status).toBe(403);

    for (const [key, tenant] of [[alphaKey, ALPHA.id], [betaKey, BETA.id]]) {
      const audit = await call(rt.baseUrl, 'GET', '/management/v3/audit', { 'x-api-key': key });
      const records = String(audit.body).trim().split('\n').map((l) => JSON.parse(l) as { tenantId: string; action: string });
      expect(records.length).toBeGreaterThanOrEqual(2);
      expect(new Set(records.map((r) => r.tenantId))).toEqual(new Set([tenant]));
      expect((await call(rt.baseUrl, 'POST', '/management/v3/audit/verify', { 'x-api-key': key })).body).toMatchObject({ ok: true });
    }
    const betaAudit = String((await call(rt.baseUrl, 'GET', '/management/v3/audit', { 'x-api-key': betaKey })).body);
    expect(betaAudit).toMatch(/"action":"api-key.create"/);
    expect(betaAudit).toMatch(/"action":"user-role.set"/);
  });

  it('offboarding erases every row of the tenant from every table but leaves a pseudonymised erasure record', async () => {
    const erased = await call(rt.baseUrl, 'DELETE', `/operator/v1/tenants/${BETA.id}`, op());
    expect(erased.status).toBe(200);
    expect((await call(rt.baseUrl, 'GET', '/management/v3/tenant', { 'x-api-key': betaKey })).status).toBe(401);
    expect((await call(rt.baseUrl, 'GET', `/operator/v1/tenants/${BETA.id}`, op())).status).toBe(404);
    expect((await call(rt.baseUrl, 'DELETE', `/operator/v1/tenants/${BETA.id}`, op())).status).toBe(404);

    const leftovers = await rt.runtime.db.withOwner(async (tx) => {
      const tables = await tx.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      const found: string[] = [];
      for (const { table_name } of tables) {
        for (const row of await tx.query(`SELECT * FROM "${table_name}"`)) {
          const text = JSON.stringify(row);
          if (text.includes(BETA.id) || text.includes(BETA.bpn) || text.includes(BETA.displayName)) found.push(`${table_name}: ${text}`);
        }
      }
      return found;
    });
    expect(leftovers).toEqual([]);

    const trail = (await call(rt.baseUrl, 'GET', '/operator/v1/audit?limit=1000', op())).body as { items: { action: string; target: string; details: { removed?: Record<string, number> } }[] };
    const erasure = trail.items.filter((r) => r.action === 'tenant.erase');
    expect(erasure).toHaveLength(1);
    expect(erasure[0].target).toMatch(/^tenant:[0-9a-f]{32}$/);
    expect(erasure[0].details.removed?.api_keys).toBe(2);
    expect(erasure[0].details.removed?.tenants).toBe(1);

    const alphaStill = await call(rt.baseUrl, 'GET', '/management/v3/apikeys', { 'x-api-key': alphaKey });
    expect(alphaStill.status).toBe(200);
    const verify = await call(rt.baseUrl, 'POST', '/operator/v1/audit/verify', op());
    expect(verify.body).toMatchObject({ ok: true, operator: { ok: true } });
    expect(Object.keys((verify.body as { tenants: object }).tenants)).toEqual([ALPHA.id]);
  });

  it('serves health, readiness, metrics, request ids and security headers, and never logs secrets', async () => {
    expect((await call(rt.baseUrl, 'GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await call(rt.baseUrl, 'GET', '/ready')).status).toBe(200);
    const echoed = await call(rt.baseUrl, 'GET', '/health', { 'x-request-id': 'req-123' });
    expect(echoed.headers.get('x-request-id')).toBe('req-123');
    expect(echoed.headers.get('x-content-type-options')).toBe('nosniff');
    const generated = await call(rt.baseUrl, 'GET', '/health', { 'x-request-id': 'bad id with spaces' });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await call(rt.baseUrl, 'GET', '/metrics');
    expect(String(metrics.body)).toMatch(/pcf_http_requests_total\{method="POST",route="\/operator\/v1\/tenants",status="201"\}/);
    expect((await call(rt.baseUrl, 'GET', '/nowhere')).status).toBe(404);
    const tooBig = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), JSON.stringify({ pad: 'x'.repeat(2_000_000) }));
    expect(tooBig.status).toBe(413);

    const logs = rt.logs.join('');
    expect(logs).toMatch(/"correlationId":"req-123"/);
    expect(logs).not.toContain(rt.operatorKey);
    expect(logs).not.toContain(alphaKey);
    expect(logs).not.toContain(betaKey);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
