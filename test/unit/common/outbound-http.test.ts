// Outbound HTTP client: address refusal, DNS pinning, deadlines, size limits, redirects and JSON errors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundHttpClient, type OutboundHttpClient } from '../../../connector/common/outbound-http';
import { classifyAddress } from '../../../connector/common/ip-ranges';

let server: http.Server;
let base: string;
let port: number;
const clients: OutboundHttpClient[] = [];
let connections = 0;

function client(config: Parameters<typeof createOutboundHttpClient>[0]): OutboundHttpClient {
  const c = createOutboundHttpClient(config);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/json') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ hello: 'world', method: req.method }));
    } else if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(Buffer.concat(chunks)));
    } else if (req.url === '/big') {
      res.end(Buffer.alloc(5000, 'a'));
    } else if (req.url === '/big-chunked') {
      res.write(Buffer.alloc(3000, 'a'));
      res.end(Buffer.alloc(3000, 'a'));
    } else if (req.url === '/slow') {
      const t = setTimeout(() => res.end('late'), 1500);
      res.on('close', () => clearTimeout(t));
    } else if (req.url === '/trickle') {
      res.write('{');
      const t = setInterval(() => res.write(' '), 50);
      const done = setTimeout(() => { clearInterval(t); res.end('}'); }, 1500);
      res.on('close', () => { clearInterval(t); clearTimeout(done); });
    } else if (req.url === '/redirect') {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data');
      res.end();
    } else if (req.url === '/not-json') {
      res.end('<html>');
    } else if (req.url === '/missing') {
      res.statusCode = 404;
      res.end('{}');
    } else {
      res.end('ok');
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const c of clients) c.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'ipv4-mapped'],
    ['::ffff:8.8.8.8', 'ipv4-mapped'],
    ['fd12:3456::1', 'unique-local'],
    ['8.8.8.8', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('outbound http client', () => {
  it('refuses loopback unless allowed', async () => {
    const refused = await client({}).request({ url: `${base}/json` });
    expect(refused).toMatchObject({ ok: false, reason: 'address-refused', addressClass: 'loopback' });
    const allowed = await client({ allowLoopback: true }).requestJson({ url: `${base}/json` });
    expect(allowed).toMatchObject({ ok: true, value: { status: 200, json: { hello: 'world', method: 'GET' } } });
  });

  it('allows an allow-listed host without the loopback switch', async () => {
    const res = await client({ allowedHosts: ['127.0.0.1'] }).request({ url: `${base}/` });
    expect(res.ok && res.value.body.toString()).toBe('ok');
  });

  it('refuses names resolving to refused ranges, including mixed answers', async () => {
    const c = client({ allowLoopback: true, resolve: async (h) => (h === 'meta.test' ? [{ address: '169.254.169.254', family: 4 }] : [{ address: '8.8.8.8', family: 4 }, { address: '10.0.0.1', family: 4 }]) });
    expect(await c.request({ url: 'http://meta.test/' })).toMatchObject({ ok: false, reason: 'address-refused', addressClass: 'link-local' });
    expect(await c.request({ url: 'http://mixed.test/' })).toMatchObject({ ok: false, reason: 'address-refused', addressClass: 'private' });
    expect(await c.request({ url: 'http://[::ffff:7f00:1]/' })).toMatchObject({ ok: false, reason: 'address-refused', addressClass: 'ipv4-mapped' });
    expect(await c.request({ url: 'http://[fd00::1]/' })).toMatchObject({ ok: false, reason: 'address-refused', addressClass: 'unique-local' });
  });

  it('pins the connection to the checked address (one resolution, no second lookup)', async () => {
    const answers: string[] = [];
    const c = client({
      allowLoopback: true,
      resolve: async () => {
        const address = answers.length === 0 ? '127.0.0.1' : '169.254.169.254';
        answers.push(address);
        return [{ address, family: 4 }];
      },
    });
    const res = await c.requestJson({ url: `http://partner.test:${port}/json` });
    expect(res.ok).toBe(true);
    expect(answers).toEqual(['127.0.0.1']);
    const second = await c.request({ url: `http://partner.test:${port}/json` });
    expect(second).toMatchObject({ ok: false, reason: 'address-refused' });
  });

  it('rejects bad schemes and credentials in the URL', async () => {
    const c = client({ allowLoopback: true });
    expect(await c.request({ url: 'file:///etc/passwd' })).toMatchObject({ ok: false, reason: 'scheme-not-allowed' });
    expect(await c.request({ url: `http://user:pw@127.0.0.1:${port}/` })).toMatchObject({ ok: false, reason: 'credentials-in-url' });
    expect(await c.request({ url: 'not a url' })).toMatchObject({ ok: false, reason: 'invalid-url' });
  });

  it('limits the response size (declared and streamed)', async () => {
    const c = client({ allowLoopback: true, maxResponseBytes: 4000 });
    expect(await c.request({ url: `${base}/big` })).toMatchObject({ ok: false, reason: 'response-too-large' });
    expect(await c.request({ url: `${base}/big-chunked` })).toMatchObject({ ok: false, reason: 'response-too-large' });
    const small = await c.request({ url: `${base}/big`, maxResponseBytes: 6000 });
    expect(small.ok && small.value.body.length).toBe(5000);
  });

  it('times out slow and trickling responses', async () => {
    const c = client({ allowLoopback: true, timeoutMs: 300 });
    const started = Date.now();
    expect(await c.request({ url: `${base}/slow` })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(await c.request({ url: `${base}/trickle` })).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('does not follow redirects', async () => {
    const res = await client({ allowLoopback: true }).request({ url: `${base}/redirect` });
    expect(res).toMatchObject({ ok: false, reason: 'redirect-refused', status: 302 });
  });

  it('reports invalid JSON and non-2xx statuses', async () => {
    const c = client({ allowLoopback: true });
    expect(await c.requestJson({ url: `${base}/not-json` })).toMatchObject({ ok: false, reason: 'invalid-json' });
    expect(await c.requestJson({ url: `${base}/missing` })).toMatchObject({ ok: false, reason: 'http-status', status: 404 });
  });

  it('posts JSON bodies and reuses connections (keep-alive)', async () => {
    const c = client({ allowLoopback: true });
    const before = connections;
    for (let i = 0; i < 5; i++) {
      const res = await c.requestJson({ url: `${base}/echo`, method: 'POST', json: { i } });
      expect(res).toMatchObject({ ok: true, value: { json: { i } } });
    }
    expect(connections - before).toBe(1);
  });

  it('closes idle keep-alive sockets before a server would, and opens a new one afterwards', async () => {
    const c = client({ allowLoopback: true, idleSocketTimeoutMs: 100 });
    const closed: Promise<void>[] = [];
    const track = (socket: import('node:net').Socket): void => void closed.push(new Promise((r) => socket.once('close', () => r())));
    server.on('connection', track);
    try {
      const before = connections;
      expect(await c.requestJson({ url: `${base}/json` })).toMatchObject({ ok: true });
      expect(await c.requestJson({ url: `${base}/json` })).toMatchObject({ ok: true });
      expect(connections - before).toBe(1);
      // The server keeps idle sockets for 5 s; the client gives its socket up after 100 ms.
      await Promise.race([closed[0], new Promise((_, fail) => setTimeout(() => fail(new Error('the idle socket is still open after 1 s')), 1_000))]);
      expect(await c.requestJson({ url: `${base}/json` })).toMatchObject({ ok: true });
      expect(connections - before).toBe(2);
    } finally {
      server.off('connection', track);
    }
  });

  it('reports connection failures', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const res = await client({ allowLoopback: true }).request({ url: `http://127.0.0.1:${p}/` });
    expect(res).toMatchObject({ ok: false, reason: 'connection-failed' });
  });
});
