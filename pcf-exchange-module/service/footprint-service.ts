// Publishing footprints (supplier side): create, replace (v2 update / v3 revision), deprecate, read; audited, notifies subscribers.
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../../connector/audit/audit-log';
import { fail, ok, type Failure, type Result } from '../../connector/common/result';
import type { Database, TenantTx } from '../../connector/store/database';
import type { FootprintFilter } from '../query/filter-ast';
import { createFootprintValidator, type FootprintValidator } from '../model/validate';
import { createFootprintLifecycle } from '../store/footprint-lifecycle';
import type { StoredFootprint } from '../store/footprint-store';
import { createSqlFootprintStore } from '../store/sql-footprint-store';
import { decodeFootprint, type InputFormat } from './footprint-input';
import { importFootprints, type ImportReport } from './import-footprints';
import { createPublishNotifier } from './publish-notifier';

/** Who changes what, for the audit trail. */
export interface ActorContext {
  readonly actor: string;
  readonly requestId?: string;
}

/** A stored footprint as the management API shows it. */
export interface FootprintRecord {
  readonly id: string;
  readonly specVersion: string;
  readonly status: string;
  /** v2 `version` (row version for v3 documents). */
  readonly version: number;
  readonly updated: string | null;
  readonly created: string;
  /** The document as published (PACT v2.x or v3.0). */
  readonly footprint: Readonly<Record<string, unknown>>;
}

export interface Replacement {
  readonly current: FootprintRecord;
  /** Set when the change minted a new id (v3 rule): the previous footprint, now Deprecated. */
  readonly deprecated?: FootprintRecord;
}

export interface FootprintServiceDeps {
  readonly db: Database;
  readonly now: () => Date;
  /** Base for the `source` of Published events. */
  readonly publicUrl: string;
  readonly newId?: () => string;
  readonly validator?: FootprintValidator;
  /** Called after a commit that queued events for `tenantId`. */
  readonly onEnqueued?: (tenantId: string) => void;
  /** Called after every commit that changed `tenantId`'s footprints (read caches of this process drop them at once). */
  readonly onChanged?: (tenantId: string) => void;
}

/** The supplier's footprint operations; each runs in one tenant transaction with its audit record. */
export interface FootprintService {
  /** Validates and stores one new footprint; `conflict` if its id exists, `bad-request` with issues if invalid. */
  create(tenantId: string, who: ActorContext, doc: unknown, format: InputFormat): Promise<Result<FootprintRecord>>;
  /** Stores many footprints with per-item results (invalid ones are not stored). */
  createMany(tenantId: string, who: ActorContext, docs: AsyncIterable<unknown> | Iterable<unknown>, format: InputFormat): Promise<ImportReport>;
  /** One footprint; `not-found` when absent (or another tenant's). */
  get(tenantId: string, id: string): Promise<Result<FootprintRecord>>;
  /** A page of the tenant's footprints in (created, id) order. */
  list(tenantId: string, filter: FootprintFilter, limit: number, cursor?: string): Promise<Result<{ items: FootprintRecord[]; nextCursor: string | null }>>;
  /**
   * Changes footprint `id`: a v2 document updates it in place (version + 1, updated now); a v3 document (or a
   * Catena-X one) creates a new footprint with a new id and deprecates the old one.
   */
  replace(tenantId: string, who: ActorContext, id: string, doc: unknown, format: InputFormat): Promise<Result<Replacement>>;
  /** Sets the footprint Deprecated (PACT footprints are never deleted). */
  deprecate(tenantId: string, who: ActorContext, id: string): Promise<Result<FootprintRecord>>;
}

export function toRecord(s: StoredFootprint): FootprintRecord {
  const doc = s.footprint.doc;
  return {
    id: doc.id, specVersion: doc.specVersion, status: doc.status, version: s.version, updated: s.updated,
    created: doc.created, footprint: doc as unknown as Record<string, unknown>,
  };
}

export function createFootprintService(deps: FootprintServiceDeps): FootprintService {
  const validator = deps.validator ?? createFootprintValidator();
  const store = createSqlFootprintStore({ now: deps.now });
  const lifecycle = createFootprintLifecycle({ store, now: deps.now, newId: deps.newId ?? randomUUID, validator });
  const notifier = createPublishNotifier(deps.publicUrl);

  async function inTx<T>(tenantId: string, work: (tx: TenantTx) => Promise<{ result: Result<T>; queued: number }>): Promise<Result<T>> {
    const { result, queued } = await deps.db.withTenant(tenantId, async (tx) => {
      const r = await work(tx);
      if (!r.result.ok) throw new RollBack(r.result);
      return r;
    }).catch((error: unknown) => {
      if (error instanceof RollBack) return { result: error.failure as Result<T>, queued: 0 };
      throw error;
    });
    if (result.ok) deps.onChanged?.(tenantId);
    if (queued > 0) deps.onEnqueued?.(tenantId);
    return result;
  }

  return {
    async create(tenantId, who, doc, format) {
      const decoded = decodeFootprint(doc, format, validator);
      if (!decoded.ok) return decoded;
      return inTx(tenantId, async (tx) => {
        const inserted = await store.insert(tx, decoded.value);
        if (!inserted.ok) return { result: inserted, queued: 0 };
        await appendAudit(tx, { actor: who.actor, action: 'footprint.create', target: `footprint/${decoded.value.doc.id}`, after: decoded.value.doc, requestId: who.requestId }, deps.now());
        const queued = await notifier.published(tx, [decoded.value.doc.id], deps.now());
        return { result: ok(toRecord(inserted.value)), queued };
      });
    },

    createMany(tenantId, who, docs, format) {
      return importFootprints(deps.db, tenantId, docs, undefined, {
        actor: who.actor, requestId: who.requestId, format, now: deps.now, validator, publicUrl: deps.publicUrl, onCommitted: (t) => {
          deps.onChanged?.(t);
          deps.onEnqueued?.(t);
        },
      });
    },

    async get(tenantId, id) {
      const r = await deps.db.withTenant(tenantId, (tx) => store.get(tx, id));
      return r.ok ? ok(toRecord(r.value)) : r;
    },

    async list(tenantId, filter, limit, cursor) {
      const r = await deps.db.withTenant(tenantId, (tx) => store.list(tx, { filter, limit, ...(cursor === undefined ? {} : { cursor }) }));
      return r.ok ? ok({ items: r.value.items.map(toRecord), nextCursor: r.value.nextCursor }) : r;
    },

    async replace(tenantId, who, id, doc, format) {
      const decoded = decodeFootprint(doc, format, validator);
      if (!decoded.ok) return decoded;
      const next = decoded.value;
      return inTx(tenantId, async (tx) => {
        const before = await store.get(tx, id);
        if (!before.ok) return { result: before, queued: 0 };
        if (next.version === '2') {
          if (next.doc.id.toLowerCase() !== id.toLowerCase()) return { result: fail('bad-request', 'a v2 update keeps the id: the document id must equal the path id', [{ pointer: '/id', rule: 'same-id', reason: 'must equal the path id' }]), queued: 0 };
          const updated = await lifecycle.updateV2(tx, id, next.doc);
          if (!updated.ok) return { result: updated, queued: 0 };
          await appendAudit(tx, { actor: who.actor, action: 'footprint.update', target: `footprint/${id}`, before: before.value.footprint.doc, after: updated.value.footprint.doc, requestId: who.requestId }, deps.now());
          const queued = await notifier.published(tx, [updated.value.footprint.doc.id], deps.now());
          return { result: ok({ current: toRecord(updated.value) }), queued };
        }
        const revised = await lifecycle.reviseV3(tx, id, next.doc);
        if (!revised.ok) return { result: revised, queued: 0 };
        const newId = revised.value.current.footprint.doc.id;
        await appendAudit(tx, { actor: who.actor, action: 'footprint.revise', target: `footprint/${id}`, before: before.value.footprint.doc, after: { deprecated: id, current: revised.value.current.footprint.doc }, requestId: who.requestId }, deps.now());
        const queued = await notifier.published(tx, [newId, revised.value.deprecated.footprint.doc.id], deps.now());
        return { result: ok({ current: toRecord(revised.value.current), deprecated: toRecord(revised.value.deprecated) }), queued };
      });
    },

    async deprecate(tenantId, who, id) {
      return inTx(tenantId, async (tx) => {
        const before = await store.get(tx, id);
        if (!before.ok) return { result: before, queued: 0 };
        const r = await lifecycle.deprecate(tx, id);
        if (!r.ok) return { result: r, queued: 0 };
        if (before.value.footprint.doc.status === 'Deprecated') return { result: ok(toRecord(r.value)), queued: 0 };
        await appendAudit(tx, { actor: who.actor, action: 'footprint.deprecate', target: `footprint/${id}`, before: before.value.footprint.doc, after: r.value.footprint.doc, requestId: who.requestId }, deps.now());
        const queued = await notifier.published(tx, [r.value.footprint.doc.id], deps.now());
        return { result: ok(toRecord(r.value)), queued };
      });
    },
  };
}

/** Carries an expected failure out of a transaction so that nothing of it commits. */
class RollBack extends Error {
  constructor(readonly failure: Failure) {
    super('rolled back');
  }
}
