// DSP error bodies (CatalogError, ContractNegotiationError, TransferError) and the HTTP status for each failure reason.
import type { Failure, FailureReason } from '../common/result';
import type { CatalogError, ContractNegotiationError, TransferError } from './messages';

/**
 * HTTP status for a DSP failure: invalid message or state transition → 400; unknown process → 404; a client that is
 * not authorized → 404 as the spec requires (never revealing existence); a conflicting duplicate → 409 (EDC practice).
 */
export function dspStatus(reason: FailureReason): number {
  switch (reason) {
    case 'bad-request':
      return 400;
    case 'not-found':
    case 'unauthorized':
    case 'forbidden':
      return 404;
    case 'conflict':
      return 409;
  }
}

export interface ProcessIds {
  readonly providerPid?: string;
  readonly consumerPid?: string;
}

export interface DspErrorResponse<M> {
  readonly status: number;
  /** Absent when the error body cannot be formed (negotiation/transfer errors need both pids). */
  readonly body?: M;
}

function codeAndReason(status: number, failure: Failure): { code: string; reason: string[] } {
  // Unauthorized callers get the same answer as for an unknown process.
  const message = failure.reason === 'unauthorized' || failure.reason === 'forbidden' ? 'not found' : failure.message;
  return { code: String(status), reason: [message] };
}

/** A `ContractNegotiationError` answer for `failure`. */
export function negotiationError(failure: Failure, ids: ProcessIds): DspErrorResponse<ContractNegotiationError> {
  const status = dspStatus(failure.reason);
  if (ids.providerPid === undefined || ids.consumerPid === undefined) return { status };
  return { status, body: { type: 'ContractNegotiationError', providerPid: ids.providerPid, consumerPid: ids.consumerPid, ...codeAndReason(status, failure) } };
}

/** A `TransferError` answer for `failure`. */
export function transferError(failure: Failure, ids: ProcessIds): DspErrorResponse<TransferError> {
  const status = dspStatus(failure.reason);
  if (ids.providerPid === undefined || ids.consumerPid === undefined) return { status };
  return { status, body: { type: 'TransferError', providerPid: ids.providerPid, consumerPid: ids.consumerPid, ...codeAndReason(status, failure) } };
}

/** A `CatalogError` answer for `failure` (catalog errors always carry a body). */
export function catalogError(failure: Failure): Required<DspErrorResponse<CatalogError>> {
  const status = dspStatus(failure.reason);
  return { status, body: { type: 'CatalogError', ...codeAndReason(status, failure) } };
}
