// Management secrets (EDC /v3/secrets) and callback webhooks that send one as their authKey header (authCodeId).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { dspBase, EDC, eventually, managementOf, onboard, publishPcf, type Api } from '../e2e/support/runtime-flow-steps';

const PROTOCOL = 'dataspace-protocol-http:2025-1';

describe.each(testEngines())('management secrets and authenticated webhooks on %s', (engine) => {
  let rt: TestRuntime;
  let sup: Api;
  let oem: Api;
  let keys: Record<string, string>;
  let sink: Server;
  let sinkUrl: string;
  const received: { path: string; headers: IncomingHttpHeaders; body: { type: string; payload: Record<string, unknown> } }[] = [];

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    keys = await onboard(rt, { supplier: 'BPNL00000000SUPP', oem: 'BPNL000000000OEM' });
    [sup, oem] = [managementOf(rt, keys.supplier as string), managementOf(rt, keys.oem as string)];
    await publishPcf(rt, sup, 'supplier');
    sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as never });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => sink.listen(0, '127.0.0.1', ok));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    sink?.closeAllConnections();
    await new Promise((done) => sink?.close(done));
  });

  const secret = (id: string, value: string) => ({ '@context': EDC, '@type': 'Secret', '@id': id, value });

  it('stores, reads, replaces and deletes a tenant\'s secrets (admins only), with EDC statuses and error shapes', async () => {
    expect((await oem('POST', '/secrets', secret('hook-key', 'first-value'))).status).toBe(200);
    expect((await oem('POST', '/secrets', secret('hook-key', 'again'))).status).toBe(409);
    expect((await oem('GET', '/secrets/hook-key')).body).toMatchObject({ '@type': 'Secret', '@id': 'hook-key', value: 'first-value' });
    expect((await oem('PUT', '/secrets', secret('hook-key', 's3cr3t-value'))).status).toBe(204);
    expect((await oem('GET', '/secrets/hook-key')).body).toMatchObject({ value: 's3cr3t-value' });
    expect((await oem('PUT', '/secrets', secret('never-stored', 'x'))).status).toBe(404);
    // Another tenant never sees it.
    expect((await sup('GET', '/secrets/hook-key')).status).toBe(404);
    // Ids that could reach our own secrets (EDRs live under edr/…) and empty values are refused.
    const badId = await oem('POST', '/secrets', secret('../edr/x', 'v'));
    expect(badId.status).toBe(400);
    expect(badId.body).toEqual([expect.objectContaining({ type: 'BadRequest', path: '@id' })]);
    expect((await oem('POST', '/secrets', secret('empty', ''))).status).toBe(400);
    expect((await oem('GET', '/secrets/edr%2Fx')).status).toBe(404);
    // A viewer may not read or write secrets.
    const viewer = await call(rt.baseUrl, 'POST', '/management/v3/apikeys', { 'x-api-key': keys.oem as string }, { name: 'ro', role: 'viewer' });
    const asViewer = managementOf(rt, (viewer.body as { key: string }).key);
    expect((await asViewer('GET', '/secrets/hook-key')).status).toBe(403);
    expect((await asViewer('POST', '/secrets', secret('v', 'v'))).status).toBe(403);
    expect((await oem('POST', '/secrets', secret('to-delete', 'v'))).status).toBe(200);
    expect((await oem('DELETE', '/secrets/to-delete')).status).toBe(204);
    expect((await oem('DELETE', '/secrets/to-delete')).status).toBe(404);
    expect((await oem('GET', '/secrets/to-delete')).status).toBe(404);
  });

  it('sends the secret authCodeId names in the authKey header; a callback naming a missing secret gets nothing', async () => {
    expect((await oem('PUT', '/secrets', secret('hook-key', 's3cr3t-value'))).status).toBe(204);
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const base = { counterPartyAddress: dspBase(rt, 'supplier', PROTOCOL), counterPartyId: supplierDid, protocol: PROTOCOL };
    const catalog = (await oem('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', ...base })).body as { dataset: { '@id': string; hasPolicy: Record<string, unknown>[] }[] };
    const offer = catalog.dataset.find((d) => d['@id'] === 'pcf-exchange')?.hasPolicy[0];
    const request = (callbackAddresses: unknown) => oem('POST', '/contractnegotiations', {
      '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
      '@type': 'ContractRequest', ...base, policy: { ...offer, target: 'pcf-exchange' }, callbackAddresses,
    });
    // Registration checks the pair: both or neither, a header name the client does not set itself, a secret id.
    for (const cb of [{ authKey: 'X-Api-Key' }, { authCodeId: 'hook-key' }, { authKey: 'Content-Length', authCodeId: 'hook-key' }, { authKey: 'bad header', authCodeId: 'hook-key' }, { authKey: 'X-Api-Key', authCodeId: '../x' }]) {
      const r = await request([{ uri: `${sinkUrl}/hook`, events: ['contract.negotiation'], ...cb }]);
      expect([cb, r.status]).toEqual([cb, 400]);
    }
    const n = await request([
      { uri: `${sinkUrl}/with-secret`, events: ['contract.negotiation.finalized'], transactional: false, authKey: 'X-Api-Key', authCodeId: 'hook-key' },
      { uri: `${sinkUrl}/missing-secret`, events: ['contract.negotiation.finalized'], transactional: false, authKey: 'X-Api-Key', authCodeId: 'no-such-secret' },
      { uri: `${sinkUrl}/plain`, events: ['contract.negotiation.finalized'], transactional: false },
    ]);
    expect(n.status).toBe(200);
    const id = (n.body as { '@id': string })['@id'];
    const mine = (path: string) => received.filter((r) => r.path === path && r.body.payload['contractNegotiationId'] === id);
    await eventually(async () => mine('/plain').length + mine('/with-secret').length, (count) => count === 2);
    expect(mine('/with-secret')[0]?.headers['x-api-key']).toBe('s3cr3t-value');
    expect(mine('/with-secret')[0]?.body.type).toBe('ContractNegotiationFinalized');
    expect(mine('/plain')[0]?.headers['x-api-key']).toBeUndefined();
    const logs = await eventually(async () => rt.logs.join(''), (text) => text.includes('no-such-secret'));
    expect(logs).toContain('secret no-such-secret (authCodeId) not found');
    expect(mine('/missing-secret')).toEqual([]);
    expect(logs).not.toContain('s3cr3t-value');
  });
});
