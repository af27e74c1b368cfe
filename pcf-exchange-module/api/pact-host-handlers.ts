// Handler of the PACT Events action behind authentication, and the Express helpers that send PACT errors.
import type { Request, Response } from 'express';
import type { Logger } from '../../connector/observability/logger';
import { createEventValidator, type EventValidator } from '../events/cloud-events';
import type { FootprintRequestService } from '../service/request-service';
import { principalLabel, type PactPrincipal } from './pact-auth';
import { pactError, pactErrorForFailure, type PactApiVersion, type PactErrorCode, type PactErrorResponse } from './pact-errors';

export interface PactHandlerDeps {
  readonly logger: Logger;
  readonly requests: FootprintRequestService;
  readonly events?: EventValidator;
}

export interface PactHandlers {
  events(req: Request, res: Response): Promise<void>;
}

export function sendPact(res: Response, e: PactErrorResponse): void {
  res.status(e.status).type('application/json').send(JSON.stringify(e.body));
}

export function sendPactCode(res: Response, version: PactApiVersion, code: PactErrorCode, message?: string): void {
  sendPact(res, pactError(version, code, message));
}

/** The authenticated principal and tenant the auth middleware left in `res.locals`. */
export function pactContext(res: Response): { tenantId: string; principal: PactPrincipal } {
  return { tenantId: res.locals.pactTenantId as string, principal: res.locals.pactPrincipal as PactPrincipal };
}

export function createPactHandlers(deps: PactHandlerDeps): PactHandlers {
  const events = deps.events ?? createEventValidator();
  const log = deps.logger.child({ component: 'pact.host' });

  return {
    async events(req, res) {
      const version = res.locals.pactVersion as PactApiVersion;
      const { tenantId, principal } = pactContext(res);
      const checked = events.validate(version, req.body);
      if (!checked.ok) return sendPactCode(res, version, 'BadRequest', checked.message);
      const { kind, event } = checked.value;
      const by = principalLabel(principal);
      if (kind === 'request-created') {
        const r = await deps.requests.receive(tenantId, version, event, by);
        if (!r.ok) return sendPact(res, pactErrorForFailure(version, r));
        log.info('footprint request received', { tenantId, eventId: event.id, requestId: r.value.request.id, duplicate: r.value.duplicate, status: r.value.request.status, by });
      } else {
        await deps.requests.recordReceived(tenantId, kind, event, by);
        log.info('event received', { tenantId, eventId: event.id, kind, by });
      }
      res.status(200).end();
    },
  };
}
