// Management tokens from a Cognito user pool: signature via the pool's JWKS (nock), issuer, app client, token use, expiry.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import nock from '../../support/nock';
import { createCognitoManagementVerifier } from '../../../connector/tenancy/management-token-verifiers';

const REGION = 'eu-central-1';
const POOL = 'eu-central-1_AbC123xyz';
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL}`;

describe('Cognito management-token verifier', () => {
  let key: CryptoKey;
  let jwk: JWK;

  beforeAll(async () => {
    nock.disableNetConnect();
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  });

  beforeEach(() => {
    nock(`https://cognito-idp.${REGION}.amazonaws.com`).get(`/${POOL}/.well-known/jwks.json`).reply(200, { keys: [jwk] }).persist();
  });

  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const sign = (claims: Record<string, unknown>, options: { issuer?: string; exp?: string; signer?: CryptoKey; alg?: string } = {}) =>
    new SignJWT({ 'custom:tenant_id': 'acme', 'cognito:groups': ['publisher'], ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '10m')
      .sign(options.signer ?? key);

  const verifier = createCognitoManagementVerifier({ region: REGION, userPoolId: POOL, clientIds: ['app-client-1'] });

  it('accepts an ID token for a configured app client and an access token of one', async () => {
    await expect(verifier(await sign({ token_use: 'id', aud: 'app-client-1' }))).resolves.toMatchObject({ 'custom:tenant_id': 'acme', sub: 'user-1' });
    await expect(verifier(await sign({ token_use: 'access', client_id: 'app-client-1' }))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses other app clients, missing token use, other pools, expired tokens and foreign keys', async () => {
    await expect(verifier(await sign({ token_use: 'id', aud: 'someone-else' }))).rejects.toThrow(/unknown app client/);
    await expect(verifier(await sign({ aud: 'app-client-1' }))).rejects.toThrow(/unknown app client/);
    await expect(verifier(await sign({ token_use: 'id', aud: 'app-client-1' }, { issuer: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_Other` }))).rejects.toThrow();
    await expect(verifier(await sign({ token_use: 'id', aud: 'app-client-1' }, { exp: '-1m' }))).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    const other = await generateKeyPair('RS256');
    await expect(verifier(await sign({ token_use: 'id', aud: 'app-client-1' }, { signer: other.privateKey }))).rejects.toThrow();
  });

  it('refuses an HMAC token signed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const forged = await new SignJWT({ 'custom:tenant_id': 'acme', token_use: 'id', aud: 'app-client-1' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(ISSUER).setSubject('x').setExpirationTime('5m').sign(secret);
    await expect(verifier(forged)).rejects.toThrow();
  });
});
