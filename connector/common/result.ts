// Expected failures as values: a small closed set of reasons, mapped to HTTP once per API.

export type FailureReason = 'not-found' | 'conflict' | 'bad-request' | 'unauthorized' | 'forbidden';

export interface Failure {
  readonly ok: false;
  readonly reason: FailureReason;
  readonly message: string;
  /** Optional machine-readable details (e.g. JSON pointers of validation errors). */
  readonly details?: readonly unknown[];
}

export interface Success<T> {
  readonly ok: true;
  readonly value: T;
}

export type Result<T> = Success<T> | Failure;

export function ok<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function fail(reason: FailureReason, message: string, details?: readonly unknown[]): Failure {
  return details === undefined ? { ok: false, reason, message } : { ok: false, reason, message, details };
}
