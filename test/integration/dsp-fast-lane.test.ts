// DSP requests answer alike on the fast lane (plain JSON) and on Express (encoded bodies): errors, limits, headers, metrics.
import { gzipSync } from 'node:zlib';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';

const TENANT = 'dspfast';

describe('DSP endpoints on the fast lane (pglite)', () => {
  let rt: TestRuntime;
  let dsp: string;

  /** POSTs `body` as plain JSON (fast lane) and gzip-encoded (Express); returns both answers. */
  async function bothPaths(path: string, body: string, headers: Record<string, string> = {}): Promise<Response[]> {
    const url = `${dsp}${path}`;
    const common = { 'content-type': 'application/json', ...headers };
    return [
      await fetch(url, { method: 'POST', body, headers: common }),
      await fetch(url, { method: 'POST', body: gzipSync(body), headers: { ...common, 'content-encoding': 'gzip' } }),
    ];
  }

  beforeAll(async () => {
    rt = await startTestRuntime('pglite', { PCF_BODY_LIMIT_BYTES: '4096' });
    const t = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id: TENANT, displayName: 'DSP Fast AG', bpn: 'BPNL00000000DSPF' });
    expect(t.status).toBe(201);
    dsp = `${rt.baseUrl}/tenants/${TENANT}/dsp`;
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
  });

  it('refuses an unauthenticated request alike on both paths, with the API headers', async () => {
    const message = JSON.stringify({ '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'], '@type': 'CatalogRequestMessage' });
    const answers = await bothPaths('/2025-1/catalog/request', message, { 'x-request-id': 'dsp-fast-1' });
    const bodies = [];
    for (const r of answers) {
      // Unauthorized callers are answered like unknown resources (DSP: 404).
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-request-id')).toBe('dsp-fast-1');
      bodies.push(await r.json());
    }
    expect(bodies[0]).toMatchObject({ '@type': 'CatalogError', code: '404' });
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it('answers a body that is not JSON with the DSP transport error on both paths', async () => {
    for (const body of ['{"@type": ', '"a string"']) {
      for (const r of await bothPaths('/2025-1/negotiations/request', body)) {
        expect(r.status).toBe(400);
        expect(await r.json()).toEqual({ code: '400', reason: ['the request body is not valid JSON'] });
      }
    }
  });

  it('refuses a body over the configured limit with 413 on both paths', async () => {
    const big = JSON.stringify({ '@type': 'ContractRequestMessage', pad: 'x'.repeat(5000) });
    for (const r of await bothPaths('/2025-1/negotiations/request', big)) {
      expect(r.status).toBe(413);
      expect(await r.json()).toEqual({ code: '413', reason: ['the request body is too large'] });
    }
  });

  it('leaves unknown paths, other media types and other methods to Express', async () => {
    const unknown = await fetch(`${dsp}/2025-1/negotiations/x/unknown`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: '404' });
    const text = await fetch(`${dsp}/2025-1/catalog/request`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(404);
    expect(await text.json()).toMatchObject({ '@type': 'CatalogError' });
    const put = await fetch(`${dsp}/2025-1/catalog/request`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(put.status).toBe(404);
  });

  it('records metrics under each endpoint template and dialect', async () => {
    await fetch(`${dsp}/catalog/request`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/ld+json' } });
    await fetch(`${dsp}/2024-1/negotiations/urn%3Auuid%3A1`, { headers: { accept: 'application/json' } });
    const metrics = await (await fetch(`${rt.baseUrl}/metrics`)).text();
    expect(metrics).toContain('route="/tenants/:tenantId/dsp/catalog/request"');
    expect(metrics).toContain('route="/tenants/:tenantId/dsp/2024-1/negotiations/:id"');
    expect(metrics).toContain('route="/tenants/:tenantId/dsp/2025-1/negotiations/request"');
  });
});
