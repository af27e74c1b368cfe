// Management API for PACT publishing (mounted at /management/v3 after the authorizer): footprints, requests, clients, partners.
import express, { Router } from 'express';
import type { Failure } from '../../connector/common/result';
import type { TenantKeyProvider } from '../../connector/credentials/key-provider';
import type { SecretBox } from '../../connector/credentials/local/local-key-store';
import { sendFailure } from '../../connector/management/management-errors';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { callerOf, requireRole, WRITERS } from '../../connector/tenancy/caller';
import { toV2, toV3 } from '../model/convert-v2-v3';
import type { PactFootprint } from '../model/pact-types';
import { pactVersionOf } from '../model/validate';
import { parseV3QueryParams, type QueryParams } from '../query/v3-query-params';
import { parseInputFormat } from '../service/footprint-input';
import { createFootprintService, type FootprintRecord, type FootprintService } from '../service/footprint-service';
import { UnparsableItem } from '../service/import-footprints';
import { actorOf, badRequest, wrap } from './management-helpers';
import { registerPactAdminRoutes } from './management-pact-routes';
import { createPactShared, type PactShared } from './pact-router';

export interface FootprintManagementDeps {
  readonly db: Database;
  readonly keys: TenantKeyProvider;
  /** Where partner client secrets are stored (encrypted per tenant). */
  readonly secrets: SecretBox;
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Shared with the PACT router (token cache eviction on client revocation); built when absent. */
  readonly shared?: PactShared;
  readonly footprints?: FootprintService;
  /** Called after a commit that queued events for `tenantId` (wakes the delivery worker). */
  readonly onEnqueued?: (tenantId: string) => void;
  /** Allow `http:` partner URLs (development and tests only; default false). */
  readonly allowHttpPartners?: boolean;
  /** Largest JSON-lines import body (default `50mb`). */
  readonly importBodyLimit?: string;
}

export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines'];

/** Items of a JSON-lines body; lines that are not JSON become `UnparsableItem`s (reported, not stored). */
export function* jsonLines(text: string): Generator<unknown> {
  let n = 0;
  for (const raw of text.split(/\r?\n/)) {
    n++;
    const line = raw.trim();
    if (line === '') continue;
    try {
      yield JSON.parse(line) as unknown;
    } catch (error) {
      yield new UnparsableItem(`line ${n}: not JSON (${(error as Error).message})`);
    }
  }
}

function shaped(record: FootprintRecord, as: unknown): FootprintRecord | Failure {
  if (as === undefined) return record;
  if (as !== '2' && as !== '3') return { ok: false, reason: 'bad-request', message: 'as must be 2 or 3' };
  const fp = { version: pactVersionOf(record.specVersion) ?? '3', doc: record.footprint } as unknown as PactFootprint;
  const r = as === '2' ? toV2(fp, { version: record.version, updated: record.updated }) : toV3(fp);
  return r.ok ? { ...record, footprint: r.value as unknown as Record<string, unknown> } : r;
}

export function createFootprintManagementRouter(deps: FootprintManagementDeps): Router {
  const shared = deps.shared ?? createPactShared(deps);
  const footprints = deps.footprints ?? createFootprintService({ db: deps.db, now: deps.now, publicUrl: deps.publicUrl, onEnqueued: deps.onEnqueued });
  const router = Router({ mergeParams: true });
  const jsonLinesBody = express.text({ type: JSON_LINES_TYPES, limit: deps.importBodyLimit ?? '50mb' });

  router.post('/footprints', requireRole(...WRITERS), jsonLinesBody, wrap(async (req, res) => {
    const { tenantId } = callerOf(res);
    const format = parseInputFormat(req.query.format);
    if (!format.ok) return sendFailure(res, format);
    if (req.is(JSON_LINES_TYPES) !== false && typeof req.body === 'string') {
      res.status(200).json(await footprints.createMany(tenantId, actorOf(res), jsonLines(req.body), format.value));
      return;
    }
    if (Array.isArray(req.body)) {
      res.status(200).json(await footprints.createMany(tenantId, actorOf(res), req.body, format.value));
      return;
    }
    if (typeof req.body !== 'object' || req.body === null) return badRequest(res, 'the body must be a footprint, an array of footprints or JSON lines');
    const created = await footprints.create(tenantId, actorOf(res), req.body, format.value);
    if (!created.ok) return sendFailure(res, created);
    res.status(201).location(`${req.baseUrl}/footprints/${created.value.id}`).json(created.value);
  }));

  router.get('/footprints', wrap(async (req, res) => {
    const { tenantId } = callerOf(res);
    const limitRaw = req.query.limit ?? '50';
    if (typeof limitRaw !== 'string' || !/^[1-9]\d{0,3}$/.test(limitRaw)) return badRequest(res, 'limit must be an integer between 1 and 9999', 'limit', limitRaw);
    const filter = parseV3QueryParams(req.query as QueryParams);
    if (!filter.ok) return sendFailure(res, filter);
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const page = await footprints.list(tenantId, filter.value, Number(limitRaw), cursor);
    if (!page.ok) return sendFailure(res, page);
    if (page.value.nextCursor !== null) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query)) if (k !== 'cursor') for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
      params.set('cursor', page.value.nextCursor);
      res.setHeader('Link', `<${req.baseUrl}/footprints?${params.toString()}>; rel="next"`);
    }
    res.json(page.value.items);
  }));

  router.get('/footprints/:id', wrap(async (req, res) => {
    const found = await footprints.get(callerOf(res).tenantId, String(req.params.id));
    if (!found.ok) return sendFailure(res, found);
    const out = shaped(found.value, req.query.as);
    if ('ok' in out) return sendFailure(res, out);
    res.json(out);
  }));

  router.put('/footprints/:id', requireRole(...WRITERS), wrap(async (req, res) => {
    const format = parseInputFormat(req.query.format);
    if (!format.ok) return sendFailure(res, format);
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) return badRequest(res, 'the body must be one footprint');
    const r = await footprints.replace(callerOf(res).tenantId, actorOf(res), String(req.params.id), req.body, format.value);
    if (!r.ok) return sendFailure(res, r);
    res.json(r.value);
  }));

  router.delete('/footprints/:id', requireRole(...WRITERS), wrap(async (req, res) => {
    const r = await footprints.deprecate(callerOf(res).tenantId, actorOf(res), String(req.params.id));
    if (!r.ok) return sendFailure(res, r);
    res.json(r.value);
  }));

  registerPactAdminRoutes(router, { ...deps, shared });
  return router;
}
