// Test implementation of TenantKeyProvider: ES256 keys in memory, rotation with an overlap window.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyPurpose, SigningKey, TenantKeyProvider } from '../../../../connector/credentials/key-provider';

interface Entry {
  readonly key: SigningKey;
  readonly jwk: JWK;
  retireAfter?: Date;
}

export function createInMemoryKeyProvider(now: () => Date): TenantKeyProvider {
  const keys = new Map<string, Entry[]>();
  let counter = 0;

  async function create(tenantId: string, purpose: KeyPurpose): Promise<Entry> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `${purpose}-${++counter}`;
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const entry: Entry = { key: { kid, alg: 'ES256', privateKey }, jwk };
    const id = `${tenantId}/${purpose}`;
    keys.set(id, [entry, ...(keys.get(id) ?? [])]);
    return entry;
  }

  return {
    async signingKey(tenantId, purpose) {
      const list = keys.get(`${tenantId}/${purpose}`);
      return (list?.[0] ?? (await create(tenantId, purpose))).key;
    },
    async publicJwks(tenantId, purpose) {
      const list = keys.get(`${tenantId}/${purpose}`) ?? [];
      return list.filter((e) => e.retireAfter === undefined || e.retireAfter > now()).map((e) => ({ ...e.jwk }));
    },
    async rotate(tenantId, purpose, retireAfter) {
      for (const e of keys.get(`${tenantId}/${purpose}`) ?? []) if (e.retireAfter === undefined) e.retireAfter = retireAfter;
      return (await create(tenantId, purpose)).key;
    },
    async revokeAll(tenantId) {
      for (const id of [...keys.keys()]) if (id.startsWith(`${tenantId}/`)) keys.delete(id);
    },
  };
}
