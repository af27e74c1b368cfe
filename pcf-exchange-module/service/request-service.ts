// Footprint requests received over PACT events (supplier side): store, list, fulfil or reject, auto-fulfil setting.
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../connector/audit/audit-log';
import { fail, ok, type Result } from '../../connector/common/result';
import type { Database, TenantTx } from '../../connector/store/database';
import type { PactApiVersion } from '../api/pact-errors';
import { pactError, type PactErrorCode } from '../api/pact-errors';
import { createPartnerStore } from '../clients/partner-store';
import { pactIssuer } from '../clients/pact-tokens';
import { buildEvent, type PactCloudEvent, type PactEventKind } from '../events/cloud-events';
import { createOutboxStore } from '../events/outbox-store';
import { toV2, toV3 } from '../model/convert-v2-v3';
import { allOf, type FootprintFilter } from '../query/filter-ast';
import { createSqlFootprintStore } from '../store/sql-footprint-store';
import type { ActorContext } from './footprint-service';
import { requestFilter } from './request-criteria';
import * as repo from './request-repository';

export type { FootprintRequest, RequestStatus } from './request-repository';
type FootprintRequest = repo.FootprintRequest;

export interface PactSettings {
  readonly autoFulfil: boolean;
}

export interface RequestServiceDeps {
  readonly db: Database;
  readonly now: () => Date;
  readonly publicUrl: string;
  /** Most footprints one automatic fulfilment sends (default 100). */
  readonly maxMatches?: number;
  /** Called after a commit that queued events for `tenantId`. */
  readonly onEnqueued?: (tenantId: string) => void;
}

/** The supplier's handling of footprint requests; answers go to the requester through the outbox. */
export interface FootprintRequestService {
  /**
   * Stores a validated RequestCreated event from `requestedBy`. `bad-request` when the criteria are unusable or the
   * event `source` is no registered partner (there would be nobody to answer). A repeated event (same source and
   * id) is accepted without a second request. With auto-fulfil on, the request is answered at once.
   */
  receive(tenantId: string, version: PactApiVersion, event: PactCloudEvent, requestedBy: string): Promise<Result<{ request: FootprintRequest; duplicate: boolean }>>;
  /** Stores a received Published, Fulfilled or Rejected event (consumer side); duplicates are ignored. */
  recordReceived(tenantId: string, kind: PactEventKind, event: PactCloudEvent, receivedBy: string): Promise<void>;
  /** Requests, newest first, optionally of one status. */
  list(tenantId: string, status?: repo.RequestStatus): Promise<FootprintRequest[]>;
  get(tenantId: string, id: string): Promise<Result<FootprintRequest>>;
  /**
   * Answers a pending request with a Fulfilled event carrying the given footprints (or, without ids, the Active
   * footprints matching its criteria). `conflict` if already answered, `bad-request` if nothing can be sent.
   */
  fulfil(tenantId: string, who: ActorContext, id: string, footprintIds?: readonly string[]): Promise<Result<FootprintRequest>>;
  /** Answers a pending request with a Rejected event (`code` defaults to NotFound/NoSuchFootprint). */
  reject(tenantId: string, who: ActorContext, id: string, error?: { code?: string; message?: string }): Promise<Result<FootprintRequest>>;
  settings(tenantId: string): Promise<PactSettings>;
  updateSettings(tenantId: string, who: ActorContext, settings: PactSettings): Promise<PactSettings>;
}

const REJECT_CODES: readonly PactErrorCode[] = ['AccessDenied', 'BadRequest', 'NoSuchFootprint', 'NotFound', 'NotImplemented', 'InternalError'];

export function createFootprintRequestService(deps: RequestServiceDeps): FootprintRequestService {
  const store = createSqlFootprintStore({ now: deps.now });
  const partners = createPartnerStore();
  const outbox = createOutboxStore();
  const maxMatches = deps.maxMatches ?? 100;

  async function answer(tx: TenantTx, req: FootprintRequest, kind: 'request-fulfilled' | 'request-rejected', data: Record<string, unknown>): Promise<void> {
    const event = buildEvent(req.apiVersion, kind, pactIssuer(deps.publicUrl, tx.tenantId), deps.now(), { requestEventId: req.eventId, ...data });
    await outbox.enqueue(tx, req.partnerId, req.apiVersion, event, deps.now());
  }

  async function doReject(tx: TenantTx, who: ActorContext, req: FootprintRequest, code: PactErrorCode, message: string | undefined): Promise<FootprintRequest> {
    const error = pactError(req.apiVersion, code, message).body;
    await answer(tx, req, 'request-rejected', { error });
    const updated = await repo.decide(tx, req.id, { status: 'Rejected', decidedBy: who.actor, at: deps.now(), error });
    await appendAudit(tx, { actor: who.actor, action: 'footprint-request.reject', target: `footprint-request/${req.id}`, after: error, requestId: who.requestId }, deps.now());
    return updated;
  }

  /** The request's answer documents in its API version (footprints that cannot be expressed there are skipped). */
  async function documents(tx: TenantTx, req: FootprintRequest, footprintIds: readonly string[] | undefined): Promise<Result<{ ids: string[]; pfs: unknown[] }>> {
    const stored = [];
    if (footprintIds === undefined) {
      const page = await store.list(tx, { filter: allOf([req.filter as FootprintFilter, { kind: 'text', field: 'status', op: 'eq', value: 'Active' }]), limit: maxMatches });
      if (!page.ok) return page;
      stored.push(...page.value.items);
    } else {
      const missing: string[] = [];
      for (const id of new Set(footprintIds)) {
        const r = await store.get(tx, id);
        if (r.ok) stored.push(r.value);
        else missing.push(id);
      }
      if (missing.length > 0) return fail('bad-request', `unknown footprints: ${missing.join(', ')}`, missing.map((id) => ({ pointer: '/footprintIds', reason: `unknown footprint ${id}`, invalidValue: id })));
    }
    const ids: string[] = [];
    const pfs: unknown[] = [];
    for (const s of stored) {
      const doc = req.apiVersion === '2' ? toV2(s.footprint, { version: s.version, updated: s.updated }) : toV3(s.footprint);
      if (doc.ok) {
        ids.push(s.footprint.doc.id);
        pfs.push(doc.value);
      }
    }
    return ok({ ids, pfs });
  }

  async function doFulfil(tx: TenantTx, who: ActorContext, req: FootprintRequest, footprintIds: readonly string[] | undefined): Promise<Result<FootprintRequest>> {
    const docs = await documents(tx, req, footprintIds);
    if (!docs.ok) return docs;
    if (docs.value.pfs.length === 0) {
      return fail('bad-request', footprintIds === undefined ? 'no Active footprint matches the request: reject it instead' : `none of the footprints can be expressed in PACT v${req.apiVersion}`);
    }
    await answer(tx, req, 'request-fulfilled', { pfs: docs.value.pfs });
    const updated = await repo.decide(tx, req.id, { status: 'Fulfilled', decidedBy: who.actor, at: deps.now(), pfIds: docs.value.ids });
    await appendAudit(tx, { actor: who.actor, action: 'footprint-request.fulfil', target: `footprint-request/${req.id}`, after: docs.value.ids, requestId: who.requestId }, deps.now());
    return ok(updated);
  }

  async function pending(tx: TenantTx, id: string): Promise<Result<FootprintRequest>> {
    const req = await repo.get(tx, id, true);
    if (req === undefined) return fail('not-found', `footprint request ${id} not found`);
    if (req.status !== 'Pending') return fail('conflict', `footprint request ${id} is already ${req.status}`);
    return ok(req);
  }

  async function readSettings(tx: TenantTx): Promise<PactSettings> {
    const rows = await tx.query<{ auto_fulfil: boolean }>('SELECT auto_fulfil FROM pact_settings WHERE tenant_id = $1', [tx.tenantId]);
    return { autoFulfil: rows[0]?.auto_fulfil === true };
  }

  /** Runs `work`; on an expected failure nothing commits. */
  async function inTx<T>(tenantId: string, work: (tx: TenantTx) => Promise<Result<T>>): Promise<Result<T>> {
    const failure = Symbol('failure');
    let result: Result<T> | undefined;
    try {
      return await deps.db.withTenant(tenantId, async (tx) => {
        result = await work(tx);
        if (!result.ok) throw failure;
        return result;
      });
    } catch (error) {
      if (error === failure && result !== undefined) return result;
      throw error;
    }
  }

  return {
    async receive(tenantId, version, event, requestedBy) {
      const filter = requestFilter(version, event.data);
      if (!filter.ok) return filter;
      const result = await inTx(tenantId, async (tx) => {
        const partner = await partners.findBySource(tx, event.source);
        if (partner === undefined) return fail('bad-request', 'the event source is not a registered partner of this host: the request cannot be answered', [{ pointer: '/source', reason: 'unknown partner' }]);
        const comment = typeof event.data.comment === 'string' ? event.data.comment : null;
        const inserted = await repo.insert(tx, {
          id: randomUUID(), eventId: event.id, source: event.source, apiVersion: version, partnerId: partner.id, requestedBy,
          criteria: event.data, filter: filter.value, comment, receivedAt: deps.now(),
        });
        if (inserted === undefined) {
          const existing = await repo.findByEvent(tx, event.source, event.id);
          if (existing === undefined) throw new Error('duplicate request vanished');
          return ok({ request: existing, duplicate: true, queued: false });
        }
        await appendAudit(tx, { actor: `partner:${requestedBy}`, action: 'footprint-request.receive', target: `footprint-request/${inserted.id}`, after: event, requestId: event.id }, deps.now());
        if (!(await readSettings(tx)).autoFulfil) return ok({ request: inserted, duplicate: false, queued: false });
        const system = { actor: 'system:auto-fulfil' };
        const fulfilled = await doFulfil(tx, system, inserted, undefined);
        const request = fulfilled.ok ? fulfilled.value : await doReject(tx, system, inserted, 'NotFound', 'No footprint matches the request');
        return ok({ request, duplicate: false, queued: true });
      });
      if (!result.ok) return result;
      if (result.value.queued) deps.onEnqueued?.(tenantId);
      return ok({ request: result.value.request, duplicate: result.value.duplicate });
    },

    async recordReceived(tenantId, kind, event, receivedBy) {
      await deps.db.withTenant(tenantId, (tx) => tx.query(
        `INSERT INTO pact_received_events (tenant_id, id, event_id, source, event_type, received_by, payload, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (tenant_id, source, event_id) DO NOTHING`,
        [tenantId, randomUUID(), event.id, event.source, kind, receivedBy, JSON.stringify(event), deps.now().toISOString()],
      ));
    },

    list(tenantId, status) {
      return deps.db.withTenant(tenantId, (tx) => repo.list(tx, status));
    },

    async get(tenantId, id) {
      const r = await deps.db.withTenant(tenantId, (tx) => repo.get(tx, id, false));
      return r === undefined ? fail('not-found', `footprint request ${id} not found`) : ok(r);
    },

    async fulfil(tenantId, who, id, footprintIds) {
      const r = await inTx(tenantId, async (tx) => {
        const req = await pending(tx, id);
        return req.ok ? doFulfil(tx, who, req.value, footprintIds) : req;
      });
      if (r.ok) deps.onEnqueued?.(tenantId);
      return r;
    },

    async reject(tenantId, who, id, error) {
      const code = (error?.code ?? 'NotFound') as PactErrorCode;
      if (!REJECT_CODES.includes(code)) return fail('bad-request', `code must be one of ${REJECT_CODES.join(', ')}`, [{ pointer: '/code', reason: 'unknown code', invalidValue: error?.code }]);
      const r = await inTx(tenantId, async (tx) => {
        const req = await pending(tx, id);
        return req.ok ? ok(await doReject(tx, who, req.value, code, error?.message)) : req;
      });
      if (r.ok) deps.onEnqueued?.(tenantId);
      return r;
    },

    settings(tenantId) {
      return deps.db.withTenant(tenantId, readSettings);
    },

    updateSettings(tenantId, who, settings) {
      return deps.db.withTenant(tenantId, async (tx) => {
        const before = await readSettings(tx);
        await tx.query(
          `INSERT INTO pact_settings (tenant_id, auto_fulfil, updated_by, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id) DO UPDATE SET auto_fulfil = EXCLUDED.auto_fulfil, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
          [tx.tenantId, settings.autoFulfil, who.actor, deps.now().toISOString()],
        );
        await appendAudit(tx, { actor: who.actor, action: 'pact.settings.update', target: 'pact/settings', before, after: settings, requestId: who.requestId }, deps.now());
        return { autoFulfil: settings.autoFulfil };
      });
    },
  };
}
