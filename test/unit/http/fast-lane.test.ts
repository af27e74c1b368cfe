// The fast lane dispatcher: route or fall back, security headers and request id, failures and timeouts in the route's format, body limits, metrics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFastLane, type FastRoute } from '../../../connector/http/fast-lane';
import { API_SECURITY_HEADERS } from '../../../connector/http/security-headers';
import { createLogger } from '../../../connector/observability/logger';
import { createMetrics } from '../../../connector/observability/metrics';

const failure = (status: number, message: string) => ({ status, body: Buffer.from(JSON.stringify({ code: 'Failure', message })) });

function route(path: string, handler: FastRoute['match'] extends (...a: never[]) => infer H ? NonNullable<H> : never, method = 'GET'): FastRoute {
  return { label: path, failure, match: (m, p) => (m === method && p === path ? handler : undefined) };
}

describe('fast lane', () => {
  let server: Server;
  let base: string;
  const metrics = createMetrics();
  const fallbackHits: string[] = [];

  beforeAll(async () => {
    const routes: FastRoute[] = [
      route('/ok', async (ctx) => ({ status: 200, headers: { Link: '<x>; rel="next"' }, body: Buffer.from(JSON.stringify({ query: ctx.query })) })),
      route('/empty', async () => ({ status: 204, headers: { 'Cache-Control': 'private, max-age=5' } })),
      route('/boom', async () => {
        throw new Error('exploded');
      }),
      route('/slow', () => new Promise(() => undefined)),
      route('/echo', async (ctx) => {
        const body = await ctx.readBody(16);
        return body === undefined ? failure(413, 'too large') : { status: 200, body };
      }, 'POST'),
    ];
    const listener = createFastLane(
      { routes, logger: createLogger({ level: 'error', silent: true }), metrics, requestTimeoutMs: 100, queryParser: (s) => Object.fromEntries(new URLSearchParams(s)) },
      (req, res) => {
        fallbackHits.push(`${req.method} ${req.url}`);
        res.writeHead(299).end();
      },
    );
    server = createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('answers its routes with the security headers, the request id, JSON and the route headers', async () => {
    const r = await fetch(`${base}/ok?a=1`, { headers: { 'x-request-id': 'req-123' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ query: { a: '1' } });
    expect(r.headers.get('x-request-id')).toBe('req-123');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('link')).toBe('<x>; rel="next"');
    for (const [name, value] of API_SECURITY_HEADERS) expect(r.headers.get(name)).toBe(value);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const generated = await fetch(`${base}/ok`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const empty = await fetch(`${base}/empty`);
    expect(empty.headers.get('content-length')).toBe('0');
    expect(empty.headers.get('cache-control')).toBe('private, max-age=5');
  });

  it('hands every other request to the fallback untouched', async () => {
    expect((await fetch(`${base}/ok/`)).status).toBe(299);
    expect((await fetch(`${base}/ok`, { method: 'HEAD' })).status).toBe(299);
    expect((await fetch(`${base}/elsewhere?x=1`, { method: 'POST', body: 'x' })).status).toBe(299);
    expect(fallbackHits).toEqual(['GET /ok/', 'HEAD /ok', 'POST /elsewhere?x=1']);
  });

  it('turns a thrown error into a 500 in the route format with an error id, and a hung handler into a 503', async () => {
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    const body = (await boom.json()) as { code: string; message: string };
    expect(body.code).toBe('Failure');
    expect(body.message).toContain(boom.headers.get('x-error-id'));
    expect(body.message).not.toContain('exploded');
    const slow = await fetch(`${base}/slow`);
    expect(slow.status).toBe(503);
    expect(((await slow.json()) as { message: string }).message).toBe('the request took too long');
  });

  it('times out every overdue request of a mixed in-flight set, however they interleave, and again after an idle pause', async () => {
    for (let round = 0; round < 2; round++) {
      const started = Date.now();
      const slow = [fetch(`${base}/slow`), fetch(`${base}/slow`)];
      const fast = await fetch(`${base}/ok?x=${round}`);
      slow.push(fetch(`${base}/slow`));
      expect(fast.status).toBe(200);
      const answers = await Promise.all(slow);
      expect(answers.map((a) => a.status)).toEqual([503, 503, 503]);
      // Timeout 100 ms, swept every 10 ms: never early, never much later.
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('reads bodies up to the limit and refuses larger ones (declared or streamed)', async () => {
    const ok = await fetch(`${base}/echo`, { method: 'POST', body: '{"a":1}' });
    expect(await ok.text()).toBe('{"a":1}');
    expect((await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(17) })).status).toBe(413);
    const chunked = await fetch(`${base}/echo`, {
      method: 'POST', duplex: 'half',
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('x'.repeat(10))); c.enqueue(new TextEncoder().encode('y'.repeat(10))); c.close(); } }),
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('counts requests per route template and status', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/pcf_http_requests_total\{method="GET",route="\/ok",status="200"\} [1-9]/);
    expect(text).toMatch(/pcf_http_requests_total\{method="GET",route="\/boom",status="500"\} 1/);
  });
});
