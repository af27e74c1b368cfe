// The role that checks data-plane bearer tokens for one tenant, the closed set of failure codes and a verified-token cache.
import { errors as joseErrors } from 'jose';
import type { Failure, Success } from '../common/result';
import type { TokenBinding, TokenConsumer } from './token-minter';

/** Why a token was refused; the caller maps every code to 401 (or 503 for `unavailable`). */
export type VerifyFailureCode =
  | 'missing'
  | 'invalid'
  | 'unsupported-alg'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-tenant'
  | 'unknown-tenant'
  | 'unavailable';

export interface VerifyFailure extends Failure {
  readonly code: VerifyFailureCode;
}

export interface VerifiedDataPlaneToken {
  readonly tenantId: string;
  readonly issuer: string;
  readonly subject: string;
  readonly expiresAt: Date;
  /** Same key the minter returned: `jti` for local tokens, token hash for Cognito tokens. */
  readonly binding: TokenBinding;
  readonly tokenHash: string;
  readonly jti?: string;
  /** Local tokens carry these; for Cognito tokens the caller resolves them through `binding`. */
  readonly agreementId?: string;
  readonly transferId?: string;
  readonly consumer: TokenConsumer;
  readonly scopes: readonly string[];
  /** Cognito app client id (Cognito tokens only). */
  readonly clientId?: string;
  readonly kind: 'local' | 'cognito';
}

export type VerifyResult = Success<VerifiedDataPlaneToken> | VerifyFailure;

/** Verifies a bearer token presented on `tenantId`'s PACT host. */
export interface DataPlaneTokenVerifier {
  /**
   * Checks algorithm allow-list, signature, issuer, audience (or Cognito client/scope), `exp`/`nbf` with a small
   * skew and the tenant. Never throws for a bad token, never logs the raw token.
   */
  verify(tenantId: string, token: string): Promise<VerifyResult>;
}

export function verifyFailure(code: VerifyFailureCode, message: string): VerifyFailure {
  return { ok: false, reason: 'unauthorized', code, message };
}

/** Maps jose's errors to our closed set; anything unknown is `invalid`. */
export function classifyJoseError(error: unknown): VerifyFailure {
  if (error instanceof joseErrors.JWTExpired) return verifyFailure('expired', 'token expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return verifyFailure('not-yet-valid', `token ${error.claim} check failed`);
    if (error.claim === 'iss') return verifyFailure('wrong-issuer', 'token issuer mismatch');
    if (error.claim === 'aud') return verifyFailure('wrong-audience', 'token audience mismatch');
    return verifyFailure('invalid', `claim ${error.claim} invalid`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) return verifyFailure('unsupported-alg', 'algorithm not allowed');
  if (error instanceof joseErrors.JWKSTimeout) return verifyFailure('unavailable', 'key set fetch timed out');
  if (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC' && /fetch|response|status/i.test(error.message)) {
    return verifyFailure('unavailable', 'key set unavailable');
  }
  if (error instanceof TypeError && /fetch/i.test(error.message)) return verifyFailure('unavailable', 'key set unavailable');
  return verifyFailure('invalid', 'token invalid');
}

/**
 * Reads a compact JWS's protected header without trusting it, to refuse disallowed algorithms before any key
 * lookup. Returns undefined when the token is not a three-part compact JWS with a JSON header.
 */
export function peekHeader(token: string): { alg?: unknown; kid?: unknown; typ?: unknown } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || parts[0] === '' || parts[1] === '') return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' && !Array.isArray(header) ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a compact JWS's payload without verifying it (only to classify a refusal). */
export function peekPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface VerifiedTokenCache {
  /** The cached verification of (tenant, token hash) if still unexpired at `now`. */
  get(tenantId: string, hash: string, now: Date): VerifiedDataPlaneToken | undefined;
  put(tenantId: string, hash: string, value: VerifiedDataPlaneToken): void;
  /** Drops every entry of `tenantId`. */
  evictTenant(tenantId: string): void;
  readonly size: number;
}

/** Bounded cache of successful verifications, keyed by tenant + token hash (never the raw token), kept until `exp`. */
export function createVerifiedTokenCache(maxEntries = 10_000): VerifiedTokenCache {
  const entries = new Map<string, VerifiedDataPlaneToken>();
  const key = (tenantId: string, hash: string): string => `${tenantId}\u0000${hash}`;
  return {
    get(tenantId, hash, now) {
      const k = key(tenantId, hash);
      const hit = entries.get(k);
      if (hit === undefined) return undefined;
      if (hit.expiresAt.getTime() <= now.getTime()) {
        entries.delete(k);
        return undefined;
      }
      return hit;
    },
    put(tenantId, hash, value) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      entries.set(key(tenantId, hash), value);
    },
    evictTenant(tenantId) {
      for (const k of entries.keys()) if (k.startsWith(`${tenantId}\u0000`)) entries.delete(k);
    },
    // eslint-disable-next-line no-restricted-syntax -- built once per cache, not per request
    get size() {
      return entries.size;
    },
  };
}

/** Text claims helper: a string claim or undefined. */
export function stringClaim(payload: Record<string, unknown>, name: string): string | undefined {
  const v = payload[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
