// Event delivery worker on both engines: one delivery per row across concurrent workers, kick/start/stop, backoff horizon, discovery.
import { randomBytes } from 'node:crypto';
import { createLocalKeyStore, type LocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import { silentLogger } from '../../../connector/observability/logger';
import { createPartnerStore, partnerSecretName } from '../../../pcf-exchange-module/clients/partner-store';
import { buildEvent } from '../../../pcf-exchange-module/events/cloud-events';
import { createEventDeliveryWorker, type EventDeliveryWorkerDeps } from '../../../pcf-exchange-module/events/delivery-worker';
import type { OutboundReply, PactOutbound } from '../../../pcf-exchange-module/events/outbound';
import { createOutboxStore } from '../../../pcf-exchange-module/events/outbox-store';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

interface Call { method: 'GET' | 'POST'; url: string; body?: string; headers: Readonly<Record<string, string>> }

/** An in-memory partner host: OIDC discovery, token endpoint and events endpoint with scripted statuses. */
function fakePartner(options: { discovery?: boolean; eventStatuses?: number[] } = {}): PactOutbound & { calls: Call[] } {
  const calls: Call[] = [];
  const statuses = options.eventStatuses ?? [];
  const reply = (status: number, body = ''): OutboundReply => ({ ok: true, status, body });
  return {
    calls,
    async get(url, headers) {
      calls.push({ method: 'GET', url, headers });
      if (url.endsWith('/.well-known/openid-configuration') && options.discovery === true) return reply(200, JSON.stringify({ token_endpoint: 'https://idp.partner.test/oauth/token' }));
      return reply(404);
    },
    async post(url, body, headers) {
      calls.push({ method: 'POST', url, body, headers });
      if (url.endsWith('/token')) return reply(200, JSON.stringify({ access_token: 'tok', expires_in: 600 }));
      return reply(statuses.shift() ?? 200);
    },
  };
}

describe.each(testEngines())('event delivery worker on %s', (engine) => {
  let db: TestDatabase;
  let keys: LocalKeyStore;
  const clock = { now: new Date('2026-03-01T00:00:00Z') };
  const now = (): Date => new Date(clock.now.getTime());
  const partners = createPartnerStore();
  const outbox = createOutboxStore();
  let tenantSeq = 0;

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    keys = createLocalKeyStore({ db, masterKey: randomBytes(32), now });
  });
  afterAll(async () => db.close());

  /** A fresh tenant with one partner and `n` queued events. */
  async function setup(n: number): Promise<string> {
    const tenant = `worker-${++tenantSeq}`;
    await insertTenantRow(db, tenant);
    const partner = await db.withTenant(tenant, (tx) => partners.insert(tx, {
      name: 'p', baseUrl: 'https://partner.test/pact', authBaseUrl: 'https://partner.test/pact', apiVersion: '3', clientId: 'me', subscribed: true, createdBy: 'test',
    }, now()));
    await keys.putSecret(tenant, partnerSecretName(partner.id), 's3cret');
    await db.withTenant(tenant, async (tx) => {
      for (let i = 0; i < n; i++) await outbox.enqueue(tx, partner.id, '3', buildEvent('3', 'published', 'https://me.test', now(), { pfIds: [] }), now());
    });
    return tenant;
  }

  const worker = (outbound: PactOutbound, extra: Partial<EventDeliveryWorkerDeps> = {}) =>
    createEventDeliveryWorker({ db, outbound, secrets: keys, logger: silentLogger(), now, baseBackoffMs: 1000, random: () => 0.5, ...extra });

  it('two workers running at once deliver every row exactly once', async () => {
    const tenant = await setup(12);
    const outbound = fakePartner();
    const a = worker(outbound, { batchSize: 3 });
    const b = worker(outbound, { batchSize: 3 });
    let total = 0;
    for (let round = 0; round < 4; round++) {
      const [x, y] = await Promise.all([a.runOnce(tenant), b.runOnce(tenant)]);
      total += x + y;
    }
    expect(total).toBe(12);
    const posted = outbound.calls.filter((c) => c.method === 'POST' && c.url.endsWith('/3/events'));
    const ids = posted.map((c) => (JSON.parse(c.body as string) as { id: string }).id);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toHaveLength(12);
    expect(posted[0].headers).toMatchObject({ Authorization: 'Bearer tok', 'Content-Type': 'application/cloudevents+json; charset=UTF-8' });
    const token = outbound.calls.find((c) => c.url === 'https://partner.test/pact/auth/token');
    expect(token?.headers.Authorization).toBe(`Basic ${Buffer.from('me:s3cret').toString('base64')}`);
    expect(token?.body).toBe('grant_type=client_credentials');
  });

  it('uses the token endpoint of the partner’s OIDC discovery document', async () => {
    const tenant = await setup(1);
    const outbound = fakePartner({ discovery: true });
    await worker(outbound).runOnce(tenant);
    expect(outbound.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET https://partner.test/pact/.well-known/openid-configuration',
      'POST https://idp.partner.test/oauth/token',
      'POST https://partner.test/pact/3/events',
    ]);
  });

  it('retries with exponential backoff and gives up after the horizon', async () => {
    const tenant = await setup(1);
    const outbound = fakePartner({ eventStatuses: Array(50).fill(503) });
    const w = worker(outbound, { maxAgeMs: 10_000 });
    const due: number[] = [];
    for (let i = 0; i < 5; i++) {
      await w.runOnce(tenant);
      const [row] = await db.withTenant(tenant, (tx) => outbox.list(tx));
      if (row.status !== 'pending') break;
      due.push(Date.parse(row.nextAttemptAt) - clock.now.getTime());
      clock.now = new Date(Date.parse(row.nextAttemptAt));
    }
    expect(due).toEqual([1000, 2000, 4000]);
    const [row] = await db.withTenant(tenant, (tx) => outbox.list(tx));
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/^gave up after 4 attempts/);
  });

  it('start() delivers kicked tenants promptly; stop() waits and stops', async () => {
    const tenant = await setup(2);
    const outbound = fakePartner();
    const w = worker(outbound, { pollIntervalMs: 60_000 });
    w.start();
    w.kick(tenant);
    for (let i = 0; i < 100 && outbound.calls.filter((c) => c.url.endsWith('/3/events')).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await w.stop();
    expect(outbound.calls.filter((c) => c.url.endsWith('/3/events'))).toHaveLength(2);
    const rows = await db.withTenant(tenant, (tx) => outbox.list(tx, 'delivered'));
    expect(rows).toHaveLength(2);
  });
});
