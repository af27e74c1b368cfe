// The token endpoint reuses a successful client authentication (no scrypt per token) but never a failed one or a revoked client.
import request from 'supertest';
import * as secretHash from '../../../pcf-exchange-module/clients/secret-hash';
import { testEngines } from '../../support/databases';
import { basic, mgmt, openHarness, type Harness } from './harness';

describe.each(testEngines())('token endpoint verification cache on %s', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(engine);
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const tokenCall = (id: string, secret: string, tenant = 'alpha') =>
    request(h.app).post(`/tenants/${tenant}/pact/auth/token`).set('Authorization', basic(id, secret)).type('form').send('grant_type=client_credentials');

  it('verifies the secret once, then issues tokens from the remembered authentication until it expires', async () => {
    const c = await h.registerClient('alpha');
    const spy = jest.spyOn(secretHash, 'verifySecret');
    expect((await tokenCall(c.clientId, c.clientSecret)).status).toBe(200);
    expect((await tokenCall(c.clientId, c.clientSecret)).status).toBe(200);
    expect((await tokenCall(c.clientId, c.clientSecret)).status).toBe(200);
    expect(spy).toHaveBeenCalledTimes(1);
    h.advance(61);
    expect((await tokenCall(c.clientId, c.clientSecret)).status).toBe(200);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('does not remember failures, nor accept a wrong secret or another tenant for a remembered client', async () => {
    const c = await h.registerClient('alpha');
    expect((await tokenCall(c.clientId, c.clientSecret)).status).toBe(200);
    const spy = jest.spyOn(secretHash, 'verifySecret');
    expect((await tokenCall(c.clientId, `${c.clientSecret}x`)).status).toBe(401);
    expect((await tokenCall(c.clientId, `${c.clientSecret}x`)).status).toBe(401);
    expect(spy).toHaveBeenCalledTimes(2);
    expect((await tokenCall(c.clientId, c.clientSecret, 'beta')).status).toBe(401);
  });

  it('refuses a revoked client at once although its authentication was remembered', async () => {
    const c = await h.registerClient('alpha');
    expect((await tokenCall(c.clientId, c.clientSecret)).status).toBe(200);
    expect((await mgmt(h.app, 'alpha', 'admin').delete(`/pact/clients/${c.clientId}`)).status).toBe(204);
    const r = await tokenCall(c.clientId, c.clientSecret);
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });
});
