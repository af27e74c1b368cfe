// PACT access tokens and pagination cursors: ES256 JWTs signed with the tenant's `pact-auth` key, verified from cache.
import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { TenantKeyProvider } from '../../connector/credentials/key-provider';
import { signCompactJws } from '../../connector/common/compact-jws';
import { tokenHash } from '../../connector/credentials/token-minter';
import { peekHeader } from '../../connector/credentials/token-verifier';

/** JOSE `typ` of PACT access tokens (data-plane tokens use `at+jwt`): how the host tells the two kinds apart. */
export const PACT_TOKEN_TYPE = 'pact+jwt';
/** JOSE `typ` of signed pagination cursors (never accepted as access tokens). */
export const CURSOR_TYPE = 'pact-cursor+jwt';
export const PACT_SCOPES = 'footprint:list footprint:read';

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
}

export interface VerifiedPactToken {
  readonly clientId: string;
  readonly expiresAt: Date;
  readonly tokenHash: string;
}

export type PactTokenCheck =
  | { readonly ok: true; readonly value: VerifiedPactToken }
  | { readonly ok: false; readonly code: 'expired' | 'invalid'; readonly message: string };

export interface PactTokenServiceDeps {
  readonly keys: TenantKeyProvider;
  readonly publicUrl: string;
  readonly now: () => Date;
  /** Access token lifetime (default 900 s). */
  readonly tokenTtlSeconds?: number;
  /** How long a tenant's public keys are reused before re-reading (default 60 s). */
  readonly jwksCacheMs?: number;
  readonly maxCachedTokens?: number;
}

/** Issues and verifies the tenant's PACT tokens; verification results are cached by token hash until expiry. */
export interface PactTokenService {
  /** The `iss` of `tenantId`'s tokens: `${publicUrl}/tenants/{tenantId}/pact`. */
  issuer(tenantId: string): string;
  /** A new access token for `clientId` on `tenantId`'s host. */
  issue(tenantId: string, clientId: string): Promise<IssuedToken>;
  /** Checks signature (tenant key), `typ`, issuer, audience and expiry; never throws for a bad token. */
  verify(tenantId: string, token: string): Promise<PactTokenCheck>;
  /** Signs opaque cursor claims bound to `tenantId`, valid `ttlSeconds`. */
  signCursor(tenantId: string, claims: Readonly<Record<string, unknown>>, ttlSeconds: number): Promise<string>;
  /** The cursor's claims, or why it is refused (expired, forged, other tenant). */
  verifyCursor(tenantId: string, cursor: string): Promise<{ ok: true; claims: JWTPayload } | { ok: false; code: 'expired' | 'invalid' }>;
  /** The public keys to publish at the tenant's JWKS endpoint. */
  jwks(tenantId: string): Promise<JWK[]>;
  /** The cached verification of `token` when it is cached and unexpired (a hot-path shortcut; `verify` is the check). */
  cachedVerification(tenantId: string, token: string): VerifiedPactToken | undefined;
  /** Forgets cached verifications of tokens issued to `clientId` (revocation). */
  evictClient(tenantId: string, clientId: string): void;
}

export function pactIssuer(publicUrl: string, tenantId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/tenants/${encodeURIComponent(tenantId)}/pact`;
}

export function createPactTokenService(deps: PactTokenServiceDeps): PactTokenService {
  const ttl = deps.tokenTtlSeconds ?? 900;
  const jwksMs = deps.jwksCacheMs ?? 60_000;
  const maxCached = deps.maxCachedTokens ?? 10_000;
  const keySets = new Map<string, { set: JWTVerifyGetKey; at: number }>();
  // Keyed by the token's last 64 characters (part of its signature): hashing a whole token on every request costs more
  // than the lookup. A hit counts only when the whole token matches the one that was verified.
  const verified = new Map<string, { readonly token: string; readonly tenantId: string; readonly value: VerifiedPactToken }>();
  const cacheKey = (token: string): string => (token.length > 64 ? token.slice(-64) : token);
  const issuer = (tenantId: string): string => pactIssuer(deps.publicUrl, tenantId);

  async function keySet(tenantId: string, refresh: boolean): Promise<JWTVerifyGetKey> {
    const t = deps.now().getTime();
    const hit = keySets.get(tenantId);
    if (hit !== undefined && (refresh ? t - hit.at < 5_000 : t - hit.at < jwksMs)) return hit.set;
    const keys = await deps.keys.publicJwks(tenantId, 'pact-auth');
    const set = createLocalJWKSet({ keys: keys.filter((k) => k.alg === 'ES256') });
    keySets.set(tenantId, { set, at: t });
    return set;
  }

  async function verifyJwt(tenantId: string, token: string, typ: string): Promise<JWTPayload> {
    const options = { algorithms: ['ES256'], issuer: issuer(tenantId), audience: issuer(tenantId), typ, currentDate: deps.now(), clockTolerance: 5 };
    try {
      return (await jwtVerify(token, await keySet(tenantId, false), options)).payload;
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      return (await jwtVerify(token, await keySet(tenantId, true), options)).payload;
    }
  }

  async function sign(tenantId: string, claims: Record<string, unknown>, typ: string, seconds: number): Promise<string> {
    const key = await deps.keys.signingKey(tenantId, 'pact-auth');
    const iat = Math.floor(deps.now().getTime() / 1000);
    if (key.alg === 'ES256' || key.alg === 'EdDSA') {
      const payload = { ...claims, iss: issuer(tenantId), aud: issuer(tenantId), iat, exp: iat + seconds };
      return signCompactJws({ alg: key.alg, kid: key.kid, typ }, payload, key.privateKey);
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ })
      .setIssuer(issuer(tenantId))
      .setAudience(issuer(tenantId))
      .setIssuedAt(iat)
      .setExpirationTime(iat + seconds)
      .sign(key.privateKey);
  }

  return {
    issuer,
    async issue(tenantId, clientId) {
      const accessToken = await sign(tenantId, { sub: clientId, client_id: clientId, scope: PACT_SCOPES, jti: randomUUID() }, PACT_TOKEN_TYPE, ttl);
      return { accessToken, expiresIn: ttl, scope: PACT_SCOPES };
    },

    async verify(tenantId, token) {
      // A token only ever verifies for the tenant it was issued by, so a hit for another tenant is no hit (the full
      // check then refuses it).
      const key = cacheKey(token);
      const hit = verified.get(key);
      if (hit !== undefined && hit.tenantId === tenantId && hit.token === token) {
        if (hit.value.expiresAt.getTime() > deps.now().getTime()) return { ok: true, value: hit.value };
        verified.delete(key);
        return { ok: false, code: 'expired', message: 'access token expired' };
      }
      const header = peekHeader(token);
      if (header === undefined || header.alg !== 'ES256' || header.typ !== PACT_TOKEN_TYPE) return { ok: false, code: 'invalid', message: 'invalid access token' };
      let payload: JWTPayload;
      try {
        payload = await verifyJwt(tenantId, token, PACT_TOKEN_TYPE);
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) return { ok: false, code: 'expired', message: 'access token expired' };
        return { ok: false, code: 'invalid', message: 'invalid access token' };
      }
      if (typeof payload.client_id !== 'string' || typeof payload.exp !== 'number') return { ok: false, code: 'invalid', message: 'invalid access token' };
      const value = { tenantId, clientId: payload.client_id, expiresAt: new Date(payload.exp * 1000), tokenHash: tokenHash(token) };
      if (verified.size >= maxCached) {
        const oldest = verified.keys().next();
        if (oldest.done !== true) verified.delete(oldest.value);
      }
      verified.set(key, { token, tenantId, value });
      return { ok: true, value };
    },

    cachedVerification(tenantId, token) {
      const hit = verified.get(cacheKey(token));
      return hit !== undefined && hit.tenantId === tenantId && hit.token === token && hit.value.expiresAt.getTime() > deps.now().getTime() ? hit.value : undefined;
    },

    signCursor(tenantId, claims, ttlSeconds) {
      return sign(tenantId, { ...claims }, CURSOR_TYPE, ttlSeconds);
    },

    async verifyCursor(tenantId, cursor) {
      const header = peekHeader(cursor);
      if (header === undefined || header.typ !== CURSOR_TYPE) return { ok: false, code: 'invalid' };
      try {
        return { ok: true, claims: await verifyJwt(tenantId, cursor, CURSOR_TYPE) };
      } catch (error) {
        return { ok: false, code: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
      }
    },

    jwks(tenantId) {
      return deps.keys.publicJwks(tenantId, 'pact-auth');
    },

    evictClient(tenantId, clientId) {
      for (const [k, v] of verified) if (v.tenantId === tenantId && v.value.clientId === clientId) verified.delete(k);
    },
  };
}
