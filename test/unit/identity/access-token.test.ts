// Access tokens for our Credential Service: verified for their grantee only, and reused while more than half their lifetime is left.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { createAccessTokenService } from '../../../connector/identity/access-token';
import type { SigningKey, TenantKeyProvider } from '../../../connector/credentials/key-provider';
import { decodeJws } from '../../../connector/identity/jws';

const TENANT = 'oem';
const DID = 'did:web:connector.example:tenants:oem';
const PARTNER = 'did:web:partner.example';
const SCOPES = ['org.eclipse.tractusx.vc.type:MembershipCredential:read'];

async function rotatingKeys(): Promise<TenantKeyProvider & { rotateNow(): Promise<void> }> {
  const keys: { signing: SigningKey; jwk: JWK }[] = [];
  const add = async (): Promise<void> => {
    const kp = await generateKeyPair('ES256', { extractable: true });
    const kid = `key-${keys.length + 1}`;
    keys.push({ signing: { kid, alg: 'ES256', privateKey: kp.privateKey }, jwk: { ...(await exportJWK(kp.publicKey)), kid, alg: 'ES256', use: 'sig' } });
  };
  await add();
  return {
    signingKey: async () => (keys[keys.length - 1] as { signing: SigningKey }).signing,
    publicJwks: async () => keys.map((k) => k.jwk),
    rotate: async () => {
      await add();
      return (keys[keys.length - 1] as { signing: SigningKey }).signing;
    },
    revokeAll: async () => undefined,
    rotateNow: add,
  };
}

describe('access tokens', () => {
  it('hands the same token out again for the same grantee, scopes and key until half its lifetime is gone', async () => {
    let nowMs = Date.UTC(2026, 11, 7, 12);
    const keys = await rotatingKeys();
    const tokens = createAccessTokenService({ keys, didOf: () => DID, now: () => new Date(nowMs), ttlSeconds: 600 });
    const first = await tokens.issue(TENANT, PARTNER, SCOPES);
    expect(await tokens.issue(TENANT, PARTNER, SCOPES)).toBe(first);
    // Accepted any number of times, for its grantee only.
    for (let i = 0; i < 2; i++) expect(await tokens.verify(TENANT, first, PARTNER)).toMatchObject({ ok: true, value: { grantee: PARTNER, rawScopes: SCOPES } });
    expect(await tokens.verify(TENANT, first, 'did:web:other.example')).toMatchObject({ ok: false, code: 'access-token-invalid' });

    expect(await tokens.issue(TENANT, 'did:web:other.example', SCOPES)).not.toBe(first);
    expect(await tokens.issue(TENANT, PARTNER, [...SCOPES, 'org.eclipse.tractusx.vc.type:BpnCredential:read'])).not.toBe(first);

    nowMs += 299_000;
    expect(await tokens.issue(TENANT, PARTNER, SCOPES)).toBe(first);
    nowMs += 2_000;
    const second = await tokens.issue(TENANT, PARTNER, SCOPES);
    expect(second).not.toBe(first);
    const decoded = decodeJws(second);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.payload.exp).toBe(Math.floor(nowMs / 1000) + 600);
  });

  it('issues a new token once the signing key has rotated', async () => {
    const keys = await rotatingKeys();
    const tokens = createAccessTokenService({ keys, didOf: () => DID, now: () => new Date() });
    const before = await tokens.issue(TENANT, PARTNER, SCOPES);
    await keys.rotateNow();
    const after = await tokens.issue(TENANT, PARTNER, SCOPES);
    expect(after).not.toBe(before);
    const decoded = decodeJws(after);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.header.kid).toBe(`${DID}#key-2`);
    expect(await tokens.verify(TENANT, after, PARTNER)).toMatchObject({ ok: true });
  });

  it('keeps at most maxReusable tokens', async () => {
    const keys = await rotatingKeys();
    const tokens = createAccessTokenService({ keys, didOf: () => DID, now: () => new Date(), maxReusable: 2 });
    const a = await tokens.issue(TENANT, 'did:web:a.example', SCOPES);
    await tokens.issue(TENANT, 'did:web:b.example', SCOPES);
    await tokens.issue(TENANT, 'did:web:c.example', SCOPES);
    // a was the oldest and has been dropped; c and b are still reused.
    expect(await tokens.issue(TENANT, 'did:web:a.example', SCOPES)).not.toBe(a);
  });
});
