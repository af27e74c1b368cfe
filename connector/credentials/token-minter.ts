// The role that mints data-plane tokens for a transfer (AWS Cognito or local keys) and the shapes it exchanges.
import { createHash } from 'node:crypto';
import type { Failure, Success } from '../common/result';
import type { TenantTx, TenantTxOptions } from '../store/database';

/** The counter-party the token is issued to. At least one of `did` / `bpn` should be known. */
export interface TokenConsumer {
  readonly did?: string;
  readonly bpn?: string;
}

export interface MintRequest {
  /** The provider tenant whose PACT host the token opens. */
  readonly tenantId: string;
  readonly agreementId: string;
  readonly transferId: string;
  readonly consumer: TokenConsumer;
  /** Audience override (local tokens only; Cognito access tokens carry no `aud`). */
  readonly audience?: string;
  /** Requested lifetime (local tokens only; Cognito's lifetime is the app client's setting). */
  readonly ttlSeconds?: number;
  /**
   * The token replaces every earlier one of the transfer (a start or resume): their refresh tokens are retired in the
   * same transaction that stores the new one (local mode; Cognito tokens cannot be revoked, see docs/credentials.md).
   */
  readonly supersede?: boolean;
  /**
   * Writes that make the token usable (the transfer's token binding): they commit in the transaction that stores the
   * token's own records (local mode; one round trip for both), or in one of their own when the minter stores nothing
   * (Cognito), before `mint` resolves. Their statements are deferred to COMMIT (they answer no rows). If they fail,
   * `mint` rejects with their error and nothing is stored.
   */
  readonly alongside?: (tx: TenantTx, token: MintedToken) => Promise<void>;
}

/**
 * How a mint's writes commit: without waiting for the WAL flush. A mint lost in a database crash is redone: its only
 * caller, a transfer's start (or resume), is then still STARTING and starts again with a new token, superseding the
 * lost one, whose binding went with it. WAL is flushed in order, so a later durable commit (the consumer's
 * acknowledgement being recorded, for one) makes the mint durable too.
 */
export const MINT_WRITES: TenantTxOptions = { durable: false };

/** How the connector finds the transfer a presented token serves: by `jti` (our tokens) or by token hash (Cognito). */
export type TokenBinding =
  | { readonly kind: 'jti'; readonly value: string }
  | { readonly kind: 'token-hash'; readonly value: string };

export interface MintedToken {
  readonly token: string;
  readonly tokenType: 'Bearer';
  readonly expiresAt: Date;
  /** The token's `jti` when we control its claims (local), or the Cognito token's own `jti` when present. */
  readonly jti?: string;
  /** base64url(SHA-256(token)): always present, safe to store and log. */
  readonly tokenHash: string;
  /**
   * The key to store against the transfer. Local: the `jti`. Cognito: the token hash — note that one Cognito
   * token may serve several transfers of the same consumer (see docs/credentials.md), so keep a set per key.
   */
  readonly binding: TokenBinding;
  /** Opaque single-use refresh token (local mode only). */
  readonly refreshToken?: string;
  readonly refreshExpiresAt?: Date;
  readonly agreementId: string;
  readonly transferId: string;
  /** Which implementation issued the token. */
  readonly issuer: 'local' | 'cognito';
}

/** Closed set of minting outcomes other than success. */
export type MintFailureCode =
  | 'tenant-not-configured'
  | 'invalid-request'
  | 'role-not-assumable'
  | 'secret-missing'
  | 'secret-invalid'
  | 'secret-access-denied'
  | 'cognito-refused'
  | 'throttled'
  | 'aws-unavailable'
  | 'refresh-invalid'
  | 'refresh-expired';

export interface MintFailure extends Failure {
  readonly code: MintFailureCode;
  /** True when trying again later may succeed (throttling, service faults). */
  readonly retryable: boolean;
}

export type MintResult = Success<MintedToken> | MintFailure;

/** Issues the token a consumer uses on the provider tenant's PACT host. */
export interface TokenMinter {
  /**
   * Mints a token for one transfer. Must use only the credentials of `request.tenantId`, must never log token or
   * secret material, and returns expected failures (misconfiguration, AWS refusals, throttling after retries) as values.
   */
  mint(request: MintRequest): Promise<MintResult>;
  /** Drops every cached credential, secret and token of `tenantId` (settings changed, offboarding). */
  evictTenant(tenantId: string): void;
}

/** base64url SHA-256 of a token: the only form in which a token may be stored, logged or used as a cache key. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

export function mintFailure(code: MintFailureCode, message: string, retryable = false): MintFailure {
  const reason = code === 'tenant-not-configured' || code === 'secret-missing' ? 'not-found'
    : code === 'invalid-request' ? 'bad-request'
    : code === 'refresh-invalid' || code === 'refresh-expired' ? 'unauthorized'
    : code === 'throttled' ? 'conflict'
    : 'forbidden';
  return { ok: false, reason, message, code, retryable };
}
