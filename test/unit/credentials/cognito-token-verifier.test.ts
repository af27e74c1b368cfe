// Tests: Cognito verifier over a nock JWKS: claims, tenant, scope, forgeries.
import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import nock from '../../support/nock';
import { createCognitoTokenVerifier } from '../../../connector/credentials/aws/cognito-token-verifier';
import type { AwsTenantSettings } from '../../../connector/credentials/aws/tenant-settings';
import { tokenHash } from '../../../connector/credentials/token-minter';
import type { DataPlaneTokenVerifier } from '../../../connector/credentials/token-verifier';
import { TENANT_A, TENANT_B, createCognitoSigner, lockNetwork, type CognitoSigner } from './support/aws-fixtures';
import { captureLogs } from './support/log-capture';

const SETTINGS: Record<string, AwsTenantSettings> = { 'tenant-a': TENANT_A, 'tenant-b': TENANT_B };

describe('Cognito data-plane token verifier (JWKS over nock)', () => {
  let signer: CognitoSigner;
  let attacker: CognitoSigner;
  const t = Date.now();
  const nowS = Math.floor(t / 1000);
  const logs = captureLogs();
  let jwksCalls: number;

  function jwks(settings: AwsTenantSettings, status = 200): void {
    nock(`https://cognito-idp.${settings.region}.amazonaws.com`).get(`/${settings.cognito.userPoolId}/.well-known/jwks.json`)
      .reply(() => { jwksCalls += 1; return status === 200 ? [200, { keys: [signer.publicJwk] }] : [status, 'down']; });
  }
  const verifier = (): DataPlaneTokenVerifier => createCognitoTokenVerifier({ settings: async (id) => SETTINGS[id], logger: logs.logger, now: () => new Date(t) });

  beforeAll(async () => { signer = await createCognitoSigner(); attacker = await createCognitoSigner(signer.kid); lockNetwork(); });
  beforeEach(() => { nock.cleanAll(); jwksCalls = 0; });
  afterAll(() => { nock.cleanAll(); nock.enableNetConnect(); });

  it('accepts a valid access token, returns the token-hash binding, fetches the JWKS once and caches verifications', async () => {
    jwks(TENANT_A);
    const v = verifier();
    const token = await signer.token(TENANT_A, nowS);
    const r = await v.verify('tenant-a', token);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).toMatchObject({ kind: 'cognito', tenantId: 'tenant-a', clientId: TENANT_A.cognito.clientId, binding: { kind: 'token-hash', value: tokenHash(token) },
        scopes: [TENANT_A.cognito.scope], issuer: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_PoolA' });
      expect(r.value.expiresAt.getTime()).toBe((nowS + 3600) * 1000);
    }
    const second = await signer.token(TENANT_A, nowS, { jti: 'other' });
    expect((await v.verify('tenant-a', second)).ok).toBe(true);
    expect((await v.verify('tenant-a', token)).ok).toBe(true);
    expect(jwksCalls).toBe(1);
  });

  it('rejects wrong tenant (other app client or other pool), missing scope, id tokens, expiry', async () => {
    jwks(TENANT_A);
    const v = verifier();
    const otherClient = await signer.token(TENANT_A, nowS, { client_id: 'someotherclient000000000', sub: 'someotherclient000000000' });
    expect(await v.verify('tenant-a', otherClient)).toMatchObject({ ok: false, code: 'wrong-tenant' });
    const tenantBToken = await signer.token(TENANT_B, nowS);
    expect(await v.verify('tenant-a', tenantBToken)).toMatchObject({ ok: false, code: 'wrong-issuer' });
    const noScope = await signer.token(TENANT_A, nowS, { scope: 'pcf-exchange/tenant-b/footprints.read' });
    expect(await v.verify('tenant-a', noScope)).toMatchObject({ ok: false, code: 'wrong-audience' });
    const idToken = await signer.token(TENANT_A, nowS, { token_use: 'id' });
    expect(await v.verify('tenant-a', idToken)).toMatchObject({ ok: false, code: 'invalid' });
    const expired = await signer.token(TENANT_A, nowS - 7200, { exp: nowS - 31 });
    expect(await v.verify('tenant-a', expired)).toMatchObject({ ok: false, code: 'expired' });
    const withinSkew = await signer.token(TENANT_A, nowS - 7200, { exp: nowS - 10 });
    expect((await v.verify('tenant-a', withinSkew)).ok).toBe(true);
    expect(await v.verify('tenant-unknown', withinSkew)).toMatchObject({ ok: false, code: 'unknown-tenant' });
  });

  it('rejects forged signatures, alg-confusion (HS256 keyed with the public key) and alg none', async () => {
    jwks(TENANT_A);
    const v = verifier();
    const forged = await attacker.token(TENANT_A, nowS);
    expect(await v.verify('tenant-a', forged)).toMatchObject({ ok: false, code: 'invalid' });
    const claims = decodeJwt(await signer.token(TENANT_A, nowS));
    const pem = createPublicKey({ key: signer.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: signer.kid }).sign(new TextEncoder().encode(pem));
    expect(await v.verify('tenant-a', hs)).toMatchObject({ ok: false, code: 'unsupported-alg' });
    expect(await v.verify('tenant-a', new UnsecuredJWT(claims).encode())).toMatchObject({ ok: false, code: 'unsupported-alg' });
    expect(await v.verify('tenant-a', 'garbage')).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('reports an unreachable JWKS as unavailable', async () => {
    jwks(TENANT_B, 500);
    const r = await verifier().verify('tenant-b', await signer.token(TENANT_B, nowS));
    expect(r).toMatchObject({ ok: false, code: 'unavailable' });
    expect(logs.text()).toContain('cognito jwks unavailable');
  });
});
