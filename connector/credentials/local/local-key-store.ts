// Local TenantKeyProvider and SecretBox: signing keys and secrets encrypted at rest with the tenant's data key.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database, TenantTx } from '../../store/database';
import type { KeyPurpose, SigningKey, TenantKeyProvider } from '../key-provider';
import * as repo from './credential-repository';
import { createMasterKey, open, seal } from './envelope-crypto';
import { createTenantDataKeys } from './tenant-data-keys';

export type LocalKeyAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'RS256' | 'PS256';

/** An encrypted per-tenant store for other modules' secrets (API keys, webhook secrets, …). */
export interface SecretBox {
  /** Stores (or replaces) `name` for `tenantId`, encrypted with the tenant's data key. */
  putSecret(tenantId: string, name: string, value: string): Promise<void>;
  /** The same inside the caller's transaction of the tenant (it commits or rolls back with the caller's change). */
  putSecretIn(tx: TenantTx, name: string, value: string): Promise<void>;
  /** The decrypted secret, or undefined when absent. */
  getSecret(tenantId: string, name: string): Promise<string | undefined>;
  /** Stores `name` only if it is absent (`create`) or only if it is present (`replace`), atomically; true when stored. */
  putSecretIf(tenantId: string, name: string, value: string, when: 'create' | 'replace'): Promise<boolean>;
  /** Deletes `name`; true when it existed. */
  deleteSecret(tenantId: string, name: string): Promise<boolean>;
}

export interface LocalKeyStore extends TenantKeyProvider, SecretBox {
  /** Crypto-erases the tenant: keys, secrets, refresh tokens and the wrapped data key itself. */
  eraseTenant(tenantId: string): Promise<void>;
}

export interface LocalKeyStoreDeps {
  readonly db: Database;
  /** 32 bytes, or their base64/hex text (from config). */
  readonly masterKey: Uint8Array | string;
  readonly now?: () => Date;
  /** Signing algorithm per purpose (default ES256 for every purpose). */
  readonly algorithms?: Partial<Record<KeyPurpose, LocalKeyAlgorithm>>;
  /** How long a decrypted signing key is reused before re-reading the database (default 60 s; other replicas may rotate). */
  readonly signingKeyCacheMs?: number;
  /** How long an unwrapped tenant data key is reused before re-reading its row (default 60 s; see tenant-data-keys.ts). */
  readonly dataKeyCacheMs?: number;
}

const PURPOSES: readonly KeyPurpose[] = ['identity', 'data-plane', 'pact-auth'];
const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

export function createLocalKeyStore(deps: LocalKeyStoreDeps): LocalKeyStore {
  const now = deps.now ?? (() => new Date());
  const masterKey = createMasterKey(deps.masterKey);
  const dataKeys = createTenantDataKeys(masterKey, now, deps.dataKeyCacheMs);
  const signingCache = new Map<string, { key: SigningKey; until: number }>();
  const inFlight = new Map<string, Promise<SigningKey>>();
  const cacheMs = deps.signingKeyCacheMs ?? 60_000;
  const algFor = (purpose: KeyPurpose): LocalKeyAlgorithm => deps.algorithms?.[purpose] ?? 'ES256';

  function checkPurpose(purpose: KeyPurpose): void {
    if (!PURPOSES.includes(purpose)) throw new Error(`credentials: unknown key purpose ${String(purpose)}`);
  }

  async function newKeyRow(tenantId: string, purpose: KeyPurpose, dataKey: Buffer): Promise<Omit<repo.SigningKeyRow, 'status' | 'retireAfter'>> {
    const alg = algFor(purpose);
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    return {
      kid, purpose, alg, publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      privateKeyEnc: seal(dataKey, JSON.stringify(privateJwk), `signing-key|${tenantId}|${kid}`), createdAt: now(),
    };
  }

  async function toSigningKey(tenantId: string, row: repo.SigningKeyRow, dataKey: Buffer): Promise<SigningKey> {
    const jwk = JSON.parse(open(dataKey, row.privateKeyEnc, `signing-key|${tenantId}|${row.kid}`).toString('utf8')) as JWK;
    const privateKey = (await importJWK(jwk, row.alg, { extractable: false })) as CryptoKey;
    return Object.freeze({ kid: row.kid, alg: row.alg, privateKey });
  }

  async function loadActive(tenantId: string, purpose: KeyPurpose): Promise<SigningKey> {
    return deps.db.withTenant(tenantId, async (tx) => {
      const dataKey = await dataKeys.dataKey(tx);
      let row = await repo.findActiveSigningKey(tx, purpose);
      if (row === undefined) {
        await repo.insertActiveSigningKey(tx, await newKeyRow(tenantId, purpose, dataKey));
        row = await repo.findActiveSigningKey(tx, purpose);
        if (row === undefined) throw new Error('credentials: signing key could not be created');
      }
      return toSigningKey(tenantId, row, dataKey);
    });
  }

  function forgetSigning(tenantId: string): void {
    for (const k of [...signingCache.keys(), ...inFlight.keys()]) {
      if (k.startsWith(`${tenantId}|`)) {
        signingCache.delete(k);
        inFlight.delete(k);
      }
    }
  }

  function checkSecretName(name: string): void {
    if (!SECRET_NAME.test(name)) throw new Error('credentials: invalid secret name');
  }

  /** `value` sealed with the tenant's data key, bound to the tenant and the secret's name. */
  async function sealedSecret(tx: TenantTx, name: string, value: string): Promise<string> {
    return seal(await dataKeys.dataKey(tx), value, `secret|${tx.tenantId}|${name}`);
  }

  async function putSecretIn(tx: TenantTx, name: string, value: string): Promise<void> {
    repo.upsertSecretAtCommit(tx, name, await sealedSecret(tx, name, value), now());
  }

  return {
    async signingKey(tenantId, purpose) {
      checkPurpose(purpose);
      const key = `${tenantId}|${purpose}`;
      const hit = signingCache.get(key);
      if (hit !== undefined && hit.until > now().getTime()) return hit.key;
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const promise = loadActive(tenantId, purpose).then((k) => {
        if (inFlight.get(key) === promise) signingCache.set(key, { key: k, until: now().getTime() + cacheMs });
        return k;
      }).finally(() => {
        if (inFlight.get(key) === promise) inFlight.delete(key);
      });
      inFlight.set(key, promise);
      return promise;
    },
    async publicJwks(tenantId, purpose) {
      checkPurpose(purpose);
      const rows = await deps.db.withTenant(tenantId, (tx) => repo.publishedSigningKeys(tx, purpose, now()));
      return rows.map((r) => {
        const { kty, crv, x, y, n, e } = r.publicJwk;
        const pub: JWK = { kty, kid: r.kid, alg: r.alg, use: 'sig' };
        for (const [k, v] of Object.entries({ crv, x, y, n, e })) if (v !== undefined) (pub as Record<string, unknown>)[k] = v;
        return pub;
      });
    },
    async rotate(tenantId, purpose, retireAfter) {
      checkPurpose(purpose);
      const signing = await deps.db.withTenant(tenantId, async (tx) => {
        const dataKey = await dataKeys.dataKey(tx);
        await repo.retireActiveSigningKey(tx, purpose, retireAfter);
        const row = await newKeyRow(tenantId, purpose, dataKey);
        if (!(await repo.insertActiveSigningKey(tx, row))) throw new Error('credentials: concurrent rotation');
        return toSigningKey(tenantId, { ...row, status: 'active' }, dataKey);
      });
      forgetSigning(tenantId);
      return signing;
    },
    async revokeAll(tenantId) {
      await deps.db.withTenant(tenantId, (tx) => repo.deleteSigningKeys(tx));
      forgetSigning(tenantId);
    },
    async putSecret(tenantId, name, value) {
      checkSecretName(name);
      await deps.db.withTenant(tenantId, (tx) => putSecretIn(tx, name, value));
    },
    async putSecretIf(tenantId, name, value, when) {
      checkSecretName(name);
      return deps.db.withTenant(tenantId, async (tx) => repo.writeSecretIf(tx, name, await sealedSecret(tx, name, value), now(), when));
    },
    putSecretIn: (tx, name, value) => {
      checkSecretName(name);
      return putSecretIn(tx, name, value);
    },
    async getSecret(tenantId, name) {
      checkSecretName(name);
      return deps.db.withTenant(tenantId, async (tx) => {
        const blob = await repo.findSecret(tx, name);
        if (blob === undefined) return undefined;
        return open(await dataKeys.dataKey(tx), blob, `secret|${tenantId}|${name}`).toString('utf8');
      });
    },
    async deleteSecret(tenantId, name) {
      checkSecretName(name);
      return deps.db.withTenant(tenantId, (tx) => repo.deleteSecret(tx, name));
    },
    async eraseTenant(tenantId) {
      await deps.db.withTenant(tenantId, async (tx) => {
        await repo.deleteSigningKeys(tx);
        await repo.deleteAllSecrets(tx);
        await repo.deleteRefreshTokens(tx);
        await repo.deleteDataKey(tx);
      });
      forgetSigning(tenantId);
      dataKeys.forget(tenantId);
    },
  };
}
