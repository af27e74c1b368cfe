// PACT events on both engines: validation, RequestCreated → request, fulfil/reject/auto-fulfil delivered to a loopback requester with retries, Published.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { createOutboundHttpClient, type OutboundHttpClient } from '../../../connector/common/outbound-http';
import { pactOutboundFrom } from '../../../pcf-exchange-module/events/outbound';
import { createSchemaRegistry } from '../../../pcf-exchange-module/model/schema-registry';
import { testEngines } from '../../support/databases';
import { sampleFootprints } from '../pact/sample-footprints';
import { mgmt, openHarness, type Harness } from './harness';

const samples = sampleFootprints(6);
const registry = createSchemaRegistry();

interface Requester {
  url: string;
  received: { path: string; auth: string | undefined; body: Record<string, unknown> }[];
  tokenCalls: number;
  /** Statuses to answer the next event posts with (then 200). */
  failNext: number[];
  close(): Promise<void>;
}

async function startRequester(): Promise<Requester> {
  const state = { received: [] as Requester['received'], tokenCalls: 0, failNext: [] as number[] };
  const app = express();
  app.post('/auth/token', express.urlencoded({ extended: false }), (req, res) => {
    state.tokenCalls++;
    const ok = req.headers.authorization === `Basic ${Buffer.from('test_client_id:test_client_secret').toString('base64')}` && req.body.grant_type === 'client_credentials';
    if (!ok) { res.status(401).json({ error: 'invalid_client' }); return; }
    res.json({ access_token: 'requester-token', token_type: 'bearer', expires_in: 3600 });
  });
  app.post(['/2/events', '/3/events'], express.json({ type: () => true }), (req, res) => {
    if (req.headers.authorization !== 'Bearer requester-token') { res.status(401).end(); return; }
    const status = state.failNext.shift() ?? 200;
    if (status === 200) state.received.push({ path: req.path, auth: req.headers.authorization, body: req.body as Record<string, unknown> });
    res.status(status).end();
  });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() { return state.received; },
    get tokenCalls() { return state.tokenCalls; },
    failNext: state.failNext,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const V3 = {
  created: 'org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3',
  fulfilled: 'org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3',
  rejected: 'org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3',
  published: 'org.wbcsd.pact.ProductFootprint.PublishedEvent.3',
};
const V2 = {
  created: 'org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1',
  fulfilled: 'org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1',
  rejected: 'org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1',
  published: 'org.wbcsd.pathfinder.ProductFootprint.Published.v1',
};

describe.each(testEngines())('PACT events on %s', (engine) => {
  let h: Harness;
  let requester: Requester;
  let outbound: OutboundHttpClient;
  let token: string;
  const A = '/tenants/alpha/pact';

  beforeAll(async () => {
    requester = await startRequester();
    outbound = createOutboundHttpClient({ allowLoopback: true, timeoutMs: 3000 });
    h = await openHarness(engine, { outbound: pactOutboundFrom(outbound) });
    await h.seed('alpha', samples);
    token = await h.token('alpha');
    const p = await mgmt(h.app, 'alpha', 'admin').post('/pact/partners').send({
      name: 'conformance', baseUrl: requester.url, apiVersion: '3', clientId: 'test_client_id', clientSecret: 'test_client_secret',
    });
    expect(p.status).toBe(201);
  });
  afterAll(async () => {
    await h.close();
    outbound.close();
    await requester.close();
  });

  const post = (version: '2' | '3', body: unknown, t = token) => request(h.app).post(`${A}/${version}/events`)
    .set('Authorization', `Bearer ${t}`).set('Content-Type', 'application/cloudevents+json; charset=UTF-8').send(JSON.stringify(body));
  const event = (type: string, id: string, data: Record<string, unknown>, source = requester.url) =>
    ({ type, specversion: '1.0', id, source, time: h.clock.now.toISOString(), data });
  const requests = async () => (await mgmt(h.app, 'alpha', 'viewer').get('/footprint-requests')).body as { id: string; eventId: string; status: string }[];

  it('validates events: non-UUID pfIds, unknown types, wrong specversion, malformed JSON → 400 BadRequest', async () => {
    for (const [v, types] of [['2', V2], ['3', V3]] as const) {
      const urn = await post(v, event(types.published, 'e1', { pfIds: ['urn:pact:not-a-uuid'] }));
      expect([urn.status, urn.body.code]).toEqual([400, 'BadRequest']);
      const other = await post(v, event(v === '2' ? V3.published : V2.published, 'e2', { pfIds: [samples[0].doc.id] }));
      expect(other.status).toBe(400);
      const spec = await post(v, { ...event(types.published, 'e3', { pfIds: [samples[0].doc.id] }), specversion: '0.3' });
      expect(spec.status).toBe(400);
      const broken = await request(h.app).post(`${A}/${v}/events`).set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/cloudevents+json').send('{"type":');
      expect([broken.status, broken.body.code]).toEqual([400, 'BadRequest']);
      const ok = await post(v, event(types.published, `pub-${v}`, { pfIds: [samples[0].doc.id] }));
      expect(ok.status).toBe(200);
      expect(ok.text).toBe('');
    }
    const stored = await h.db.withTenant('alpha', (tx) => tx.query<{ event_type: string }>('SELECT event_type FROM pact_received_events'));
    expect(stored.map((s) => s.event_type)).toEqual(['published', 'published']);
    const unauth = await post('3', event(V3.published, 'x', { pfIds: [samples[0].doc.id] }), 'bad-token');
    expect(unauth.status).toBe(401);
  });

  it('refuses a request whose source is no registered partner and one without criteria', async () => {
    const r = await post('3', event(V3.created, 'unknown-src', { productId: ['urn:x'] }, 'https://stranger.example'));
    expect([r.status, r.body.code]).toEqual([400, 'BadRequest']);
    const empty = await post('3', event(V3.created, 'empty', {}));
    expect(empty.status).toBe(400);
    const v2empty = await post('2', event(V2.created, 'empty2', { pf: {} }));
    expect(v2empty.status).toBe(400);
    expect(await requests()).toEqual([]);
  });

  it('stores RequestCreated, fulfils it and delivers RequestFulfilled with token auth and retries', async () => {
    const productId = samples[0].doc.productIds[0];
    const created = event(V3.created, 'run-1/12', { productId: [productId], comment: 'please' });
    expect((await post('3', created)).status).toBe(200);
    expect((await post('3', created)).status).toBe(200);
    const [req] = await requests();
    expect(req).toMatchObject({ eventId: 'run-1/12', status: 'Pending' });
    expect((await requests()).length).toBe(1);
    expect((await mgmt(h.app, 'alpha', 'viewer').post(`/footprint-requests/${req.id}/fulfil`).send({})).status).toBe(403);
    const fulfil = await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${req.id}/fulfil`).send({});
    expect(fulfil.status).toBe(200);
    expect(fulfil.body.status).toBe('Fulfilled');
    expect((await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${req.id}/reject`).send({})).status).toBe(409);

    requester.failNext.push(503);
    expect(await h.module.worker.runOnce('alpha')).toBe(1);
    expect(requester.received).toHaveLength(0);
    let outbox = (await mgmt(h.app, 'alpha', 'viewer').get('/pact/outbox?status=pending')).body as { attempts: number; lastError: string; nextAttemptAt: string }[];
    expect(outbox[0]).toMatchObject({ attempts: 1, lastError: 'partner answered 503' });
    expect(Date.parse(outbox[0].nextAttemptAt) - h.clock.now.getTime()).toBe(1000);
    expect(await h.module.worker.runOnce('alpha')).toBe(0);
    h.advance(2);
    expect(await h.module.worker.runOnce()).toBe(1);
    expect(requester.received).toHaveLength(1);
    const got = requester.received[0];
    expect(got.path).toBe('/3/events');
    expect(got.body).toMatchObject({ type: V3.fulfilled, specversion: '1.0', data: { requestEventId: 'run-1/12' } });
    expect(registry.pact('3', 'RequestFulfilledEvent')(got.body)).toBe(true);
    const pfs = (got.body.data as { pfs: { id: string; productIds: string[] }[] }).pfs;
    expect(pfs.length).toBeGreaterThan(0);
    expect(pfs.every((p) => p.productIds.map((x) => x.toLowerCase()).includes(productId.toLowerCase()))).toBe(true);
    expect(requester.tokenCalls).toBe(1);
    outbox = (await mgmt(h.app, 'alpha', 'viewer').get('/pact/outbox?status=delivered')).body;
    expect(outbox).toHaveLength(1);
  });

  it('rejects a request and delivers RequestRejected; explicit footprint ids fulfil', async () => {
    expect((await post('3', event(V3.created, 'run-1/14.A', { productId: ['urn:pact:null'] }))).status).toBe(200);
    const req = (await requests()).find((r) => r.eventId === 'run-1/14.A') as { id: string };
    const auto = await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${req.id}/fulfil`).send({});
    expect(auto.status).toBe(400);
    const bad = await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${req.id}/reject`).send({ code: 'Nonsense' });
    expect(bad.status).toBe(400);
    const rej = await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${req.id}/reject`).send({ message: 'unknown product' });
    expect(rej.body).toMatchObject({ status: 'Rejected', error: { code: 'NotFound', message: 'unknown product' } });
    await h.module.worker.runOnce('alpha');
    const got = requester.received[requester.received.length - 1].body;
    expect(got).toMatchObject({ type: V3.rejected, data: { requestEventId: 'run-1/14.A', error: { code: 'NotFound', message: 'unknown product' } } });
    expect(registry.pact('3', 'RequestRejectedEvent')(got)).toBe(true);

    await post('3', event(V3.created, 'explicit', { companyId: ['urn:company:example:c1'] }));
    const ex = (await requests()).find((r) => r.eventId === 'explicit') as { id: string };
    const unknown = await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${ex.id}/fulfil`).send({ footprintIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknown.status).toBe(400);
    const chosen = await mgmt(h.app, 'alpha', 'publisher').post(`/footprint-requests/${ex.id}/fulfil`).send({ footprintIds: [samples[4].doc.id] });
    expect(chosen.body.pfIds).toEqual([samples[4].doc.id]);
    await h.module.worker.runOnce('alpha');
    const last = requester.received[requester.received.length - 1].body as { data: { requestEventId: string; pfs: { id: string }[] } };
    expect([last.data.requestEventId, last.data.pfs.map((p) => p.id)]).toEqual(['explicit', [samples[4].doc.id]]);
  });

  it('auto-fulfils v2 requests (Fulfilled.v1 or Rejected.v1 with NoSuchFootprint) when the tenant enables it', async () => {
    expect((await mgmt(h.app, 'alpha', 'publisher').put('/pact/settings').send({ autoFulfil: true })).status).toBe(403);
    const s = await mgmt(h.app, 'alpha', 'admin').put('/pact/settings').send({ autoFulfil: true });
    expect(s.body).toEqual({ autoFulfil: true });
    const before = requester.received.length;
    expect((await post('2', event(V2.created, 'v2-req', { pf: { productIds: [samples[1].doc.productIds[1]] } }))).status).toBe(200);
    expect((await post('2', event(V2.created, 'v2-null', { pf: { productIds: ['urn:pact:null'] } }))).status).toBe(200);
    const states = (await requests()).filter((r) => r.eventId.startsWith('v2-')).map((r) => [r.eventId, r.status]).sort();
    expect(states).toEqual([['v2-null', 'Rejected'], ['v2-req', 'Fulfilled']]);
    await h.module.worker.runOnce('alpha');
    await h.module.worker.runOnce('alpha');
    const got = requester.received.slice(before);
    expect(got.map((g) => g.path)).toEqual(['/2/events', '/2/events']);
    const fulfilled = got.find((g) => g.body.type === V2.fulfilled)?.body as { data: { pfs: { id: string; specVersion: string }[] } };
    expect(fulfilled.data.pfs.map((p) => [p.id, p.specVersion])).toEqual([[samples[1].doc.id, samples[1].doc.specVersion]]);
    expect(registry.pact('2', 'RequestFulfilledEvent')(fulfilled)).toBe(true);
    const rejected = got.find((g) => g.body.type === V2.rejected)?.body as { data: { error: { code: string } } };
    expect(rejected.data.error.code).toBe('NoSuchFootprint');
    await mgmt(h.app, 'alpha', 'admin').put('/pact/settings').send({ autoFulfil: false });
  });

  it('sends Published events to subscribed partners when a footprint is published; gives up on permanent refusals', async () => {
    const sub = await mgmt(h.app, 'alpha', 'admin').post('/pact/partners').send({
      name: 'subscriber', baseUrl: `${requester.url}/`, apiVersion: '3', clientId: 'test_client_id', clientSecret: 'test_client_secret', subscribed: true,
    });
    expect(sub.body.baseUrl).toBe(requester.url);
    const doc = { ...samples[0].doc, id: '6f3e2a10-0000-4000-8000-0000000000aa' };
    expect((await mgmt(h.app, 'alpha', 'publisher').post('/footprints').send(doc)).status).toBe(201);
    const before = requester.received.length;
    await h.module.worker.runOnce('alpha');
    const got = requester.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].body).toMatchObject({ type: V3.published, data: { pfIds: [doc.id] }, source: 'https://pact.example.test/tenants/alpha/pact' });
    requester.failNext.push(400);
    await mgmt(h.app, 'alpha', 'publisher').delete(`/footprints/${doc.id}`);
    await h.module.worker.runOnce('alpha');
    const failed = (await mgmt(h.app, 'alpha', 'viewer').get('/pact/outbox?status=failed')).body as { lastError: string }[];
    expect(failed[0].lastError).toBe('partner answered 400');
    expect((await mgmt(h.app, 'alpha', 'admin').delete(`/pact/partners/${sub.body.id as string}`)).status).toBe(204);
    expect(await h.keys.getSecret('alpha', `pact-partner/${sub.body.id as string}`)).toBeUndefined();
  });

  it('keeps other tenants’ requests invisible', async () => {
    expect((await mgmt(h.app, 'beta', 'admin').get('/footprint-requests')).body).toEqual([]);
    const [req] = await requests();
    expect((await mgmt(h.app, 'beta', 'admin').get(`/footprint-requests/${req.id}`)).status).toBe(404);
    expect((await mgmt(h.app, 'beta', 'admin').post(`/footprint-requests/${req.id}/reject`).send({})).status).toBe(404);
  });
});
