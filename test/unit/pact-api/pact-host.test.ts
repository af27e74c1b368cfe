// PACT host over HTTP on both engines: auth, discovery, GetFootprint/ListFootprints of v2 and v3, filters, pagination, errors, isolation.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { indexFields } from '../../../pcf-exchange-module/model/index-fields';
import type { PactFootprint } from '../../../pcf-exchange-module/model/pact-types';
import { createFootprintValidator } from '../../../pcf-exchange-module/model/validate';
import { matchesFilter } from '../../../pcf-exchange-module/query/match';
import { parseV3QueryParams, type QueryParams } from '../../../pcf-exchange-module/query/v3-query-params';
import { testEngines } from '../../support/databases';
import { sampleFootprints } from '../pact/sample-footprints';
import { basic, openHarness, nextLink, pathOf, PUBLIC_URL, type Harness } from './harness';

const samples = sampleFootprints(12);
const validator = createFootprintValidator();
const betaOnly: PactFootprint[] = sampleFootprints(2).map((f) => {
  const r = validator.validateFootprint({ ...f.doc, id: randomUUID(), productIds: ['urn:beta:secret-product'] });
  if (!r.ok) throw new Error(r.message);
  return r.value;
});

function expected(q: QueryParams): string[] {
  const f = parseV3QueryParams(q);
  if (!f.ok) throw new Error(f.message);
  return samples.map(indexFields).filter((x) => matchesFilter(f.value, x)).map((x) => x.id).sort();
}

describe.each(testEngines())('PACT host on %s', (engine) => {
  let h: Harness;
  let token: string;
  let betaToken: string;
  const A = '/tenants/alpha/pact';

  beforeAll(async () => {
    h = await openHarness(engine);
    await h.seed('alpha', samples);
    await h.seed('beta', betaOnly);
    token = await h.token('alpha');
    betaToken = await h.token('beta');
  });
  afterAll(async () => h.close());

  const get = (path: string, t: string = token) => request(h.app).get(path).set('Authorization', `Bearer ${t}`);

  async function listAll(version: '2' | '3', query: string, limit: number): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let path: string | undefined = `${A}/${version}/footprints?limit=${limit}${query ? `&${query}` : ''}`;
    while (path !== undefined) {
      const r = await get(path);
      expect(r.status).toBe(200);
      pages.push(r.body.data.length);
      ids.push(...(r.body.data as { id: string }[]).map((d) => d.id));
      const link = nextLink(r.headers.link);
      path = link === undefined ? undefined : pathOf(link);
    }
    return { ids, pages };
  }

  describe('authentication', () => {
    it('issues a bearer token for valid client credentials, with discovery and JWKS', async () => {
      const c = await h.registerClient('alpha');
      const r = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=client_credentials');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 900, scope: 'footprint:list footprint:read' });
      expect(r.headers['cache-control']).toBe('no-store');
      const oidc = await request(h.app).get(`${A}/.well-known/openid-configuration`);
      expect(oidc.status).toBe(200);
      expect(oidc.body.issuer).toBe(`${PUBLIC_URL}${A}`);
      expect(oidc.body.token_endpoint).toBe(`${PUBLIC_URL}${A}/auth/token`);
      const jwks = await request(h.app).get(`${A}/jwks.json`);
      expect(jwks.body.keys).toHaveLength(1);
      expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
      expect(jwks.body.keys[0].d).toBeUndefined();
      const payload = JSON.parse(Buffer.from((r.body.access_token as string).split('.')[1], 'base64url').toString());
      expect(payload).toMatchObject({ iss: `${PUBLIC_URL}${A}`, client_id: c.clientId });
    });

    it('refuses wrong secrets, unknown clients, unknown tenants and wrong grants with RFC 6749 errors', async () => {
      const c = await h.registerClient('alpha');
      const bad = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic(c.clientId, 'wrong')).type('form').send('grant_type=client_credentials');
      expect(bad.status).toBe(401);
      expect(bad.body.error).toBe('invalid_client');
      const unknown = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic('nobody', 'x')).type('form').send('grant_type=client_credentials');
      expect(unknown.status).toBe(401);
      const otherHost = await request(h.app).post('/tenants/beta/pact/auth/token').set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=client_credentials');
      expect(otherHost.status).toBe(401);
      const ghost = await request(h.app).post('/tenants/ghost/pact/auth/token').set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=client_credentials');
      expect(ghost.status).toBe(401);
      expect(ghost.body).toEqual(unknown.body);
      const grant = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=password');
      expect(grant.status).toBe(400);
      expect(grant.body.error).toBe('unsupported_grant_type');
      const noAuth = await request(h.app).post(`${A}/auth/token`).type('form').send('grant_type=client_credentials');
      expect(noAuth.status).toBe(401);
      const json = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic(c.clientId, c.clientSecret)).send({ grant_type: 'client_credentials' });
      expect(json.status).toBe(400);
    });

    it('refuses missing, forged and foreign tokens: v3 401, v2 400 BadRequest', async () => {
      const id = samples[0].doc.id;
      const none = await request(h.app).get(`${A}/3/footprints/${id}`);
      expect(none.status).toBe(401);
      expect(none.body.code).toBe('BadRequest');
      const noneV2 = await request(h.app).get(`${A}/2/footprints`);
      expect(noneV2.status).toBe(400);
      expect(noneV2.body.code).toBe('BadRequest');
      const forged = await get(`${A}/3/footprints`, `${token.slice(0, -4)}AAAA`);
      expect(forged.status).toBe(401);
      // beta's token, verified (and cached) on beta's host, is still refused on alpha's.
      expect((await get('/tenants/beta/pact/3/footprints', betaToken)).status).toBe(200);
      const foreign = await get(`${A}/3/footprints/${id}`, betaToken);
      expect(foreign.status).toBe(401);
      const foreignV2 = await get(`${A}/2/footprints`, betaToken);
      expect(foreignV2.status).toBe(400);
      const ghost = await get('/tenants/ghost/pact/3/footprints', token);
      expect(ghost.status).toBe(401);
      expect(ghost.body).toEqual({ code: 'BadRequest', message: 'invalid access token' });
      const events = await request(h.app).post(`${A}/3/events`).set('Authorization', 'Bearer nope').send({});
      expect(events.status).toBe(401);
    });

    it('answers TokenExpired 401 on both versions once the token expired', async () => {
      const t = await h.token('alpha');
      expect((await get(`${A}/3/footprints`, t)).status).toBe(200);
      h.advance(920);
      try {
        for (const v of ['2', '3']) {
          const r = await get(`${A}/${v}/footprints`, t);
          expect(r.status).toBe(401);
          expect(r.body.code).toBe('TokenExpired');
        }
      } finally {
        h.advance(-920);
      }
    });

    it('refuses tokens of a revoked client', async () => {
      const c = await h.registerClient('alpha');
      const r = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=client_credentials');
      const t = r.body.access_token as string;
      expect((await get(`${A}/3/footprints`, t)).status).toBe(200);
      const del = await request(h.app).delete(`/management/v3/pact/clients/${c.clientId}`).set({ 'x-test-tenant': 'alpha', 'x-test-role': 'admin' });
      expect(del.status).toBe(204);
      expect((await get(`${A}/3/footprints`, t)).status).toBe(401);
      const again = await request(h.app).post(`${A}/auth/token`).set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=client_credentials');
      expect(again.status).toBe(401);
    });
  });

  describe('GetFootprint', () => {
    it('serves a stored footprint in both shapes', async () => {
      for (const s of samples.slice(0, 4)) {
        const v3 = await get(`${A}/3/footprints/${s.doc.id}`);
        expect(v3.status).toBe(200);
        expect(v3.body.data.id).toBe(s.doc.id);
        expect(validator.validateFootprintAs(v3.body.data, '3').ok).toBe(true);
        const v2 = await get(`${A}/2/footprints/${s.doc.id}`);
        expect(v2.status).toBe(200);
        expect(v2.body.data.specVersion).toMatch(/^2\./);
        expect(validator.validateFootprintAs(v2.body.data, '2').ok).toBe(true);
      }
    });

    it('answers NotFound (v3) / NoSuchFootprint (v2) for unknown, malformed and other tenants’ ids', async () => {
      for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid', betaOnly[0].doc.id]) {
        const v3 = await get(`${A}/3/footprints/${id}`);
        expect([v3.status, v3.body.code]).toEqual([404, 'NotFound']);
        const v2 = await get(`${A}/2/footprints/${id}`);
        expect([v2.status, v2.body.code]).toEqual([404, 'NoSuchFootprint']);
      }
    });

    it('tolerates a content type on a bodiless GET', async () => {
      const r = await get(`${A}/3/footprints/${samples[1].doc.id}`).set('Content-Type', 'application/json');
      expect(r.status).toBe(200);
    });
  });

  describe('ListFootprints', () => {
    it('lists every footprint of the tenant and none of another tenant', async () => {
      const v3 = await get(`${A}/3/footprints`);
      expect(v3.status).toBe(200);
      expect((v3.body.data as { id: string }[]).map((d) => d.id).sort()).toEqual(samples.map((s) => s.doc.id).sort());
      expect(v3.headers.link).toBeUndefined();
      const beta = await get('/tenants/beta/pact/3/footprints', betaToken);
      expect((beta.body.data as { id: string }[]).map((d) => d.id).sort()).toEqual(betaOnly.map((s) => s.doc.id).sort());
      const v2 = await get(`${A}/2/footprints`);
      expect(v2.body.data).toHaveLength(samples.length);
      expect((v2.body.data as { specVersion: string }[]).every((d) => d.specVersion.startsWith('2.'))).toBe(true);
    });

    it.each([
      ['productId', { productId: samples[2].doc.productIds[0] }],
      ['productId upper-cased (case-insensitive)', { productId: samples[2].doc.productIds[1].toUpperCase() }],
      ['companyId OR', { companyId: ['urn:company:example:c0', 'urn:bogus'] }],
      ['geography', { geography: 'DE' }],
      ['classification', { classification: 'urn:pact:productclassification:un-cpc:101' }],
      ['validOn', { validOn: '2024-06-01T00:00:00Z' }],
      ['validAfter', { validAfter: '2023-01-01T00:00:00Z' }],
      ['validBefore', { validBefore: '2026-01-01T00:00:00Z' }],
      ['status', { status: 'Deprecated' }],
      ['status AND productId', { status: 'Active', productId: 'urn:gtin:1000' }],
      ['bogus productId', { productId: 'urn:pact:null' }],
      ['bogus status', { status: 'Bogus' }],
      ['bogus companyId AND bogus productId', { companyId: 'urn:x', productId: 'urn:y' }],
      ['geography XX', { geography: 'XX' }],
      ['validOn 1900', { validOn: '1900-01-01T00:00:00Z' }],
    ] as [string, QueryParams][])('filters v3 by %s exactly like the matcher', async (_name, q) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(q)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x as string);
      const all = await listAll('3', params.toString(), 5);
      expect(all.ids.sort()).toEqual(expected(q));
    });

    it('filters v2 with $filter and refuses unsupported or malformed expressions', async () => {
      const created = samples[5].doc.created;
      const r = await get(`${A}/2/footprints?$filter=${encodeURIComponent(`created ge '${created}'`)}`);
      expect(r.status).toBe(200);
      expect((r.body.data as { created: string }[]).every((d) => Date.parse(d.created) >= Date.parse(created))).toBe(true);
      expect(r.body.data.length).toBeGreaterThan(0);
      const any = await get(`${A}/2/footprints?$filter=${encodeURIComponent(`productIds/any(p:(p eq '${samples[3].doc.productIds[1]}'))`)}`);
      expect((any.body.data as { id: string }[]).map((d) => d.id)).toEqual([samples[3].doc.id]);
      const unsupported = await get(`${A}/2/footprints?$filter=${encodeURIComponent("comment eq 'x' or created gt '2020-01-01T00:00:00Z'")}`);
      expect([unsupported.status, unsupported.body.code]).toEqual([400, 'NotImplemented']);
      const malformed = await get(`${A}/2/footprints?$filter=${encodeURIComponent('created ge')}`);
      expect([malformed.status, malformed.body.code]).toEqual([400, 'BadRequest']);
      const paged = await listAll('2', `$filter=${encodeURIComponent(`created ge '${created}'`)}`, 2);
      expect(paged.ids).toEqual((r.body.data as { id: string }[]).map((d) => d.id));
    });

    it('refuses malformed v3 parameters and limits with BadRequest', async () => {
      for (const q of ['validOn=yesterday', 'limit=0', 'limit=-1', 'limit=abc', 'productId=', 'validAfter=2020-01-01T00:00:00Z&validAfter=2021-01-01T00:00:00Z']) {
        const r = await get(`${A}/3/footprints?${q}`);
        expect([r.status, r.body.code]).toEqual([400, 'BadRequest']);
      }
    });
  });

  describe('pagination', () => {
    it('pages with absolute links, never more than limit, exactly-limit last page has no link', async () => {
      const { ids, pages } = await listAll('3', '', 4);
      expect(pages).toEqual([4, 4, 4]);
      expect(ids.sort()).toEqual(samples.map((s) => s.doc.id).sort());
      const five = await listAll('3', '', 5);
      expect(five.pages).toEqual([5, 5, 2]);
      const exact = await get(`${A}/3/footprints?limit=12`);
      expect(exact.body.data).toHaveLength(12);
      expect(exact.headers.link).toBeUndefined();
      const one = await get(`${A}/3/footprints?limit=1`);
      const link = nextLink(one.headers.link) as string;
      expect(link.startsWith(`${PUBLIC_URL}${A}/3/footprints?`)).toBe(true);
      expect(one.headers.link).toMatch(/^<https:\/\/[^>]+>; rel="next"$/);
    });

    it('keeps a link valid for at least 180 s and repeatable; refuses it once expired', async () => {
      const first = await get(`${A}/3/footprints?limit=3&status=Active`);
      const link = pathOf(nextLink(first.headers.link) as string);
      h.advance(179);
      const a = await get(link);
      const b = await get(link);
      expect(a.status).toBe(200);
      expect(b.body).toEqual(a.body);
      h.advance(900);
      try {
        const expiredToken = await h.token('alpha');
        const expired = await get(link, expiredToken);
        expect([expired.status, expired.body.code]).toEqual([400, 'BadRequest']);
        expect(expired.body.message).toMatch(/expired/);
      } finally {
        h.advance(-1079);
      }
    });

    it('refuses forged cursors, cursors of another listing, version or tenant', async () => {
      const first = await get(`${A}/3/footprints?limit=2&status=Active`);
      const link = pathOf(nextLink(first.headers.link) as string);
      const cursor = new URL(`${PUBLIC_URL}${link}`).searchParams.get('cursor') as string;
      const [hdr, payload] = cursor.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, c: 'W10' })).toString('base64url');
      for (const bad of [`${hdr}.${forgedPayload}.${cursor.split('.')[2]}`, 'abc', token]) {
        const r = await get(`${A}/3/footprints?limit=2&status=Active&cursor=${encodeURIComponent(bad)}`);
        expect([r.status, r.body.code]).toEqual([400, 'BadRequest']);
      }
      const otherFilter = await get(`${A}/3/footprints?limit=2&status=Deprecated&cursor=${cursor}`);
      expect(otherFilter.status).toBe(400);
      const otherVersion = await get(`${A}/2/footprints?limit=2&status=Active&cursor=${cursor}`);
      expect(otherVersion.status).toBe(400);
      const otherTenant = await get(`/tenants/beta/pact/3/footprints?limit=2&status=Active&cursor=${cursor}`, betaToken);
      expect(otherTenant.status).toBe(400);
      expect(Array.isArray(otherTenant.body.data)).toBe(false);
    });

    it('a cursor token is never accepted as an access token', async () => {
      const first = await get(`${A}/3/footprints?limit=1`);
      const cursor = new URL(nextLink(first.headers.link) as string).searchParams.get('cursor') as string;
      const r = await get(`${A}/3/footprints`, cursor);
      expect(r.status).toBe(401);
    });
  });

  it('answers NotImplemented for unknown actions (v2 400, v3 501)', async () => {
    const v3 = await get(`${A}/3/nothing`);
    expect([v3.status, v3.body.code]).toEqual([501, 'NotImplemented']);
    const v2 = await request(h.app).delete(`${A}/2/footprints/${samples[0].doc.id}`).set('Authorization', `Bearer ${token}`);
    expect([v2.status, v2.body.code]).toEqual([400, 'NotImplemented']);
  });
});
