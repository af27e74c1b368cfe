// Data-plane tokens (minted at transfer start) on the PACT host, the consumer context in logs, and no secrets in logs.
import { Writable } from 'node:stream';
import request from 'supertest';
import winston from 'winston';
import { createLocalTokenMinter } from '../../../connector/credentials/local/local-token-minter';
import { createLocalTokenVerifier } from '../../../connector/credentials/local/local-token-verifier';
import { createLogger } from '../../../connector/observability/logger';
import { basic, openHarness, PUBLIC_URL, type Harness } from './harness';
import { sampleFootprints } from '../pact/sample-footprints';

const samples = sampleFootprints(3);

describe('data-plane tokens on the PACT host (pglite)', () => {
  let h: Harness;
  const lines: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logger = createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
    h = await openHarness('pglite', {
      logger,
      dataPlaneVerifier: (keys) => createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger, now: () => h.clock.now }),
    });
    await h.seed('alpha', samples);
  });
  afterAll(async () => h.close());

  async function mint(tenantId: string, ttlSeconds = 600): Promise<string> {
    const minter = createLocalTokenMinter({ keys: h.keys, db: h.db, publicUrl: PUBLIC_URL, logger: createLogger({ level: 'error', silent: true }), now: () => h.clock.now, refreshTtlSeconds: 0 });
    const r = await minter.mint({ tenantId, agreementId: 'agreement-7', transferId: 'transfer-9', consumer: { bpn: 'BPNL000000000OEM', did: 'did:web:oem.example' }, ttlSeconds });
    if (!r.ok) throw new Error(r.message);
    return r.value.token;
  }

  it('accepts a data-plane token of the tenant and logs the consumer BPN and agreement', async () => {
    const token = await mint('alpha');
    const r = await request(h.app).get(`/tenants/alpha/pact/3/footprints/${samples[0].doc.id}`).set('Authorization', `Bearer ${token}`);
    expect(r.status).toBe(200);
    const list = await request(h.app).get('/tenants/alpha/pact/2/footprints').set('Authorization', `Bearer ${token}`);
    expect(list.body.data).toHaveLength(3);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'data-plane call');
    expect(logged[0]).toMatchObject({ tenantId: 'alpha', consumerBpn: 'BPNL000000000OEM', agreementId: 'agreement-7', transferId: 'transfer-9' });
    expect(lines.join('\n')).not.toContain(token);
  });

  it('refuses a data-plane token of another tenant and an expired one (TokenExpired)', async () => {
    const beta = await mint('beta');
    const r = await request(h.app).get('/tenants/alpha/pact/3/footprints').set('Authorization', `Bearer ${beta}`);
    expect([r.status, r.body.code]).toEqual([401, 'BadRequest']);
    const short = await mint('alpha', 60);
    h.advance(120);
    try {
      const expired = await request(h.app).get('/tenants/alpha/pact/3/footprints').set('Authorization', `Bearer ${short}`);
      expect([expired.status, expired.body.code]).toEqual([401, 'TokenExpired']);
    } finally {
      h.advance(-120);
    }
  });

  it('still accepts PACT access tokens and never logs client secrets or tokens', async () => {
    const c = await h.registerClient('alpha');
    const t = await request(h.app).post('/tenants/alpha/pact/auth/token').set('Authorization', basic(c.clientId, c.clientSecret)).type('form').send('grant_type=client_credentials');
    const r = await request(h.app).get('/tenants/alpha/pact/3/footprints').set('Authorization', `Bearer ${t.body.access_token as string}`);
    expect(r.status).toBe(200);
    await request(h.app).post('/tenants/alpha/pact/auth/token').set('Authorization', basic(c.clientId, 'wrong-secret')).type('form').send('grant_type=client_credentials');
    const all = lines.join('\n');
    expect(all).toContain('access token issued');
    expect(all).toContain('client authentication failed');
    for (const secret of [c.clientSecret, t.body.access_token as string, 'wrong-secret']) expect(all).not.toContain(secret);
  });
});
