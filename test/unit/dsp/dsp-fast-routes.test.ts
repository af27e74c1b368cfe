// Which DSP requests the fast lane takes, and what it hands to the endpoint table (dialect, decoded ids, parsed body).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createDspFastRoutes } from '../../../connector/dsp/http/dsp-fast-routes';
import { createDspEndpoints, type DspEndpoint, type DspEndpointDeps, type DspEndpoints, type DspRequest } from '../../../connector/dsp/http/dsp-endpoints';
import type { FastContext, FastHandler, FastMatch } from '../../../connector/http/fast-lane';

const ENDPOINTS: DspEndpoint[] = [
  { method: 'POST', path: '/negotiations/request' },
  { method: 'GET', path: '/negotiations/:id' },
  { method: 'POST', path: '/negotiations/:id/events' },
];

function fakeEndpoints(served: { endpoint: DspEndpoint; request: DspRequest }[]): DspEndpoints {
  return {
    list: ENDPOINTS,
    find(method, path): { endpoint: DspEndpoint; params: Record<string, string> } | undefined {
      const seg = path.split('/').slice(1);
      if (method === 'POST' && path === '/negotiations/request') return { endpoint: ENDPOINTS[0] as DspEndpoint, params: {} };
      if (method === 'GET' && seg.length === 2 && seg[0] === 'negotiations') return { endpoint: ENDPOINTS[1] as DspEndpoint, params: { id: decodeURIComponent(seg[1] as string) } };
      if (method === 'POST' && seg.length === 3 && seg[2] === 'events') return { endpoint: ENDPOINTS[2] as DspEndpoint, params: { id: decodeURIComponent(seg[1] as string) } };
      return undefined;
    },
    async serve(endpoint, request) {
      served.push({ endpoint, request });
      return { status: 201, headers: { link: '<x>' }, json: '{"ok":true}' };
    },
  };
}

function req(headers: Record<string, string>, body = ''): IncomingMessage {
  const r = Readable.from(body === '' ? [] : [Buffer.from(body)]) as unknown as IncomingMessage;
  (r as { headers: Record<string, string> }).headers = headers;
  return r;
}

function ctxOf(r: IncomingMessage): FastContext {
  return {
    req: r, requestId: 'r1', query: { offset: '2' },
    readBody: async (limit) => {
      const chunks: Buffer[] = [];
      for await (const c of r as unknown as AsyncIterable<Buffer>) chunks.push(c);
      const all = Buffer.concat(chunks);
      return all.length > limit ? undefined : all;
    },
  };
}

describe('DSP fast routes', () => {
  const served: { endpoint: DspEndpoint; request: DspRequest }[] = [];
  const [route] = createDspFastRoutes(fakeEndpoints(served), { bodyLimitBytes: 64 });
  const json = { 'content-type': 'application/json', 'content-length': '10' };

  beforeEach(() => void (served.length = 0));

  it('takes plain JSON requests of every dialect and hands over the dialect, ids, query and parsed body', async () => {
    for (const [prefix, dialect] of [['/2025-1', '2025-1'], ['/2024-1', '2024-1'], ['', '0.8']] as const) {
      const r = req({ ...json, authorization: 'Bearer t' }, '{"a":1}');
      const m = route?.match('POST', `/tenants/sup%2Dplier/dsp${prefix}/negotiations/urn%3Auuid%3A7/events`, r) as FastMatch;
      expect(m.label).toBe(`/tenants/:tenantId/dsp${prefix}/negotiations/:id/events`);
      expect(await m.handler(ctxOf(r))).toEqual({ status: 201, headers: { link: '<x>' }, body: Buffer.from('{"ok":true}') });
      expect(served.pop()?.request).toEqual({ tenantId: 'sup-plier', dialect, params: { id: 'urn:uuid:7' }, query: { offset: '2' }, body: { a: 1 }, authorization: 'Bearer t' });
    }
    const get = route?.match('GET', '/tenants/t/dsp/2025-1/negotiations/n1', req({})) as FastMatch;
    await get.handler(ctxOf(req({})));
    expect(served.pop()?.request).toMatchObject({ params: { id: 'n1' }, body: undefined });
  });

  it('accepts the JSON-LD media types and an empty body as {}', async () => {
    for (const type of ['application/ld+json', 'application/json; charset=utf-8', 'application/vnd.x+json']) {
      expect(route?.match('POST', '/tenants/t/dsp/2025-1/negotiations/request', req({ 'content-type': type }))).toBeDefined();
    }
    const r = req({ ...json, 'content-length': '0' });
    await (route?.match('POST', '/tenants/t/dsp/2025-1/negotiations/request', r) as FastMatch).handler(ctxOf(r));
    expect(served.pop()?.request.body).toEqual({});
  });

  it('leaves encoded bodies, other media types and charsets, unknown paths and other methods to Express', () => {
    const path = '/tenants/t/dsp/2025-1/negotiations/request';
    expect(route?.match('POST', path, req({ ...json, 'content-encoding': 'gzip' }))).toBeUndefined();
    expect(route?.match('POST', path, req({ 'content-type': 'text/plain', 'content-length': '3' }))).toBeUndefined();
    expect(route?.match('POST', path, req({ 'content-type': 'application/json; charset=latin1' }))).toBeUndefined();
    expect(route?.match('POST', path, req({ 'content-length': '3' }))).toBeUndefined();
    expect(route?.match('PUT', path, req(json))).toBeUndefined();
    expect(route?.match('POST', '/tenants/t/dsp/2025-1/unknown', req(json))).toBeUndefined();
    expect(route?.match('POST', '/tenants/t/pact/3/footprints', req(json))).toBeUndefined();
    expect(route?.match('POST', '/tenants/%E0%A4%A/dsp/2025-1/negotiations/request', req(json))).toBeUndefined();
  });

  it('answers over-limit and non-JSON bodies itself in the DSP transport error shape, without calling the endpoint', async () => {
    const path = '/tenants/t/dsp/2025-1/negotiations/request';
    for (const [body, status, reason] of [['x'.repeat(65), 413, 'the request body is too large'], ['{"a":', 400, 'the request body is not valid JSON'], ['42', 400, 'the request body is not valid JSON']] as const) {
      const r = req(json, body);
      const reply = await ((route?.match('POST', path, r) as FastMatch).handler as FastHandler)(ctxOf(r));
      expect(reply.status).toBe(status);
      expect(JSON.parse(String(reply.body))).toEqual({ code: String(status), reason: [reason] });
    }
    expect(served).toHaveLength(0);
    expect(route?.failure(503, 'the request took too long')).toEqual({ status: 503, body: Buffer.from('{"code":"503","reason":["the request took too long"]}') });
  });
});

describe('DSP endpoint table', () => {
  // find() needs none of the services.
  const table = createDspEndpoints({} as DspEndpointDeps);

  it('finds literal endpoints before parameters and decodes ids', () => {
    expect(table.find('POST', '/negotiations/request')).toMatchObject({ endpoint: { path: '/negotiations/request' }, params: {} });
    expect(table.find('GET', '/negotiations/urn%3Auuid%3A1')).toMatchObject({ endpoint: { path: '/negotiations/:id' }, params: { id: 'urn:uuid:1' } });
    expect(table.find('POST', '/callback/negotiations/offers')).toMatchObject({ endpoint: { path: '/callback/negotiations/offers' } });
    expect(table.find('POST', '/callback/negotiations/n1/offers')).toMatchObject({ endpoint: { path: '/callback/negotiations/:id/offers' }, params: { id: 'n1' } });
    expect(table.find('POST', '/transfers/t1/start')).toMatchObject({ endpoint: { path: '/transfers/:id/start' }, params: { id: 't1' } });
  });

  it('finds nothing for other methods, empty or undecodable ids and unknown paths', () => {
    expect(table.find('DELETE', '/negotiations/n1')).toBeUndefined();
    expect(table.find('GET', '/negotiations/')).toBeUndefined();
    expect(table.find('GET', '/negotiations/%E0%A4%A')).toBeUndefined();
    expect(table.find('POST', '/negotiations/n1/unknown')).toBeUndefined();
    expect(table.list).toHaveLength(25);
  });
});
