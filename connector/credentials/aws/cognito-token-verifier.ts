// DataPlaneTokenVerifier for Cognito access tokens: user-pool JWKS (cached), RS256 only, client_id/token_use/scope/tenant checks.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../../observability/logger';
import { tokenHash } from '../token-minter';
import {
  classifyJoseError, createVerifiedTokenCache, peekHeader, peekPayload, stringClaim, verifyFailure,
  type DataPlaneTokenVerifier, type VerifiedTokenCache,
} from '../token-verifier';
import { cognitoIssuer, cognitoJwksUrl, type AwsTenantSettingsLookup } from './tenant-settings';

export interface CognitoTokenVerifierDeps {
  readonly settings: AwsTenantSettingsLookup;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Allowed clock skew for `exp`/`nbf`/`iat` (default 30 s). */
  readonly clockToleranceSeconds?: number;
  /** How long a fetched JWKS is trusted (default 10 min); unknown `kid`s trigger a refetch after a 30 s cooldown. */
  readonly jwksCacheMaxAgeMs?: number;
  readonly cache?: VerifiedTokenCache;
  /** Custom key resolution per JWKS URL (tests); default jose `createRemoteJWKSet`. */
  readonly jwksFor?: (url: URL) => JWTVerifyGetKey;
}

const ALGORITHMS = ['RS256'];

export function createCognitoTokenVerifier(deps: CognitoTokenVerifierDeps): DataPlaneTokenVerifier {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'credentials.cognito-verifier' });
  const cache = deps.cache ?? createVerifiedTokenCache();
  const keySets = new Map<string, JWTVerifyGetKey>();
  const jwksFor = deps.jwksFor ?? ((url: URL) => createRemoteJWKSet(url, { cacheMaxAge: deps.jwksCacheMaxAgeMs ?? 600_000, cooldownDuration: 30_000, timeoutDuration: 5_000 }));

  function keySet(url: string): JWTVerifyGetKey {
    let set = keySets.get(url);
    if (set === undefined) {
      set = jwksFor(new URL(url));
      keySets.set(url, set);
    }
    return set;
  }

  return {
    async verify(tenantId, token) {
      if (typeof token !== 'string' || token === '') return verifyFailure('missing', 'no token');
      const hash = tokenHash(token);
      const at = now();
      const hit = cache.get(tenantId, hash, at);
      if (hit !== undefined) return { ok: true, value: hit };
      const header = peekHeader(token);
      if (header === undefined) return verifyFailure('invalid', 'not a compact JWS');
      if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) return verifyFailure('unsupported-alg', 'algorithm not allowed');
      const s = await deps.settings(tenantId);
      if (s === undefined) return verifyFailure('unknown-tenant', 'tenant has no cognito settings');
      const issuer = cognitoIssuer(s);
      const peeked = peekPayload(token);
      if (peeked !== undefined && stringClaim(peeked, 'iss') === issuer && stringClaim(peeked, 'client_id') !== undefined
        && stringClaim(peeked, 'client_id') !== s.cognito.clientId) {
        return verifyFailure('wrong-tenant', 'token issued to another app client');
      }
      let payload: Record<string, unknown>;
      try {
        const verified = await jwtVerify(token, keySet(cognitoJwksUrl(s)), {
          algorithms: ALGORITHMS,
          issuer,
          clockTolerance: deps.clockToleranceSeconds ?? 30,
          currentDate: at,
          requiredClaims: ['exp', 'iat', 'sub'],
        });
        payload = verified.payload as Record<string, unknown>;
      } catch (error) {
        const failure = classifyJoseError(error);
        if (failure.code === 'unavailable') log.warn('cognito jwks unavailable', { tenantId, userPoolId: s.cognito.userPoolId });
        return failure;
      }
      if (payload.token_use !== 'access') return verifyFailure('invalid', 'not an access token');
      if (stringClaim(payload, 'client_id') !== s.cognito.clientId) return verifyFailure('wrong-tenant', 'token issued to another app client');
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter((x) => x !== '') : [];
      if (!scopes.includes(s.cognito.scope)) return verifyFailure('wrong-audience', 'token lacks the tenant pcf-exchange scope');
      const exp = payload.exp as number;
      const jti = stringClaim(payload, 'jti');
      const value = {
        tenantId,
        issuer,
        subject: stringClaim(payload, 'sub') ?? '',
        expiresAt: new Date(exp * 1000),
        binding: { kind: 'token-hash' as const, value: hash },
        tokenHash: hash,
        ...(jti === undefined ? {} : { jti }),
        consumer: {},
        scopes,
        clientId: s.cognito.clientId,
        kind: 'cognito' as const,
      };
      cache.put(tenantId, hash, value);
      return { ok: true, value };
    },
  };
}
