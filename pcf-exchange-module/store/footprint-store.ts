// The tenant's footprint store: role interface used by the PACT host (implementations per technology).
import type { Result } from '../../connector/common/result';
import type { TenantTx } from '../../connector/store/database';
import type { PactFootprint, PfStatus } from '../model/pact-types';
import type { FootprintFilter } from '../query/filter-ast';

/** A stored footprint with the row metadata v3 documents lack when served as v2. */
export interface StoredFootprint {
  readonly footprint: PactFootprint;
  /** v2 `version`: the document's own for v2 documents; for v3 documents bumped by status changes. */
  readonly version: number;
  /** Last change (v2 `updated`), null if never changed. */
  readonly updated: string | null;
}

export interface FootprintPage {
  readonly items: readonly StoredFootprint[];
  /** Opaque keyset cursor for the next page; null when this page is the last. */
  readonly nextCursor: string | null;
}

export interface ListFootprintsQuery {
  readonly filter: FootprintFilter;
  /** Positive integer; a page never holds more (the store may cap it further). */
  readonly limit: number;
  /** `nextCursor` of the previous page, absent for the first page. */
  readonly cursor?: string;
}

/** Write metadata for a v3 document (v2 documents carry their own `version`/`updated`). */
export interface RowMeta {
  readonly version?: number;
  readonly updated?: string | null;
}

/** Persistent footprints of the transaction's tenant, in stable (created, id) order. */
export interface FootprintStore {
  /** Inserts a validated footprint; `conflict` if its id already exists for the tenant. */
  insert(tx: TenantTx, footprint: PactFootprint, meta?: RowMeta): Promise<Result<StoredFootprint>>;
  /** Inserts all footprints or none (`conflict` names the ids that already exist or repeat); returns the count. */
  insertMany(tx: TenantTx, footprints: readonly PactFootprint[]): Promise<Result<number>>;
  /** The footprint with this id; `not-found` when absent (or not this tenant's, or not a UUID). */
  get(tx: TenantTx, id: string): Promise<Result<StoredFootprint>>;
  /** Replaces document and index columns of an existing footprint (same id); `not-found` when absent. */
  replace(tx: TenantTx, footprint: PactFootprint, meta?: RowMeta): Promise<Result<StoredFootprint>>;
  /** Sets `status` (bumping version and updated when it changes); `not-found` when absent. */
  setStatus(tx: TenantTx, id: string, status: PfStatus): Promise<Result<StoredFootprint>>;
  /** One page of matching footprints; `bad-request` for an invalid limit or cursor. */
  list(tx: TenantTx, query: ListFootprintsQuery): Promise<Result<FootprintPage>>;
  /** Number of matching footprints. */
  count(tx: TenantTx, filter: FootprintFilter): Promise<number>;
}
