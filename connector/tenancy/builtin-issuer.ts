// The built-in issuer of management-API JWTs (embedded mode): an ES256 key sealed in the database, JWKS, issue and verify.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { open, seal } from '../credentials/local/envelope-crypto';
import type { Database } from '../store/database';
import type { Role } from './caller';

export const MANAGEMENT_AUDIENCE = 'pcf-connector-management';
const ALG = 'ES256';
const SEAL_CONTEXT = 'builtin-issuer|signing-key';

export interface BuiltinIssuerDeps {
  readonly db: Database;
  readonly masterKey: Buffer;
  readonly publicUrl: string;
  readonly tenantClaim: string;
  readonly rolesClaim: string;
  readonly now?: () => Date;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface BuiltinIssuer {
  readonly issuer: string;
  /** Issues a management token for `subject` in `tenantId` with `role`. */
  issue(tenantId: string, subject: string, role: Role, ttlSeconds: number): Promise<IssuedToken>;
  /** Verifies signature (ES256 only), issuer, audience and expiry; returns the payload or throws. */
  verify(token: string): Promise<JWTPayload>;
  /** Public keys to publish. */
  jwks(): Promise<{ keys: JWK[] }>;
}

interface KeyRow { kid: string; public_jwk: JWK; sealed_private: string }

export function createBuiltinIssuer(deps: BuiltinIssuerDeps): BuiltinIssuer {
  const issuer = `${deps.publicUrl}/auth`;
  const now = deps.now ?? (() => new Date());
  let signing: Promise<{ kid: string; key: CryptoKey }> | undefined;
  let jwksCache: { keys: JWK[] } | undefined;
  let verifier: ReturnType<typeof createLocalJWKSet> | undefined;

  async function loadOrCreate(): Promise<{ kid: string; key: CryptoKey }> {
    return deps.db.withSystem(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(815247003)');
      const rows = await tx.query<KeyRow>('SELECT kid, public_jwk, sealed_private FROM issuer_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1');
      if (rows[0]) {
        const jwk = JSON.parse(open(deps.masterKey, rows[0].sealed_private, SEAL_CONTEXT).toString('utf8')) as JWK;
        return { kid: rows[0].kid, key: (await importJWK(jwk, ALG)) as CryptoKey };
      }
      const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
      const kid = randomUUID();
      const pub = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
      const priv = await exportJWK(privateKey);
      await tx.query('INSERT INTO issuer_keys (kid, alg, public_jwk, sealed_private) VALUES ($1, $2, $3, $4)', [
        kid, ALG, JSON.stringify(pub), seal(deps.masterKey, JSON.stringify(priv), SEAL_CONTEXT),
      ]);
      return { kid, key: privateKey };
    });
  }

  async function publicKeys(): Promise<{ keys: JWK[] }> {
    if (!jwksCache) {
      const rows = await deps.db.withSystem((tx) => tx.query<KeyRow>('SELECT kid, public_jwk, sealed_private FROM issuer_keys WHERE retired_at IS NULL'));
      jwksCache = { keys: rows.map((r) => r.public_jwk) };
      verifier = createLocalJWKSet(jwksCache);
    }
    return jwksCache;
  }

  return {
    issuer,
    async issue(tenantId, subject, role, ttlSeconds) {
      signing ??= loadOrCreate().then(
        (k) => {
          jwksCache = undefined;
          return k;
        },
        (err: unknown) => {
          signing = undefined;
          throw err;
        },
      );
      const { kid, key } = await signing;
      const iat = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({ [deps.tenantClaim]: tenantId, [deps.rolesClaim]: [role], token_use: 'access' })
        .setProtectedHeader({ alg: ALG, kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(MANAGEMENT_AUDIENCE)
        .setSubject(subject)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
      return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
    },
    async verify(token) {
      const options = { algorithms: [ALG], issuer, audience: MANAGEMENT_AUDIENCE, currentDate: now(), clockTolerance: 30 };
      await publicKeys();
      try {
        return (await jwtVerify(token, verifier as ReturnType<typeof createLocalJWKSet>, options)).payload;
      } catch (err) {
        // Another replica may have created a key after this one cached the set: reload once.
        if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err;
        jwksCache = undefined;
        await publicKeys();
        return (await jwtVerify(token, verifier as ReturnType<typeof createLocalJWKSet>, options)).payload;
      }
    },
    jwks: publicKeys,
  };
}
