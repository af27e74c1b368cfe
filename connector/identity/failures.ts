// Identity failure codes: one precise code per rejection, mapped onto the shared closed set of failure reasons.
import type { Failure, FailureReason } from '../common/result';

export type IdentityFailureCode =
  // tokens (SI tokens, VPs, VCs, access tokens)
  | 'token-missing'
  | 'token-malformed'
  | 'alg-not-allowed'
  | 'kid-missing'
  | 'kid-not-authorized'
  | 'signature-invalid'
  | 'iss-sub-mismatch'
  | 'audience-mismatch'
  | 'token-expired'
  | 'token-not-yet-valid'
  | 'token-issued-in-future'
  | 'jti-missing'
  | 'jti-replayed'
  // DIDs
  | 'did-invalid'
  | 'did-resolution-failed'
  | 'did-document-invalid'
  | 'did-document-id-mismatch'
  | 'credential-service-missing'
  // our credential service
  | 'access-token-invalid'
  | 'query-invalid'
  | 'presentation-definition-unsupported'
  // presentations and credentials
  | 'presentation-query-failed'
  | 'presentation-invalid'
  | 'presentation-holder-mismatch'
  | 'credential-invalid'
  | 'credential-untrusted-issuer'
  | 'credential-holder-mismatch'
  | 'credential-expired'
  | 'credential-not-yet-valid'
  | 'credential-revoked'
  | 'credential-suspended'
  | 'credential-status-unavailable'
  | 'credential-missing'
  // directory and trust anchor
  | 'bpn-invalid'
  | 'tenant-unknown';

/** A failure that also names the precise identity rejection; still a plain `Failure` for generic handlers. */
export interface IdentityFailure extends Failure {
  readonly code: IdentityFailureCode;
}

const REASONS: Partial<Record<IdentityFailureCode, FailureReason>> = {
  'did-invalid': 'bad-request',
  'query-invalid': 'bad-request',
  'presentation-definition-unsupported': 'bad-request',
  'bpn-invalid': 'bad-request',
  'tenant-unknown': 'not-found',
  'credential-missing': 'forbidden',
  'credential-untrusted-issuer': 'forbidden',
};

/** Builds an identity failure; the reason defaults to `unauthorized`. */
export function identityFailure(code: IdentityFailureCode, message: string): IdentityFailure {
  return { ok: false, reason: REASONS[code] ?? 'unauthorized', code, message };
}

export type IdentityResult<T> = { readonly ok: true; readonly value: T } | IdentityFailure;
