// Access tokens for our Credential Service: minted into our SI tokens, bound to the partner, listing the readable scopes.
import { randomUUID } from 'node:crypto';
import type { TenantKeyProvider } from '../credentials/key-provider';
import { verificationMethodId } from './did-document';
import { splitDidUrl } from './did-web';
import { checkTokenTimes, audienceIncludes } from './did-jwt';
import { identityFailure, type IdentityResult } from './failures';
import { decodeJws, signJws, verifyJwsSignature } from './jws';
import { parseScope, type CredentialScope } from './scopes';

export interface GrantedAccess {
  /** The partner allowed to use the token (its SI token `iss` must match). */
  readonly grantee: string;
  readonly scopes: readonly CredentialScope[];
  readonly rawScopes: readonly string[];
}

/** Issues and checks the access tokens that let a partner read selected credentials of a tenant. */
export interface AccessTokenService {
  /**
   * A token for `grantee` (partner DID) to read `scopes` from `tenantId`'s Credential Service. A token issued earlier
   * for the same tenant, grantee, scopes and signing key is handed out again while more than half its lifetime is left:
   * the grantee holds it already, and our Credential Service accepts it any number of times until it expires.
   */
  issue(tenantId: string, grantee: string, scopes: readonly string[]): Promise<string>;
  /** Checks a token presented to `tenantId`'s Credential Service by `presenter` (the caller's verified DID). */
  verify(tenantId: string, token: string, presenter: string): Promise<IdentityResult<GrantedAccess>>;
}

const TYP = 'dcp-access+jwt';

export function createAccessTokenService(deps: {
  keys: TenantKeyProvider;
  didOf: (tenantId: string) => string;
  now: () => Date;
  /** Lifetime, seconds. Default 600: long enough for the partner to query once it received our request. */
  ttlSeconds?: number;
  skewSeconds?: number;
  /** Issued tokens kept for reuse (the oldest dropped first when full). Default 10 000. */
  maxReusable?: number;
}): AccessTokenService {
  const ttl = deps.ttlSeconds ?? 600;
  const maxReusable = deps.maxReusable ?? 10_000;
  /** Issued tokens by tenant, grantee, scopes and key id, with the time until which they are handed out again. */
  const reusable = new Map<string, { readonly token: string; readonly reuseUntilMs: number }>();
  return {
    async issue(tenantId, grantee, scopes) {
      const did = deps.didOf(tenantId);
      const key = await deps.keys.signingKey(tenantId, 'identity');
      const nowMs = deps.now().getTime();
      const cacheKey = `${tenantId}\n${key.kid}\n${grantee}\n${scopes.join(' ')}`;
      const earlier = reusable.get(cacheKey);
      if (earlier !== undefined && earlier.reuseUntilMs > nowMs) return earlier.token;
      const iat = Math.floor(nowMs / 1000);
      const token = await signJws(
        { iss: did, aud: did, sub: grantee, scope: scopes.join(' '), jti: randomUUID(), iat, exp: iat + ttl },
        { alg: key.alg, kid: verificationMethodId(did, key.kid), privateKey: key.privateKey },
        { typ: TYP },
      );
      reusable.delete(cacheKey);
      if (reusable.size >= maxReusable) reusable.delete(reusable.keys().next().value as string);
      reusable.set(cacheKey, { token, reuseUntilMs: (iat + ttl / 2) * 1000 });
      return token;
    },
    async verify(tenantId, token, presenter) {
      const did = deps.didOf(tenantId);
      const decoded = decodeJws(token);
      if (!decoded.ok) return identityFailure('access-token-invalid', `access token: ${decoded.message}`);
      const { header, payload } = decoded.value;
      if (header.typ !== TYP || typeof header.kid !== 'string') return identityFailure('access-token-invalid', 'not one of our access tokens');
      const { did: keyDid, fragment } = splitDidUrl(header.kid);
      if (keyDid !== did || fragment === undefined) return identityFailure('access-token-invalid', 'access token was not issued by this tenant');
      const jwk = (await deps.keys.publicJwks(tenantId, 'identity')).find((k) => k.kid === fragment);
      if (jwk === undefined) return identityFailure('access-token-invalid', 'access token key is unknown or retired');
      const sig = await verifyJwsSignature(decoded.value, jwk);
      if (!sig.ok) return identityFailure('access-token-invalid', 'access token signature does not verify');
      if (payload.iss !== did || !audienceIncludes(payload.aud, did)) return identityFailure('access-token-invalid', 'access token issuer or audience mismatch');
      const times = checkTokenTimes(payload, { nowSeconds: deps.now().getTime() / 1000, skewSeconds: deps.skewSeconds ?? 30, requireExp: true });
      if (!times.ok) return identityFailure('access-token-invalid', `access token: ${times.message}`);
      if (payload.sub !== presenter) return identityFailure('access-token-invalid', 'access token was issued to another participant');
      const rawScopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter((s) => s !== '') : [];
      const scopes = rawScopes.map(parseScope).filter((s): s is CredentialScope => s !== undefined);
      return { ok: true, value: { grantee: presenter, scopes, rawScopes } };
    },
  };
}
