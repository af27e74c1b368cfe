// Small helpers shared by the management routes of the PACT module: async wrapping, audit actor, 400 bodies.
import type { NextFunction, Request, Response } from 'express';
import { managementError } from '../../connector/management/management-errors';
import { callerOf } from '../../connector/tenancy/caller';
import type { ActorContext } from '../service/footprint-service';

type Handler = (req: Request, res: Response) => Promise<void>;

export const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction): void => {
  fn(req, res).catch(next);
};

/** The audit actor and request id of the authenticated caller. */
export function actorOf(res: Response): ActorContext {
  const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
  return { actor: callerOf(res).actor, ...(requestId === undefined ? {} : { requestId }) };
}

export function badRequest(res: Response, message: string, path: string | null = null, invalidValue: unknown = null): void {
  managementError(res, 400, 'BadRequest', message, [{ message, type: 'BadRequest', path, invalidValue }]);
}

