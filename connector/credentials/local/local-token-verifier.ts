// DataPlaneTokenVerifier for local tokens: the tenant's data-plane JWKS from the key provider, asymmetric algorithms only.
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../../observability/logger';
import type { TenantKeyProvider } from '../key-provider';
import { tokenHash } from '../token-minter';
import {
  classifyJoseError, createVerifiedTokenCache, peekHeader, peekPayload, stringClaim, verifyFailure,
  type DataPlaneTokenVerifier, type VerifiedTokenCache,
} from '../token-verifier';
import { LOCAL_TOKEN_TYPE, localDefaultAudience, localIssuer } from './local-token-minter';

export interface LocalTokenVerifierDeps {
  readonly keys: TenantKeyProvider;
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Accepted audiences per tenant (default: the tenant's PACT host URL). */
  readonly audiences?: (tenantId: string) => readonly string[];
  /** Asymmetric algorithms accepted (default ES256, ES384, EdDSA, RS256, PS256); HS* and `none` are always refused. */
  readonly algorithms?: readonly string[];
  readonly clockToleranceSeconds?: number;
  /** How long a tenant's JWKS is reused (default 60 s); an unknown `kid` refetches at most every 5 s. */
  readonly jwksCacheMs?: number;
  readonly cache?: VerifiedTokenCache;
}

/** The local verifier, plus eviction of a tenant's cached key set and verifications (keys revoked, tenant erased). */
export interface LocalTokenVerifier extends DataPlaneTokenVerifier {
  /** Forgets `tenantId`'s cached JWKS and verified tokens, so revoked keys stop verifying at once. */
  evictTenant(tenantId: string): void;
}

const ASYMMETRIC = new Set(['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);

export function createLocalTokenVerifier(deps: LocalTokenVerifierDeps): LocalTokenVerifier {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'credentials.local-verifier' });
  const cache = deps.cache ?? createVerifiedTokenCache();
  const algorithms = (deps.algorithms ?? ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256']).filter((a) => ASYMMETRIC.has(a));
  const jwksMs = deps.jwksCacheMs ?? 60_000;
  const keySets = new Map<string, { set: JWTVerifyGetKey; at: number }>();

  async function keySet(tenantId: string, forceRefresh: boolean): Promise<JWTVerifyGetKey> {
    const t = now().getTime();
    const hit = keySets.get(tenantId);
    if (hit !== undefined && (forceRefresh ? t - hit.at < 5_000 : t - hit.at < jwksMs)) return hit.set;
    const jwks = await deps.keys.publicJwks(tenantId, 'data-plane');
    const set = createLocalJWKSet({ keys: jwks.filter((k) => typeof k.alg === 'string' && algorithms.includes(k.alg)) });
    keySets.set(tenantId, { set, at: t });
    return set;
  }

  async function verifyWith(token: string, tenantId: string, at: Date, forceRefresh: boolean) {
    return jwtVerify(token, await keySet(tenantId, forceRefresh), {
      algorithms,
      issuer: localIssuer(deps.publicUrl, tenantId),
      audience: [...(deps.audiences?.(tenantId) ?? [localDefaultAudience(deps.publicUrl, tenantId)])],
      typ: LOCAL_TOKEN_TYPE,
      clockTolerance: deps.clockToleranceSeconds ?? 30,
      currentDate: at,
      requiredClaims: ['exp', 'jti', 'sub', 'iat'],
    });
  }

  return {
    evictTenant(tenantId) {
      keySets.delete(tenantId);
      cache.evictTenant(tenantId);
    },
    async verify(tenantId, token) {
      if (typeof token !== 'string' || token === '') return verifyFailure('missing', 'no token');
      const hash = tokenHash(token);
      const at = now();
      const hit = cache.get(tenantId, hash, at);
      if (hit !== undefined) return { ok: true, value: hit };
      const header = peekHeader(token);
      if (header === undefined) return verifyFailure('invalid', 'not a compact JWS');
      if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) return verifyFailure('unsupported-alg', 'algorithm not allowed');
      const claimedTenant = peekPayload(token)?.tenant_id;
      if (typeof claimedTenant === 'string' && claimedTenant !== tenantId) return verifyFailure('wrong-tenant', 'token issued for another tenant');
      let payload: Record<string, unknown>;
      try {
        payload = (await verifyWith(token, tenantId, at, false)).payload as Record<string, unknown>;
      } catch (error) {
        if (!(error instanceof joseErrors.JWKSNoMatchingKey)) return classifyJoseError(error);
        try {
          payload = (await verifyWith(token, tenantId, at, true)).payload as Record<string, unknown>;
        } catch (retryError) {
          return classifyJoseError(retryError);
        }
      }
      if (payload.tenant_id !== tenantId) return verifyFailure('wrong-tenant', 'token issued for another tenant');
      const agreementId = stringClaim(payload, 'agreement_id');
      const transferId = stringClaim(payload, 'transfer_id');
      if (agreementId === undefined || transferId === undefined) return verifyFailure('invalid', 'token lacks agreement or transfer');
      const jti = stringClaim(payload, 'jti') as string;
      const did = stringClaim(payload, 'consumer_did');
      const bpn = stringClaim(payload, 'consumer_bpn');
      const value = {
        tenantId,
        issuer: stringClaim(payload, 'iss') ?? '',
        subject: stringClaim(payload, 'sub') ?? '',
        expiresAt: new Date((payload.exp as number) * 1000),
        binding: { kind: 'jti' as const, value: jti },
        tokenHash: hash,
        jti,
        agreementId,
        transferId,
        consumer: { ...(did === undefined ? {} : { did }), ...(bpn === undefined ? {} : { bpn }) },
        scopes: [],
        kind: 'local' as const,
      };
      cache.put(tenantId, hash, value);
      log.debug('data-plane token verified', { tenantId, transferId, jti });
      return { ok: true, value };
    },
  };
}
