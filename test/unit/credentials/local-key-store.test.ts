// Tests: Encrypted local key store and secret box against PostgreSQL with RLS.
import { randomBytes } from 'node:crypto';
import { compactVerify, importJWK, SignJWT } from 'jose';
import { createLocalKeyStore, type LocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database';

describe('local key store (PostgreSQL scratch schema)', () => {
  let db: ScratchDatabase;
  let store: LocalKeyStore;
  const masterKey = randomBytes(32);
  let t = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(t);

  beforeAll(async () => {
    db = await createScratchDatabase();
    await db.addTenants('tenant-a', 'tenant-b', 'tenant-c');
    store = createLocalKeyStore({ db, masterKey, now, signingKeyCacheMs: 0 });
  });
  afterAll(async () => { await db.destroy(); });

  it('creates one ES256 key per purpose on first use, concurrently, and signs verifiably', async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => store.signingKey('tenant-a', 'data-plane')));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(keys[0].alg).toBe('ES256');
    const identity = await store.signingKey('tenant-a', 'identity');
    expect(identity.kid).not.toBe(keys[0].kid);
    const jwks = await store.publicJwks('tenant-a', 'data-plane');
    expect(jwks).toHaveLength(1);
    expect(jwks[0]).toMatchObject({ kid: keys[0].kid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
    expect(jwks[0]).not.toHaveProperty('d');
    const jws = await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'ES256', kid: keys[0].kid }).sign(keys[0].privateKey);
    await expect(compactVerify(jws, await importJWK(jwks[0], 'ES256'))).resolves.toBeDefined();
    expect(keys[0].privateKey.extractable).toBe(false);
  });

  it('stores nothing readable at rest: private keys and secrets are ciphertext, the data key is wrapped', async () => {
    await store.putSecret('tenant-a', 'webhook/signing', 'super-secret-value-123');
    const rows = await db.raw<{ private_key_enc: string }>('SELECT private_key_enc FROM credential_signing_keys');
    const secrets = await db.raw<{ value_enc: string }>('SELECT value_enc FROM credential_secrets');
    const dump = JSON.stringify({ rows, secrets, keys: await db.raw('SELECT * FROM credential_data_keys') });
    expect(dump).not.toContain('super-secret-value-123');
    expect(dump).not.toMatch(/"d"\s*:/);
    for (const r of rows) expect(r.private_key_enc).toMatch(/^v1\./);
    // Copying the data without the master key: another master key cannot open anything.
    const thief = createLocalKeyStore({ db, masterKey: randomBytes(32), now });
    await expect(thief.getSecret('tenant-a', 'webhook/signing')).rejects.toThrow(/different master key/);
    await expect(thief.signingKey('tenant-a', 'data-plane')).rejects.toThrow(/different master key/);
  });

  it('secret box: put, replace, get, delete; isolated per tenant', async () => {
    await store.putSecret('tenant-b', 'api', 'one');
    await store.putSecret('tenant-b', 'api', 'two');
    expect(await store.getSecret('tenant-b', 'api')).toBe('two');
    expect(await store.getSecret('tenant-c', 'api')).toBeUndefined();
    expect(await store.deleteSecret('tenant-c', 'api')).toBe(false);
    expect(await store.deleteSecret('tenant-b', 'api')).toBe(true);
    expect(await store.getSecret('tenant-b', 'api')).toBeUndefined();
    await expect(store.putSecret('tenant-b', '../etc', 'x')).rejects.toThrow(/secret name/);
  });

  it('secret box: create only when absent, replace only when present, atomically', async () => {
    expect(await store.putSecretIf('tenant-b', 'user/hook', 'first', 'replace')).toBe(false);
    expect(await store.getSecret('tenant-b', 'user/hook')).toBeUndefined();
    expect(await store.putSecretIf('tenant-b', 'user/hook', 'first', 'create')).toBe(true);
    expect(await store.putSecretIf('tenant-b', 'user/hook', 'second', 'create')).toBe(false);
    expect(await store.getSecret('tenant-b', 'user/hook')).toBe('first');
    expect(await store.putSecretIf('tenant-b', 'user/hook', 'second', 'replace')).toBe(true);
    expect(await store.getSecret('tenant-b', 'user/hook')).toBe('second');
    // Concurrent creates: exactly one wins, and its value is the one stored.
    const values = ['a', 'b', 'c', 'd'];
    const won = await Promise.all(values.map((v) => store.putSecretIf('tenant-b', 'user/race', v, 'create')));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await store.getSecret('tenant-b', 'user/race')).toBe(values[won.indexOf(true)]);
    await expect(store.putSecretIf('tenant-b', '../x', 'v', 'create')).rejects.toThrow(/secret name/);
  });

  it('reuses an unwrapped data key for dataKeyCacheMs without reading its row, then reads it again', async () => {
    const dataKeyReads: string[] = [];
    const spied = {
      ...db,
      withTenant: <T>(tenantId: string, work: Parameters<typeof db.withTenant>[1]) => db.withTenant(tenantId, (tx) => work({
        ...tx,
        query: (sql, params, o) => {
          if (/FROM credential_data_keys/.test(sql)) dataKeyReads.push(tenantId);
          return tx.query(sql, params, o);
        },
      })) as Promise<T>,
    };
    const cached = createLocalKeyStore({ db: spied, masterKey, now, dataKeyCacheMs: 1_000 });
    await cached.putSecret('tenant-c', 'one', 'v1');
    expect(dataKeyReads.length).toBeGreaterThan(0);
    dataKeyReads.length = 0;
    await cached.putSecret('tenant-c', 'two', 'v2');
    expect(await cached.getSecret('tenant-c', 'one')).toBe('v1');
    expect(dataKeyReads).toEqual([]);
    t += 1_001;
    expect(await cached.getSecret('tenant-c', 'two')).toBe('v2');
    expect(dataKeyReads).toEqual(['tenant-c']);
    // What this store sealed, a store without the cache (another replica) opens.
    expect(await store.getSecret('tenant-c', 'one')).toBe('v1');
  });

  it('row-level security hides another tenant\'s rows and refuses writing them', async () => {
    const seen = await db.withTenant('tenant-b', (tx) => tx.query<{ tenant_id: string }>('SELECT tenant_id FROM credential_signing_keys'));
    expect(seen.every((r) => r.tenant_id === 'tenant-b')).toBe(true);
    await expect(db.withTenant('tenant-b', (tx) => tx.query(
      `INSERT INTO credential_secrets (tenant_id, name, value_enc, updated_at) VALUES ('tenant-a', 'x', 'v1.x', now())`))).rejects.toThrow(/row-level security/);
    await expect(db.withSystem((tx) => tx.query('SELECT * FROM credential_secrets'))).rejects.toThrow(/no tenant set/);
  });

  it('a blob copied to another tenant or name does not decrypt (bound to its owner)', async () => {
    await store.putSecret('tenant-c', 'copied', 'value-c');
    await store.putSecret('tenant-c', 'target', 'other');
    await db.raw(`UPDATE credential_secrets SET value_enc = (SELECT value_enc FROM credential_secrets WHERE tenant_id = 'tenant-c' AND name = 'copied')
      WHERE tenant_id = 'tenant-c' AND name = 'target'`);
    await expect(store.getSecret('tenant-c', 'target')).rejects.toThrow(/authentication failed/);
  });

  it('rotates with overlap: the old key stays published until retireAfter, then disappears', async () => {
    const before = await store.signingKey('tenant-b', 'data-plane');
    const after = await store.rotate('tenant-b', 'data-plane', new Date(t + 600_000));
    expect(after.kid).not.toBe(before.kid);
    expect((await store.signingKey('tenant-b', 'data-plane')).kid).toBe(after.kid);
    expect((await store.publicJwks('tenant-b', 'data-plane')).map((k) => k.kid)).toEqual([after.kid, before.kid]);
    t += 600_001;
    expect((await store.publicJwks('tenant-b', 'data-plane')).map((k) => k.kid)).toEqual([after.kid]);
  });

  it('revokeAll removes every key of the tenant only; eraseTenant also shreds the data key', async () => {
    await store.signingKey('tenant-c', 'pact-auth');
    const aKid = (await store.signingKey('tenant-a', 'data-plane')).kid;
    await store.revokeAll('tenant-c');
    expect(await store.publicJwks('tenant-c', 'pact-auth')).toEqual([]);
    expect((await store.publicJwks('tenant-a', 'data-plane')).map((k) => k.kid)).toContain(aKid);
    await store.eraseTenant('tenant-c');
    expect(await db.raw(`SELECT 1 FROM credential_data_keys WHERE tenant_id = 'tenant-c'`)).toHaveLength(0);
    expect(await db.raw(`SELECT 1 FROM credential_secrets WHERE tenant_id = 'tenant-c'`)).toHaveLength(0);
  });
});
