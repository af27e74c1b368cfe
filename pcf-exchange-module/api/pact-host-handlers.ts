// Handlers of the PACT actions (ListFootprints, GetFootprint, Events) for one API version, behind authentication.
import type { Request, Response } from 'express';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { createEventValidator, type EventValidator } from '../events/cloud-events';
import { toV2, toV3 } from '../model/convert-v2-v3';
import type { FilterParse } from '../query/filter-ast';
import { parseODataFilter } from '../query/odata-filter';
import { parseV3QueryParams, type QueryParams } from '../query/v3-query-params';
import type { FootprintRequestService } from '../service/request-service';
import type { StoredFootprint } from '../store/footprint-store';
import { createSqlFootprintStore } from '../store/sql-footprint-store';
import { principalLabel, type PactPrincipal } from './pact-auth';
import { pactError, pactErrorForFailure, type PactApiVersion, type PactErrorCode, type PactErrorResponse } from './pact-errors';
import { parseLimit, type Paginator } from './pagination';

export interface PactHandlerDeps {
  readonly db: Database;
  readonly logger: Logger;
  readonly paginator: Paginator;
  readonly requests: FootprintRequestService;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly events?: EventValidator;
}

export interface PactHandlers {
  list(req: Request, res: Response): Promise<void>;
  get(req: Request, res: Response): Promise<void>;
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

/** The footprint in the shape of `version`, or undefined when it cannot be expressed there. */
function shape(version: PactApiVersion, s: StoredFootprint): unknown {
  const r = version === '2' ? toV2(s.footprint, { version: s.version, updated: s.updated }) : toV3(s.footprint);
  return r.ok ? r.value : undefined;
}

function parseFilter(version: PactApiVersion, query: Request['query']): FilterParse {
  if (version === '3') return parseV3QueryParams(query as QueryParams);
  const raw = query.$filter;
  if (raw === undefined) return { ok: true, value: { kind: 'true' } };
  if (typeof raw !== 'string') return { ok: false, reason: 'bad-request', message: '$filter may be given once', details: [] };
  return parseODataFilter(raw);
}

export function createPactHandlers(deps: PactHandlerDeps): PactHandlers {
  const store = createSqlFootprintStore();
  const events = deps.events ?? createEventValidator();
  const log = deps.logger.child({ component: 'pact.host' });

  return {
    async list(req, res) {
      const version = res.locals.pactVersion as PactApiVersion;
      const { tenantId } = pactContext(res);
      const limit = parseLimit(req.query.limit, deps.defaultPageSize, deps.maxPageSize);
      if (limit === undefined) return sendPactCode(res, version, 'BadRequest', 'limit must be a positive integer');
      const filter = parseFilter(version, req.query);
      if (!filter.ok) {
        const unsupported = filter.details.some((d) => d.problem === 'unsupported');
        return sendPactCode(res, version, unsupported ? 'NotImplemented' : 'BadRequest', filter.message);
      }
      const cursor = await deps.paginator.read(tenantId, version, req.query);
      if (!cursor.ok) return sendPactCode(res, version, 'BadRequest', cursor.message);
      const page = await deps.db.withTenant(tenantId, (tx) => store.list(tx, {
        filter: filter.value, limit, ...(cursor.storeCursor === undefined ? {} : { cursor: cursor.storeCursor }),
      }));
      if (!page.ok) return sendPact(res, pactErrorForFailure(version, page));
      const data = page.value.items.map((s) => shape(version, s)).filter((d) => d !== undefined);
      if (page.value.nextCursor !== null) {
        const link = await deps.paginator.nextLink(tenantId, version, req.query, limit, page.value.nextCursor);
        res.setHeader('Link', `<${link}>; rel="next"`);
      }
      res.status(200).json({ data });
    },

    async get(req, res) {
      const version = res.locals.pactVersion as PactApiVersion;
      const { tenantId } = pactContext(res);
      const found = await deps.db.withTenant(tenantId, (tx) => store.get(tx, String(req.params.id)));
      if (!found.ok) return sendPact(res, pactErrorForFailure(version, found));
      const doc = shape(version, found.value);
      if (doc === undefined) return sendPactCode(res, version, 'NotFound', `footprint ${String(req.params.id)} cannot be expressed in PACT v${version}`);
      res.status(200).json({ data: doc });
    },

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
