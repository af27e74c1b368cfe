// Tests: Local minter, refresh rotation and local verifier against PostgreSQL.
import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { createLocalKeyStore, type LocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import { createLocalTokenMinter, localIssuer, type LocalTokenMinter } from '../../../connector/credentials/local/local-token-minter';
import { createLocalTokenVerifier } from '../../../connector/credentials/local/local-token-verifier';
import type { DataPlaneTokenVerifier } from '../../../connector/credentials/token-verifier';
import { MINT_WRITES, tokenHash, type MintedToken, type MintResult } from '../../../connector/credentials/token-minter';
import type { Database, TenantTxOptions } from '../../../connector/store/database';
import { captureLogs } from './support/log-capture';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database';

const PUBLIC_URL = 'https://connector.example.com';

function value(r: MintResult): MintedToken {
  if (!r.ok) throw new Error(`expected success, got ${r.code}: ${r.message}`);
  return r.value;
}

describe('local minter, refresh and verifier (PostgreSQL scratch schema)', () => {
  let db: ScratchDatabase;
  let keys: LocalKeyStore;
  let minter: LocalTokenMinter;
  let verifier: DataPlaneTokenVerifier;
  let t = Date.parse('2026-03-01T10:00:00Z');
  const now = () => new Date(t);
  const logs = captureLogs();
  const request = { tenantId: 'sup-a', agreementId: 'agr-1', transferId: 'tp-1', consumer: { did: 'did:web:oem.example', bpn: 'BPNL000000000OEM' } };

  beforeAll(async () => {
    db = await createScratchDatabase();
    await db.addTenants('sup-a', 'sup-b');
    keys = createLocalKeyStore({ db, masterKey: randomBytes(32), now, signingKeyCacheMs: 0 });
    minter = createLocalTokenMinter({ keys, db, publicUrl: PUBLIC_URL, logger: logs.logger, now, defaultTtlSeconds: 300 });
    verifier = createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger: logs.logger, now, jwksCacheMs: 0 });
  });
  afterAll(async () => { await db.destroy(); });

  it('mints an ES256 at+jwt bound to tenant, agreement, transfer and consumer, and the verifier returns the binding', async () => {
    const minted = value(await minter.mint(request));
    const header = decodeProtectedHeader(minted.token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(header.kid).toBe((await keys.signingKey('sup-a', 'data-plane')).kid);
    const claims = decodeJwt(minted.token);
    expect(claims).toMatchObject({
      iss: `${PUBLIC_URL}/tenants/sup-a/pact`, aud: `${PUBLIC_URL}/tenants/sup-a/pact`, sub: 'did:web:oem.example', jti: minted.jti,
      tenant_id: 'sup-a', agreement_id: 'agr-1', transfer_id: 'tp-1', consumer_did: 'did:web:oem.example', consumer_bpn: 'BPNL000000000OEM',
    });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(minted.binding).toEqual({ kind: 'jti', value: minted.jti });
    expect(minted.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const verified = await verifier.verify('sup-a', minted.token);
    expect(verified.ok).toBe(true);
    if (verified.ok) {
      expect(verified.value).toMatchObject({ tenantId: 'sup-a', agreementId: 'agr-1', transferId: 'tp-1', binding: minted.binding, jti: minted.jti, kind: 'local',
        consumer: { did: 'did:web:oem.example', bpn: 'BPNL000000000OEM' } });
    }
  });

  it('stores refresh tokens only hashed', async () => {
    const minted = value(await minter.mint(request));
    const rows = await db.raw<{ token_hash: string }>('SELECT token_hash FROM credential_refresh_tokens');
    expect(JSON.stringify(rows)).not.toContain(minted.refreshToken!);
    expect(rows.map((r) => r.token_hash)).toContain(tokenHash(minted.refreshToken!));
  });

  it('refresh rotates single-use: the old token works until the new one is used, then is retired; reuse revokes the family', async () => {
    const first = value(await minter.mint({ ...request, transferId: 'tp-refresh' }));
    const second = value(await minter.refresh({ tenantId: 'sup-a', refreshToken: first.refreshToken! }));
    expect(second.transferId).toBe('tp-refresh');
    expect(second.jti).not.toBe(first.jti);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await verifier.verify('sup-a', second.token)).ok).toBe(true);
    // The response was "lost": the old refresh token still works because its successor was never used.
    const retry = value(await minter.refresh({ tenantId: 'sup-a', refreshToken: first.refreshToken! }));
    // Using the newest successor retires its parent (first) and its unused sibling (second).
    const third = value(await minter.refresh({ tenantId: 'sup-a', refreshToken: retry.refreshToken! }));
    const reuse = await minter.refresh({ tenantId: 'sup-a', refreshToken: first.refreshToken! });
    expect(reuse.ok).toBe(false);
    if (!reuse.ok) expect(reuse.code).toBe('refresh-invalid');
    // Reuse of a retired token revoked the whole family, including the newest token.
    const afterReuse = await minter.refresh({ tenantId: 'sup-a', refreshToken: third.refreshToken! });
    expect(afterReuse.ok).toBe(false);
  });

  it('refresh refuses unknown, expired, other-tenant and revoked-transfer tokens', async () => {
    const unknown = await minter.refresh({ tenantId: 'sup-a', refreshToken: randomBytes(32).toString('base64url') });
    expect(!unknown.ok && unknown.code).toBe('refresh-invalid');
    expect(!(await minter.refresh({ tenantId: 'sup-a', refreshToken: 'short' })).ok).toBe(true);
    const minted = value(await minter.mint({ ...request, transferId: 'tp-x' }));
    const otherTenant = await minter.refresh({ tenantId: 'sup-b', refreshToken: minted.refreshToken! });
    expect(!otherTenant.ok && otherTenant.code).toBe('refresh-invalid');
    expect(await minter.revokeTransferTokens('sup-a', 'tp-x')).toBe(1);
    const revoked = await minter.refresh({ tenantId: 'sup-a', refreshToken: minted.refreshToken! });
    expect(!revoked.ok && revoked.code).toBe('refresh-invalid');
    const old = value(await minter.mint({ ...request, transferId: 'tp-old' }));
    t += 86_400_000 + 1;
    const expired = await minter.refresh({ tenantId: 'sup-a', refreshToken: old.refreshToken! });
    expect(!expired.ok && expired.code).toBe('refresh-expired');
  });

  it('a superseding mint (start, resume) retires the transfer\'s earlier refresh tokens as it stores the new one, no other transfer\'s', async () => {
    const earlier = value(await minter.mint({ ...request, transferId: 'tp-s' }));
    const other = value(await minter.mint({ ...request, transferId: 'tp-s-other' }));
    const next = value(await minter.mint({ ...request, transferId: 'tp-s', supersede: true }));
    const refused = await minter.refresh({ tenantId: 'sup-a', refreshToken: earlier.refreshToken! });
    expect(!refused.ok && refused.code).toBe('refresh-invalid');
    expect((await minter.refresh({ tenantId: 'sup-a', refreshToken: next.refreshToken! })).ok).toBe(true);
    expect((await minter.refresh({ tenantId: 'sup-a', refreshToken: other.refreshToken! })).ok).toBe(true);
    // The first start of a transfer supersedes nothing.
    const first = value(await minter.mint({ ...request, transferId: 'tp-s-new', supersede: true }));
    expect((await minter.refresh({ tenantId: 'sup-a', refreshToken: first.refreshToken! })).ok).toBe(true);
  });

  it('rejects expired and not-yet-valid tokens with skew, wrong tenant, wrong audience, forged signature', async () => {
    const minted = value(await minter.mint({ ...request, transferId: 'tp-v' }));
    const fresh = createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger: logs.logger, now: () => new Date(t + 300_000 + 29_000) });
    expect((await fresh.verify('sup-a', minted.token)).ok).toBe(true);
    const late = createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger: logs.logger, now: () => new Date(t + 300_000 + 31_000) });
    const expired = await late.verify('sup-a', minted.token);
    expect(!expired.ok && expired.code).toBe('expired');
    const early = createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger: logs.logger, now: () => new Date(t - 60_000) });
    const nbf = await early.verify('sup-a', minted.token);
    expect(!nbf.ok && nbf.code).toBe('not-yet-valid');

    const wrongTenant = await verifier.verify('sup-b', minted.token);
    expect(!wrongTenant.ok && wrongTenant.code).toBe('wrong-tenant');

    const otherAud = value(await minter.mint({ ...request, audience: 'https://elsewhere.example/api' }));
    const wrongAud = await verifier.verify('sup-a', otherAud.token);
    expect(!wrongAud.ok && wrongAud.code).toBe('wrong-audience');

    const [h, p] = minted.token.split('.');
    const attacker = await generateKeyPair('ES256');
    const forgedSig = await new SignJWT(decodeJwt(minted.token)).setProtectedHeader(decodeProtectedHeader(minted.token) as { alg: string }).sign(attacker.privateKey);
    const forged = await verifier.verify('sup-a', `${h}.${p}.${forgedSig.split('.')[2]}`);
    expect(!forged.ok && forged.code).toBe('invalid');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(minted.token), transfer_id: 'tp-other' })).toString('base64url');
    const tampered = await verifier.verify('sup-a', `${h}.${tamperedPayload}.${minted.token.split('.')[2]}`);
    expect(!tampered.ok && tampered.code).toBe('invalid');
    expect((await verifier.verify('sup-a', 'not-a-jwt')).ok).toBe(false);
    const missing = await verifier.verify('sup-a', '');
    expect(!missing.ok && missing.code).toBe('missing');
  });

  it('rejects a token for sup-a signed with sup-b\'s own valid key (right tenant claim, wrong issuer keys)', async () => {
    const bKey = await keys.signingKey('sup-b', 'data-plane');
    const token = await new SignJWT({ tenant_id: 'sup-a', agreement_id: 'agr-1', transfer_id: 'tp-1' })
      .setProtectedHeader({ alg: 'ES256', kid: bKey.kid, typ: 'at+jwt' }).setIssuer(localIssuer(PUBLIC_URL, 'sup-a')).setAudience(localIssuer(PUBLIC_URL, 'sup-a'))
      .setSubject('x').setJti('j').setIssuedAt(Math.floor(t / 1000)).setExpirationTime(Math.floor(t / 1000) + 60).sign(bKey.privateKey);
    const r = await verifier.verify('sup-a', token);
    expect(!r.ok && r.code).toBe('invalid');
  });

  it('rejects alg-confusion (HS256 keyed with the public key) and alg none', async () => {
    const minted = value(await minter.mint(request));
    const [jwk] = await keys.publicJwks('sup-a', 'data-plane');
    const claims = decodeJwt(minted.token);
    const hmacKey = new TextEncoder().encode(JSON.stringify(jwk));
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwk.kid, typ: 'at+jwt' }).sign(hmacKey);
    const confusion = await verifier.verify('sup-a', hs);
    expect(!confusion.ok && confusion.code).toBe('unsupported-alg');
    const hsPem = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(new TextEncoder().encode(JSON.stringify(await exportJWK((await generateKeyPair('ES256')).publicKey))));
    expect((await verifier.verify('sup-a', hsPem)).ok).toBe(false);
    const none = new UnsecuredJWT(claims).encode();
    const unsecured = await verifier.verify('sup-a', none);
    expect(!unsecured.ok && unsecured.code).toBe('unsupported-alg');
  });

  it('accepts tokens signed by a retired key during the overlap, refuses them after it', async () => {
    const before = value(await minter.mint({ ...request, transferId: 'tp-rot', ttlSeconds: 3600 }));
    await keys.rotate('sup-a', 'data-plane', new Date(t + 120_000));
    const after = value(await minter.mint({ ...request, transferId: 'tp-rot2' }));
    expect(decodeProtectedHeader(after.token).kid).not.toBe(decodeProtectedHeader(before.token).kid);
    const v = createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger: logs.logger, now, jwksCacheMs: 0 });
    expect((await v.verify('sup-a', before.token)).ok).toBe(true);
    expect((await v.verify('sup-a', after.token)).ok).toBe(true);
    t += 120_001;
    const v2 = createLocalTokenVerifier({ keys, publicUrl: PUBLIC_URL, logger: logs.logger, now, jwksCacheMs: 0 });
    expect((await v2.verify('sup-a', before.token)).ok).toBe(false);
  });

  it('the alongside writes commit with the refresh token in one transaction that does not wait for the WAL flush; if they fail, mint rejects and stores nothing', async () => {
    const options: (TenantTxOptions | undefined)[] = [];
    const spied: Database = { ...db, withTenant: (tenantId, work, o) => { options.push(o); return db.withTenant(tenantId, work, o); } };
    const m = createLocalTokenMinter({ keys, db: spied, publicUrl: PUBLIC_URL, logger: logs.logger, now, defaultTtlSeconds: 300 });
    const refreshRows = (transferId: string) => db.raw<{ n: number }>('SELECT count(*)::int AS n FROM credential_refresh_tokens WHERE transfer_id = $1', [transferId]);
    const minted = value(await m.mint({
      ...request, transferId: 'tp-alongside', supersede: true,
      alongside: async (writes, token) => {
        await writes.query('INSERT INTO credential_secrets (tenant_id, name, value_enc, updated_at) VALUES ($1, $2, $3, now())', ['sup-a', `binding/${token.jti}`, 'x']);
      },
    }));
    expect(options).toEqual([MINT_WRITES]);
    expect(MINT_WRITES).toEqual({ durable: false });
    expect(await db.raw('SELECT name FROM credential_secrets WHERE name = $1', [`binding/${minted.jti}`])).toHaveLength(1);
    expect(await refreshRows('tp-alongside')).toEqual([{ n: 1 }]);

    await expect(m.mint({ ...request, transferId: 'tp-alongside-fails', alongside: async (writes) => { await writes.query('SELECT 1 / 0'); } })).rejects.toThrow(/division by zero/);
    expect(await refreshRows('tp-alongside-fails')).toEqual([{ n: 0 }]);
  });

  it('caches successful verifications until expiry without touching the key provider', async () => {
    let lookups = 0;
    const counting = { ...keys, publicJwks: async (...a: Parameters<LocalKeyStore['publicJwks']>) => { lookups += 1; return keys.publicJwks(...a); } };
    const v = createLocalTokenVerifier({ keys: counting, publicUrl: PUBLIC_URL, logger: logs.logger, now, jwksCacheMs: 0 });
    const minted = value(await minter.mint({ ...request, ttlSeconds: 60 }));
    for (let i = 0; i < 20; i += 1) expect((await v.verify('sup-a', minted.token)).ok).toBe(true);
    expect(lookups).toBe(1);
    t += 61_000;
    expect((await v.verify('sup-a', minted.token)).ok).toBe(true);
    expect(lookups).toBe(2);
    t += 30_000;
    const stale = await v.verify('sup-a', minted.token);
    expect(!stale.ok && stale.code).toBe('expired');
  });

  it('never logs tokens or refresh tokens', async () => {
    const minted = value(await minter.mint(request));
    await minter.refresh({ tenantId: 'sup-a', refreshToken: minted.refreshToken! });
    await verifier.verify('sup-a', minted.token);
    const text = logs.text();
    expect(text).toContain('minted data-plane token');
    expect(text).not.toContain(minted.token);
    expect(text).not.toContain(minted.token.split('.')[2]);
    expect(text).not.toContain(minted.refreshToken!);
  });
});
