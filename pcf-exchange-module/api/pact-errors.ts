// PACT wire errors per API version: status codes and `{code, message}` bodies (v2 table vs v3 Error schema).
import type { Failure } from '../../connector/common/result';

export type PactApiVersion = '2' | '3';

/** Error codes callers may name; `NoSuchFootprint` and `NotFound` are the same error, spelled per version. */
export type PactErrorCode =
  | 'AccessDenied'
  | 'BadRequest'
  | 'NoSuchFootprint'
  | 'NotFound'
  | 'NotImplemented'
  | 'TokenExpired'
  | 'InternalError';

export interface PactErrorBody {
  readonly code: string;
  readonly message: string;
}

export interface PactErrorResponse {
  readonly status: number;
  readonly body: PactErrorBody;
}

const DEFAULT_MESSAGES: Readonly<Record<PactErrorCode, string>> = {
  AccessDenied: 'Access Denied',
  BadRequest: 'Bad Request',
  NoSuchFootprint: 'The specified footprint does not exist',
  NotFound: 'The specified footprint does not exist',
  NotImplemented: 'The specified Action or header you provided implies functionality that is not implemented',
  TokenExpired: 'The specified access token has expired',
  InternalError: 'An internal error occurred',
};

/** Wire code and status of `code` in API `version` (v2: NoSuchFootprint, NotImplemented 400; v3: NotFound, NotImplemented 501). */
function wire(version: PactApiVersion, code: PactErrorCode): { code: string; status: number } {
  switch (code) {
    case 'AccessDenied': return { code, status: 403 };
    case 'BadRequest': return { code, status: 400 };
    case 'NoSuchFootprint':
    case 'NotFound': return { code: version === '2' ? 'NoSuchFootprint' : 'NotFound', status: 404 };
    case 'NotImplemented': return { code, status: version === '2' ? 400 : 501 };
    case 'TokenExpired': return { code, status: 401 };
    case 'InternalError': return { code, status: 500 };
  }
}

/** The status and JSON body of a PACT error (`Content-Type: application/json`). */
export function pactError(version: PactApiVersion, code: PactErrorCode, message?: string): PactErrorResponse {
  const w = wire(version, code);
  return { status: w.status, body: { code: w.code, message: message ?? DEFAULT_MESSAGES[code] } };
}

/**
 * A rejected access token: expired → TokenExpired 401 (both versions); otherwise v2 answers BadRequest 400
 * (V2 "other token problems") and v3 answers 401 with code BadRequest (v3 demands 401; the Error enum has no
 * Unauthorized code and the conformance suite expects BadRequest).
 */
export function pactTokenError(version: PactApiVersion, expired: boolean, message?: string): PactErrorResponse {
  if (expired) return pactError(version, 'TokenExpired', message);
  const base = pactError(version, 'BadRequest', message ?? 'Invalid access token');
  return version === '2' ? base : { status: 401, body: base.body };
}

/** Maps an expected failure of a service to the PACT error of `version` (another tenant's data is not-found). */
export function pactErrorForFailure(version: PactApiVersion, failure: Failure): PactErrorResponse {
  switch (failure.reason) {
    case 'not-found': return pactError(version, 'NotFound', failure.message);
    case 'forbidden': return pactError(version, 'AccessDenied', failure.message);
    case 'unauthorized': return pactTokenError(version, false, failure.message);
    case 'bad-request':
    case 'conflict': return pactError(version, 'BadRequest', failure.message);
  }
}
