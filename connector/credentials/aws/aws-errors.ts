// Maps AWS SDK and Cognito OAuth2 errors to minting outcomes, and retries retryable ones with jittered backoff.
import { mintFailure, type MintFailure } from '../token-minter';

export type AwsStage = 'sts' | 'secrets' | 'cognito';

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException', 'SlowDown']);
const TRANSIENT = new Set(['InternalFailure', 'InternalErrorException', 'InternalServiceError', 'ServiceUnavailable', 'IDPCommunicationError', 'TimeoutError', 'RequestTimeout']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH']);

/** The AWS error code of a failed call (`AccessDenied`, `ResourceExistsException`, …) or a network code; never request data. */
export function awsErrorName(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; code?: unknown; Code?: unknown };
    if (typeof e.code === 'string' && NETWORK.has(e.code)) return e.code;
    if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
    if (typeof e.Code === 'string') return e.Code;
  }
  return 'UnknownError';
}

function httpStatus(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

/** Classifies a failed AWS call of `stage`. The message names the AWS error code only, never request data. */
export function classifyAwsError(stage: AwsStage, error: unknown): MintFailure {
  const name = awsErrorName(error);
  const status = httpStatus(error);
  if (THROTTLING.has(name) || status === 429) return mintFailure('throttled', `${stage}: throttled (${name})`, true);
  if (TRANSIENT.has(name) || NETWORK.has(name) || (status !== undefined && status >= 500)) {
    return mintFailure('aws-unavailable', `${stage}: service unavailable (${name})`, true);
  }
  if (status === undefined && !(error !== null && typeof error === 'object' && '$fault' in error)) {
    return mintFailure('aws-unavailable', `${stage}: no answer from AWS (${name})`, true);
  }
  if (stage === 'sts') return mintFailure('role-not-assumable', `sts: tenant role not assumable (${name})`);
  if (stage === 'secrets') {
    if (name === 'ResourceNotFoundException' || name === 'InvalidRequestException') return mintFailure('secret-missing', `secretsmanager: secret missing or scheduled for deletion (${name})`);
    if (name === 'AccessDeniedException' || name === 'DecryptionFailure' || name === 'KMSAccessDeniedException') {
      return mintFailure('secret-access-denied', `secretsmanager: secret not readable with the tenant role (${name})`);
    }
    return mintFailure('secret-missing', `secretsmanager: secret not retrievable (${name})`);
  }
  return mintFailure('cognito-refused', `cognito: token refused (${name})`);
}

export interface RetryOptions {
  /** Total attempts including the first (default 3). */
  readonly attempts: number;
  /** First backoff delay; doubles each retry, with full jitter (default 100 ms). */
  readonly baseDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const defaultRetryOptions: RetryOptions = {
  attempts: 3,
  baseDelayMs: 100,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Runs `attempt` until it succeeds, fails non-retryably or the attempts are used up. */
export async function withRetry<T>(options: RetryOptions, attempt: () => Promise<{ ok: true; value: T } | MintFailure>): Promise<{ ok: true; value: T } | MintFailure> {
  let last: MintFailure | undefined;
  for (let i = 0; i < Math.max(1, options.attempts); i += 1) {
    if (i > 0) await options.sleep(Math.floor(options.random() * options.baseDelayMs * 2 ** (i - 1)) + 1);
    const result = await attempt();
    if (result.ok || !result.retryable) return result;
    last = result;
  }
  return last as MintFailure;
}
