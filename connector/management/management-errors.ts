// Management API error bodies in EDC's shape: an array of { message, type, path, invalidValue }.
import type { Response } from 'express';
import type { Failure, FailureReason } from '../common/result';

export type ManagementErrorType = 'BadRequest' | 'ObjectNotFound' | 'ObjectConflict' | 'NotAuthorized' | 'Unauthenticated' | 'InternalError' | 'PayloadTooLarge' | 'UnsupportedMediaType';

export interface ApiErrorDetail {
  readonly message: string;
  readonly type: ManagementErrorType;
  readonly path: string | null;
  readonly invalidValue: unknown;
}

const STATUS_OF: Record<FailureReason, [number, ManagementErrorType]> = {
  'bad-request': [400, 'BadRequest'],
  unauthorized: [401, 'Unauthenticated'],
  forbidden: [403, 'NotAuthorized'],
  'not-found': [404, 'ObjectNotFound'],
  conflict: [409, 'ObjectConflict'],
};

export function managementError(res: Response, status: number, type: ManagementErrorType, message: string, details?: readonly ApiErrorDetail[]): void {
  res.status(status).json(details && details.length > 0 ? details : [{ message, type, path: null, invalidValue: null }]);
}

/** Maps an expected failure to its status and EDC error body; validation details become one entry per pointer. */
export function sendFailure(res: Response, failure: Failure): void {
  const [status, type] = STATUS_OF[failure.reason];
  const details = (failure.details ?? []).map((d): ApiErrorDetail => {
    const o = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
    const own = typeof o.reason === 'string' ? o.reason : typeof o.message === 'string' ? o.message : undefined;
    return {
      // A single detail repeats the failure's full sentence; several details each carry their own.
      message: failure.details?.length === 1 || own === undefined ? failure.message : own,
      type,
      path: typeof o.pointer === 'string' ? o.pointer : typeof o.path === 'string' ? o.path : null,
      invalidValue: o.invalidValue ?? null,
    };
  });
  managementError(res, status, type, failure.message, details);
}
