// PACT lifecycle on top of the store: v2 updates keep the id and bump version/updated; v3 changes mint a new id.
import { fail, ok, type Result } from '../../connector/common/result';
import type { TenantTx } from '../../connector/store/database';
import type { ProductFootprintV2, ProductFootprintV3 } from '../model/pact-types';
import { createFootprintValidator, type FootprintValidator } from '../model/validate';
import type { FootprintStore, StoredFootprint } from './footprint-store';

export interface FootprintLifecycleDeps {
  readonly store: FootprintStore;
  readonly now: () => Date;
  /** New footprint ids (UUID v4), e.g. `crypto.randomUUID`. */
  readonly newId: () => string;
  readonly validator?: FootprintValidator;
}

export interface V3Revision {
  /** The new, Active footprint (new id, old id appended to `precedingPfIds`). */
  readonly current: StoredFootprint;
  /** The previous footprint, now Deprecated. */
  readonly deprecated: StoredFootprint;
}

/** Lifecycle operations the PACT host calls; each runs inside the caller's tenant transaction. */
export interface FootprintLifecycle {
  /**
   * v2 update of footprint `id` to `next` (same id): `version` becomes the stored version + 1, `updated` now,
   * `created` is kept. `not-found` if absent, `conflict` if the stored document is not v2, `bad-request` if invalid.
   */
  updateV2(tx: TenantTx, id: string, next: ProductFootprintV2): Promise<Result<StoredFootprint>>;
  /**
   * v3 change of footprint `previousId`: stores `next` (its id, created and status ignored) under a new id (created now, Active, previous id in
   * `precedingPfIds`) and deprecates the previous one. `not-found` if absent, `conflict` if it is already
   * Deprecated, `bad-request` if the result is invalid.
   */
  reviseV3(tx: TenantTx, previousId: string, next: ProductFootprintV3): Promise<Result<V3Revision>>;
  /** Marks a footprint Deprecated (version bumped, updated now); `not-found` if absent. */
  deprecate(tx: TenantTx, id: string): Promise<Result<StoredFootprint>>;
}

export function createFootprintLifecycle(deps: FootprintLifecycleDeps): FootprintLifecycle {
  const validator = deps.validator ?? createFootprintValidator();
  const { store } = deps;

  return {
    async updateV2(tx, id, next) {
      const current = await store.get(tx, id);
      if (!current.ok) return current;
      if (current.value.footprint.version !== '2') return fail('conflict', `footprint ${id} is a v3 document: change it with a new id`);
      const doc: ProductFootprintV2 = {
        ...next,
        id: current.value.footprint.doc.id,
        created: current.value.footprint.doc.created,
        version: current.value.version + 1,
        updated: deps.now().toISOString(),
      };
      const valid = validator.validateFootprintAs(doc, '2');
      if (!valid.ok) return valid;
      return store.replace(tx, valid.value);
    },

    async reviseV3(tx, previousId, next) {
      const current = await store.get(tx, previousId);
      if (!current.ok) return current;
      const previous = current.value.footprint.doc;
      if (previous.status === 'Deprecated') return fail('conflict', `footprint ${previousId} is deprecated and cannot be revised`);
      const doc: ProductFootprintV3 = {
        ...next,
        id: deps.newId(),
        created: deps.now().toISOString(),
        status: 'Active',
        precedingPfIds: [...new Set([...(next.precedingPfIds ?? []), ...(previous.precedingPfIds ?? []), previous.id])],
      };
      const valid = validator.validateFootprintAs(doc, '3');
      if (!valid.ok) return valid;
      const inserted = await store.insert(tx, valid.value);
      if (!inserted.ok) return inserted;
      const deprecated = await store.setStatus(tx, previousId, 'Deprecated');
      if (!deprecated.ok) return deprecated;
      return ok({ current: inserted.value, deprecated: deprecated.value });
    },

    deprecate(tx, id) {
      return store.setStatus(tx, id, 'Deprecated');
    },
  };
}
