// One place that turns transport-level failures (bad JSON, too large, unknown path, timeout, crash) into each API's wire format.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../observability/logger';

export type ApiFamily = 'management' | 'operator' | 'pact-v2' | 'pact-v3' | 'dsp' | 'other';

export function apiFamily(path: string): ApiFamily {
  if (path.startsWith('/management/')) return 'management';
  if (path.startsWith('/operator/')) return 'operator';
  if (/^\/tenants\/[^/]+\/pact\/2\//.test(path)) return 'pact-v2';
  if (/^\/tenants\/[^/]+\/pact\//.test(path)) return 'pact-v3';
  if (/^\/tenants\/[^/]+\/dsp(\/|$)/.test(path)) return 'dsp';
  return 'other';
}

const EDC_TYPE: Record<number, string> = { 400: 'BadRequest', 404: 'ObjectNotFound', 408: 'Timeout', 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType', 500: 'InternalError', 503: 'ServiceUnavailable' };
const PACT_CODE: Record<number, string> = { 400: 'BadRequest', 404: 'NotFound', 413: 'BadRequest', 415: 'BadRequest', 500: 'InternalError', 503: 'InternalError' };

/**
 * DSP's body for a transport failure (too large, not JSON, unknown path, timeout): a plain reason list. DSP answers
 * unknown and unauthorized requests alike with 404 and its own error messages; these are the failures before them.
 */
export function dspTransportError(status: number, text: string, errorId?: string): { code: string; reason: string[]; errorId?: string } {
  return { code: String(status), reason: [text], ...(errorId ? { errorId } : {}) };
}

/** Sends `status` with `message` in the format of the API the path belongs to. */
export function sendTransportError(req: Request, res: Response, status: number, message: string, errorId?: string): void {
  const family = apiFamily(req.path);
  const text = errorId ? `${message} (error id ${errorId})` : message;
  if (errorId) res.setHeader('x-error-id', errorId);
  switch (family) {
    case 'management':
    case 'operator':
      res.status(status).json([{ message: text, type: EDC_TYPE[status] ?? 'BadRequest', path: null, invalidValue: null, ...(errorId ? { errorId } : {}) }]);
      return;
    case 'pact-v2':
    case 'pact-v3': {
      const code = status === 404 && family === 'pact-v2' ? 'NoSuchFootprint' : PACT_CODE[status] ?? 'BadRequest';
      res.status(status).json({ code, message: text });
      return;
    }
    case 'dsp':
      res.status(status).json(dspTransportError(status, text, errorId));
      return;
    default:
      res.status(status).json({ error: text, ...(errorId ? { errorId } : {}) });
  }
}

export function notFoundHandler(req: Request, res: Response): void {
  sendTransportError(req, res, 404, `no resource at ${req.method} ${req.path}`);
}

interface HttpError { status?: number; statusCode?: number; type?: string; expose?: boolean }

/** Final error handler: body-parser errors keep their 4xx; anything else is a 500 carrying only an error id. */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const e = (err ?? {}) as HttpError;
    const status = e.status ?? e.statusCode;
    if (status === 413 || e.type === 'entity.too.large') return sendTransportError(req, res, 413, 'the request body is too large');
    if (e.type === 'entity.parse.failed') return sendTransportError(req, res, 400, 'the request body is not valid JSON');
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return sendTransportError(req, res, 415, 'unsupported body encoding');
    if (typeof status === 'number' && status >= 400 && status < 500 && e.expose) return sendTransportError(req, res, status, 'the request is invalid');
    // SQLSTATE class 22 (data exception: NUL byte, malformed uuid, value out of range) is a value the client sent.
    const sqlState = (err as { code?: unknown } | null)?.code;
    if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) return sendTransportError(req, res, 400, 'a value in the request is not valid (e.g. a NUL byte or a malformed identifier)');
    const errorId = randomUUID();
    ((res.locals.logger as Logger | undefined) ?? logger).error('unhandled error', { errorId, error: err instanceof Error ? err : String(err), path: req.path });
    sendTransportError(req, res, 500, 'internal error', errorId);
  };
}
