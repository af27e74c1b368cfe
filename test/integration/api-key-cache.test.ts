// Management API keys are checked without a transaction per call, and a revocation is refused at once, here and on other replicas.
import { Client } from 'pg';
import type { Database } from '../../connector/store/database';
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Counts the runtime's tenant transactions while `work` runs. */
async function transactionsDuring(db: Database, work: () => Promise<void>): Promise<number> {
  const withTenant = db.withTenant.bind(db);
  let n = 0;
  Object.assign(db, { withTenant: <T>(tenantId: string, w: Parameters<Database['withTenant']>[1]) => { n++; return withTenant(tenantId, w) as Promise<T>; } });
  try {
    await work();
  } finally {
    Object.assign(db, { withTenant });
  }
  return n;
}

describe.each(testEngines())('management API-key cache on %s', (engine) => {
  let rt: TestRuntime;
  let adminKey: string;
  let tenant = 0;

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
  }, 60_000);

  afterAll(async () => {
    await rt.runtime.stop();
  });

  /** A fresh tenant and its admin key. */
  async function onboard(): Promise<{ id: string; key: string }> {
    const id = `keycache${++tenant}`;
    const r = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id, displayName: id, bpn: `BPNL00000000KC0${tenant}` });
    expect(r.status).toBe(201);
    return { id, key: (r.body as { adminApiKey: string }).adminApiKey };
  }
  const assets = (key: string) => call(rt.baseUrl, 'GET', '/management/v3/apikeys', { 'x-api-key': key });
  const newKey = async (admin: string): Promise<{ id: string; key: string }> => {
    const r = await call(rt.baseUrl, 'POST', '/management/v3/apikeys', { 'x-api-key': admin }, { name: 'second', role: 'viewer' });
    expect(r.status).toBe(201);
    const body = r.body as { id?: string; '@id'?: string; key?: string; apiKey?: string };
    return { id: String(body.id ?? body['@id']), key: String(body.key ?? body.apiKey) };
  };

  it('a key seen once is checked again without a transaction, and a wrong secret for it is still refused', async () => {
    ({ key: adminKey } = await onboard());
    expect((await assets(adminKey)).status).toBe(200);
    const n = await transactionsDuring(rt.runtime.db, async () => {
      for (let i = 0; i < 3; i++) expect((await call(rt.baseUrl, 'GET', '/management/v3/pact/clients', { 'x-api-key': adminKey })).status).toBe(200);
    });
    // Each call still reads its own data (one transaction each); none authenticates through the database.
    expect(n).toBe(3);
    const forged = `${adminKey.slice(0, -4)}${adminKey.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await assets(forged)).status).toBe(401);
  });

  it('a key revoked through this process is refused on the very next call', async () => {
    const t = await onboard();
    const second = await newKey(t.key);
    expect((await assets(second.key)).status).toBe(403); // a viewer may not manage keys, but it is authenticated
    expect((await call(rt.baseUrl, 'DELETE', `/management/v3/apikeys/${encodeURIComponent(second.id)}`, { 'x-api-key': t.key })).status).toBe(204);
    expect((await assets(second.key)).status).toBe(401);
  });

  it('a key revoked by another process (a direct SQL change) is refused once the change feed delivers it', async () => {
    const t = await onboard();
    expect((await assets(t.key)).status).toBe(200);
    await rt.runtime.db.withOwner((tx) => tx.query('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1', [t.id]));
    await eventually(async () => (await assets(t.key)).status === 401);
  });

  it('an offboarded tenant’s keys are refused at once', async () => {
    const t = await onboard();
    expect((await assets(t.key)).status).toBe(200);
    expect((await call(rt.baseUrl, 'DELETE', `/operator/v1/tenants/${t.id}`, { authorization: `Bearer ${rt.operatorKey}` })).status).toBe(200);
    expect((await assets(t.key)).status).toBe(401);
  });

  it('while the change feed is down, keys are checked against the database (a revocation elsewhere still counts)', async () => {
    if (rt.databaseUrl === undefined) return; // PGlite listens in-process: there is no connection to lose
    const t = await onboard();
    expect((await assets(t.key)).status).toBe(200);
    const admin = new Client({ connectionString: rt.databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
      expect(killed.rowCount).toBeGreaterThan(0);
      await admin.query('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = $1', [t.id]);
    } finally {
      await admin.end();
    }
    await eventually(async () => (await assets(t.key)).status === 401);
  });
});

describe('management API-key cache turned off (PCF_API_KEY_CACHE_SECONDS=0)', () => {
  it('authenticates every call through the database', async () => {
    const rt = await startTestRuntime('pglite', { PCF_API_KEY_CACHE_SECONDS: '0' });
    try {
      const r = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id: 'nocache', displayName: 'nocache', bpn: 'BPNL000000NOCACH' });
      const key = (r.body as { adminApiKey: string }).adminApiKey;
      expect((await call(rt.baseUrl, 'GET', '/management/v3/apikeys', { 'x-api-key': key })).status).toBe(200);
      const n = await transactionsDuring(rt.runtime.db, async () => {
        for (let i = 0; i < 3; i++) expect((await call(rt.baseUrl, 'GET', '/management/v3/pact/clients', { 'x-api-key': key })).status).toBe(200);
      });
      expect(n).toBe(6);
      expect(String((await call(rt.baseUrl, 'GET', '/metrics')).body)).not.toContain('pcf_api_key_cache_entries');
    } finally {
      await rt.runtime.stop();
    }
  });
});
