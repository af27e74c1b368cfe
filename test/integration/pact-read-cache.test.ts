// The PACT host's read cache never outlives a committed change: same process, change feed only, another replica, feed outage.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { createPostgresDatabase } from '../../connector/store/postgres-database';
import type { Database } from '../../connector/store/database';
import { createFootprintService } from '../../pcf-exchange-module/service/footprint-service';
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const EXAMPLE = JSON.parse(readFileSync(resolve(__dirname, '../../../shared/specs/pact/v3/examples/example-1.json'), 'utf8')) as Record<string, unknown>;
const TENANT = 'cachetest';

function withId(id: string): Record<string, unknown> {
  return { ...EXAMPLE, id };
}

async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(testEngines())('PACT read cache on %s', (engine) => {
  let rt: TestRuntime;
  let mgmt: Record<string, string>;
  let bearer: Record<string, string>;
  let pactBase: string;

  const status = async (version: '2' | '3', id: string): Promise<string> => {
    const r = await call(rt.baseUrl, 'GET', `${pactBase}/${version}/footprints/${id}`, bearer);
    expect(r.status).toBe(200);
    return (r.body as { data: { status: string } }).data.status;
  };
  const listedIds = async (query: string): Promise<string[]> => {
    const r = await call(rt.baseUrl, 'GET', `${pactBase}/3/footprints?${query}`, bearer);
    expect(r.status).toBe(200);
    return (r.body as { data: { id: string }[] }).data.map((d) => d.id);
  };
  /** A footprint service that does not tell the runtime's cache: only the database change feed can. */
  const outsider = (db: Database) => createFootprintService({ db, now: () => new Date(), publicUrl: rt.baseUrl });

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const t = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id: TENANT, displayName: 'Cache AG', bpn: 'BPNL0000000CACHE' });
    expect(t.status).toBe(201);
    mgmt = { 'x-api-key': (t.body as { adminApiKey: string }).adminApiKey };
    const client = await call(rt.baseUrl, 'POST', '/management/v3/pact/clients', mgmt, { name: 'OEM' });
    const { clientId, clientSecret } = client.body as Record<string, string>;
    pactBase = `/tenants/${TENANT}/pact`;
    const token = await fetch(`${rt.baseUrl}${pactBase}/auth/token`, {
      method: 'POST', body: 'grant_type=client_credentials',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(token.status).toBe(200);
    bearer = { authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` };
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
  });

  it('shows a change made through this process on the very next read (v2 and v3, by id and in lists)', async () => {
    const id = '3b2a0c9e-5d0b-4c8f-9a51-1f3a2b4c5d01';
    expect((await call(rt.baseUrl, 'POST', '/management/v3/footprints', mgmt, withId(id))).status).toBe(201);
    expect(await status('3', id)).toBe('Active');
    expect(await status('3', id)).toBe('Active');
    expect(await status('2', id)).toBe('Active');
    expect(await listedIds('status=Active')).toContain(id);
    expect((await call(rt.baseUrl, 'DELETE', `/management/v3/footprints/${id}`, mgmt)).status).toBe(200);
    expect(await status('3', id)).toBe('Deprecated');
    expect(await status('2', id)).toBe('Deprecated');
    expect(await listedIds('status=Active')).not.toContain(id);

    // The repeated reads were answered from the cache, and the change feed is listening.
    const metrics = await call(rt.baseUrl, 'GET', '/metrics');
    const gauge = (name: string): number => Number(new RegExp(`^pcf_pact_read_cache_${name} (\\S+)$`, 'm').exec(String(metrics.body))?.[1]);
    expect(gauge('live')).toBe(1);
    expect(gauge('hits')).toBeGreaterThan(0);
    expect(gauge('entries')).toBeGreaterThan(0);
  });

  it('drops cached answers when the database reports a change this process did not make', async () => {
    const id = '3b2a0c9e-5d0b-4c8f-9a51-1f3a2b4c5d02';
    expect((await call(rt.baseUrl, 'POST', '/management/v3/footprints', mgmt, withId(id))).status).toBe(201);
    expect(await status('3', id)).toBe('Active');
    expect(await status('3', id)).toBe('Active');
    const r = await outsider(rt.runtime.db).deprecate(TENANT, { actor: 'test:outsider' }, id);
    expect(r.ok).toBe(true);
    await eventually(async () => (await status('3', id)) === 'Deprecated');
  });

  it('answers a read with data committed by another replica, and keeps doing so across a change-feed outage', async () => {
    if (rt.databaseUrl === undefined) return; // one embedded session: there is no other replica and no outage
    const replica = createPostgresDatabase({ url: rt.databaseUrl, poolSize: 2 });
    try {
      const id = '3b2a0c9e-5d0b-4c8f-9a51-1f3a2b4c5d03';
      const created = await outsider(replica).create(TENANT, { actor: 'test:replica' }, withId(id), 'auto');
      expect(created.ok).toBe(true);
      expect(await status('3', id)).toBe('Active');
      expect(await status('3', id)).toBe('Active');
      expect((await outsider(replica).deprecate(TENANT, { actor: 'test:replica' }, id)).ok).toBe(true);
      await eventually(async () => (await status('3', id)) === 'Deprecated');

      // Cut the runtime's listening connection: while it is down nothing is served from the cache.
      const id2 = '3b2a0c9e-5d0b-4c8f-9a51-1f3a2b4c5d04';
      expect((await outsider(replica).create(TENANT, { actor: 'test:replica' }, withId(id2), 'auto')).ok).toBe(true);
      expect(await status('3', id2)).toBe('Active');
      const admin = new Client({ connectionString: rt.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      expect((await outsider(replica).deprecate(TENANT, { actor: 'test:replica' }, id2)).ok).toBe(true);
      await eventually(async () => (await status('3', id2)) === 'Deprecated');
    } finally {
      await replica.close();
    }
  });
});

describe('PACT read cache turned off (PCF_PACT_READ_CACHE_MB=0)', () => {
  it('answers every read from the database and keeps nothing', async () => {
    const rt = await startTestRuntime('pglite', { PCF_PACT_READ_CACHE_MB: '0' });
    try {
      const t = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id: TENANT, displayName: 'Cache AG', bpn: 'BPNL0000000CACHE' });
      const mgmt = { 'x-api-key': (t.body as { adminApiKey: string }).adminApiKey };
      const client = (await call(rt.baseUrl, 'POST', '/management/v3/pact/clients', mgmt, { name: 'OEM' })).body as Record<string, string>;
      const token = await fetch(`${rt.baseUrl}/tenants/${TENANT}/pact/auth/token`, {
        method: 'POST', body: 'grant_type=client_credentials',
        headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      });
      const bearer = { authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` };
      for (let i = 0; i < 3; i++) expect((await call(rt.baseUrl, 'GET', `/tenants/${TENANT}/pact/3/footprints`, bearer)).status).toBe(200);
      const metrics = String((await call(rt.baseUrl, 'GET', '/metrics')).body);
      expect(metrics).toMatch(/^pcf_pact_read_cache_live 0$/m);
      expect(metrics).toMatch(/^pcf_pact_read_cache_entries 0$/m);
      expect(metrics).toMatch(/^pcf_pact_read_cache_hits 0$/m);
    } finally {
      await rt.close();
    }
  }, 60_000);
});
