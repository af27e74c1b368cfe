// The runtime serves the PACT host over HTTPS with a self-signed certificate, and plain HTTP is not served on that port.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { testEngines } from '../support/databases';
import { startTestRuntime, type TestRuntime } from '../support/runtime';
import { createLoopbackCert, freeLoopbackPort, httpsCall, type LoopbackCert } from '../conformance/pact-suite/tls';

const EXAMPLE = resolve(__dirname, '../../../shared/specs/pact/v3/examples/example-1.json');

function plainHttpGet(url: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe.each(testEngines())('PACT host over HTTPS on %s', (engine) => {
  let cert: LoopbackCert;
  let rt: TestRuntime;
  let base: string;
  let adminKey: string;

  beforeAll(async () => {
    cert = createLoopbackCert();
    const port = await freeLoopbackPort();
    base = `https://127.0.0.1:${port}`;
    rt = await startTestRuntime(engine, { PORT: String(port), PCF_PUBLIC_URL: base, PCF_TLS_CERT_FILE: cert.certFile, PCF_TLS_KEY_FILE: cert.keyFile });
    const t = await httpsCall(cert.certPem, `${base}/operator/v1/tenants`, 'POST',
      { authorization: `Bearer ${rt.operatorKey}`, 'content-type': 'application/json' },
      JSON.stringify({ id: 'acme', displayName: 'Acme AG', bpn: 'BPNL00000000ACME' }));
    expect(t.status).toBe(201);
    adminKey = (t.json as { adminApiKey: string }).adminApiKey;
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    cert?.remove();
  });

  it('issues a PACT token and serves /3/footprints over HTTPS to a client trusting the certificate', async () => {
    const mgmt = { 'x-api-key': adminKey, 'content-type': 'application/json' };
    const footprint = readFileSync(EXAMPLE, 'utf8');
    expect((await httpsCall(cert.certPem, `${base}/management/v3/footprints`, 'POST', mgmt, footprint)).status).toBe(201);
    const client = await httpsCall(cert.certPem, `${base}/management/v3/pact/clients`, 'POST', mgmt, JSON.stringify({ name: 'OEM X' }));
    expect(client.status).toBe(201);
    const { clientId, clientSecret, tokenEndpoint, baseUrl } = client.json as Record<string, string>;
    expect(tokenEndpoint).toBe(`${base}/tenants/acme/pact/auth/token`);
    expect(baseUrl).toBe(`${base}/tenants/acme/pact`);

    const discovery = await httpsCall(cert.certPem, `${baseUrl}/.well-known/openid-configuration`, 'GET');
    expect((discovery.json as { token_endpoint: string }).token_endpoint).toBe(tokenEndpoint);
    const token = await httpsCall(cert.certPem, tokenEndpoint, 'POST', {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    }, 'grant_type=client_credentials');
    expect(token.status).toBe(200);
    const accessToken = (token.json as { access_token: string }).access_token;

    const list = await httpsCall(cert.certPem, `${baseUrl}/3/footprints`, 'GET', { authorization: `Bearer ${accessToken}` });
    expect(list.status).toBe(200);
    expect((list.json as { data: { id: string }[] }).data.map((f) => f.id)).toEqual([(JSON.parse(footprint) as { id: string }).id]);
    expect((await httpsCall(cert.certPem, `${baseUrl}/3/footprints`, 'GET', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('refuses a client that does not trust the certificate', async () => {
    const other = createLoopbackCert();
    try {
      await expect(httpsCall(other.certPem, `${base}/tenants/acme/pact/3/footprints`, 'GET')).rejects.toThrow(/self[- ]signed|certificate/i);
    } finally {
      other.remove();
    }
  });

  it('does not answer plain HTTP on the same port', async () => {
    const url = base.replace('https:', 'http:');
    await expect(plainHttpGet(`${url}/tenants/acme/pact/auth/token`)).rejects.toThrow();
    await expect(plainHttpGet(`${url}/tenants/acme/pact/3/footprints`)).rejects.toThrow();
  });
});
