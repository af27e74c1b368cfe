// FootprintStore on SQL (PostgreSQL and PGlite through TenantTx): index columns + jsonb document, keyset paging.
import { fail, ok, type Result } from '../../connector/common/result';
import type { TenantTx } from '../../connector/store/database';
import { indexFields } from '../model/index-fields';
import type { PactFootprint, ProductFootprintV2, ProductFootprintV3 } from '../model/pact-types';
import { toSqlWhere } from '../query/sql';
import { decodeCursor, encodeCursor } from './cursor';
import type { FootprintStore, RowMeta, StoredFootprint } from './footprint-store';

export interface SqlFootprintStoreOptions {
  /** Clock for `updated` on status changes. */
  readonly now?: () => Date;
  /** Upper bound of a page regardless of the requested limit (default 1000). */
  readonly maxPageSize?: number;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const COLUMNS = [
  'tenant_id', 'id', 'spec_version', 'pact_version', 'version', 'status', 'created', 'updated', 'product_ids',
  'company_ids', 'classifications', 'product_category_cpc', 'geography_region', 'geography_country',
  'geography_subdivision', 'geographies', 'reference_period_start', 'reference_period_end', 'validity_start',
  'validity_end', 'document',
] as const;
const CASTS: Readonly<Record<string, string>> = {
  id: 'uuid', version: 'integer', created: 'timestamptz', updated: 'timestamptz', product_ids: 'text[]',
  company_ids: 'text[]', classifications: 'text[]', geographies: 'text[]', reference_period_start: 'timestamptz',
  reference_period_end: 'timestamptz', validity_start: 'timestamptz', validity_end: 'timestamptz', document: 'jsonb',
};
const SELECT_LIST = 'pact_version, version, updated, document';
const BATCH_ROWS = 500;

interface FootprintRow {
  pact_version: string;
  version: number;
  updated: Date | string | null;
  document: unknown;
}

function iso(v: Date | string | null): string | null {
  if (v === null) return null;
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

function fromRow(row: FootprintRow): StoredFootprint {
  const doc = (typeof row.document === 'string' ? JSON.parse(row.document) : row.document) as Record<string, unknown>;
  const footprint: PactFootprint = row.pact_version === '2'
    ? { version: '2', doc: doc as ProductFootprintV2 }
    : { version: '3', doc: doc as ProductFootprintV3 };
  return { footprint, version: Number(row.version), updated: iso(row.updated) };
}

/** Row metadata of a footprint: v2 documents carry their own, v3 documents take `meta`. */
function metaOf(fp: PactFootprint, meta: RowMeta = {}): { version: number; updated: string | null } {
  if (fp.version === '2') return { version: fp.doc.version, updated: fp.doc.updated ?? null };
  return { version: meta.version ?? 0, updated: meta.updated ?? null };
}

function rowValues(tenantId: string, fp: PactFootprint, meta: RowMeta = {}): unknown[] {
  const ix = indexFields(fp);
  const m = metaOf(fp, meta);
  return [
    tenantId, ix.id, ix.specVersion, ix.pactVersion, m.version, ix.status, ix.created, m.updated, ix.productIds,
    ix.companyIds, ix.classifications, ix.productCategoryCpc, ix.geographyRegionOrSubregion, ix.geographyCountry,
    ix.geographyCountrySubdivision, ix.geographies, ix.referencePeriodStart, ix.referencePeriodEnd, ix.validityStart,
    ix.validityEnd, JSON.stringify(fp.doc),
  ];
}

function placeholders(rowIndex: number): string {
  const base = rowIndex * COLUMNS.length;
  return `(${COLUMNS.map((c, i) => `$${base + i + 1}${CASTS[c] ? `::${CASTS[c]}` : ''}`).join(', ')})`;
}

export function createSqlFootprintStore(options: SqlFootprintStoreOptions = {}): FootprintStore {
  const now = options.now ?? (() => new Date());
  const maxPageSize = options.maxPageSize ?? 1000;

  async function get(tx: TenantTx, id: string): Promise<Result<StoredFootprint>> {
    if (!UUID.test(id)) return fail('not-found', `footprint ${id} not found`);
    const rows = await tx.query<FootprintRow>(
      `SELECT ${SELECT_LIST} FROM footprints WHERE tenant_id = $1 AND id = $2::uuid`,
      [tx.tenantId, id.toLowerCase()],
    );
    return rows.length === 0 ? fail('not-found', `footprint ${id} not found`) : ok(fromRow(rows[0]));
  }

  async function replace(tx: TenantTx, fp: PactFootprint, meta?: RowMeta): Promise<Result<StoredFootprint>> {
    const values = rowValues(tx.tenantId, fp, meta);
    const sets = COLUMNS.slice(2).map((c, i) => `${c} = $${i + 3}${CASTS[c] ? `::${CASTS[c]}` : ''}`).join(', ');
    const rows = await tx.query<FootprintRow>(
      `UPDATE footprints SET ${sets} WHERE tenant_id = $1 AND id = $2::uuid RETURNING ${SELECT_LIST}`,
      values,
    );
    return rows.length === 0 ? fail('not-found', `footprint ${fp.doc.id} not found`) : ok(fromRow(rows[0]));
  }

  return {
    async insert(tx, fp, meta) {
      const rows = await tx.query<FootprintRow>(
        `INSERT INTO footprints (${COLUMNS.join(', ')}) VALUES ${placeholders(0)} ON CONFLICT (tenant_id, id) DO NOTHING RETURNING ${SELECT_LIST}`,
        rowValues(tx.tenantId, fp, meta),
      );
      return rows.length === 0 ? fail('conflict', `footprint ${fp.doc.id} already exists`) : ok(fromRow(rows[0]));
    },

    async insertMany(tx, fps) {
      if (fps.length === 0) return ok(0);
      const ids = fps.map((f) => f.doc.id.toLowerCase());
      const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
      if (repeated.length > 0) return fail('conflict', `footprint ids repeat in the batch: ${[...new Set(repeated)].join(', ')}`);
      const existing = await tx.query<{ id: string }>(
        'SELECT id::text AS id FROM footprints WHERE tenant_id = $1 AND id = ANY($2::uuid[])',
        [tx.tenantId, ids],
      );
      if (existing.length > 0) return fail('conflict', `footprints already exist: ${existing.map((r) => r.id).join(', ')}`);
      let inserted = 0;
      for (let start = 0; start < fps.length; start += BATCH_ROWS) {
        const chunk = fps.slice(start, start + BATCH_ROWS);
        const rows = await tx.query<{ id: string }>(
          `INSERT INTO footprints (${COLUMNS.join(', ')}) VALUES ${chunk.map((_, i) => placeholders(i)).join(', ')} ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`,
          chunk.flatMap((fp) => rowValues(tx.tenantId, fp)),
        );
        inserted += rows.length;
        if (rows.length !== chunk.length) throw new Error('concurrent insert of the same footprint ids; transaction must roll back');
      }
      return ok(inserted);
    },

    get,
    replace,

    async setStatus(tx, id, status) {
      if (!UUID.test(id)) return fail('not-found', `footprint ${id} not found`);
      const rows = await tx.query<FootprintRow>(
        `SELECT ${SELECT_LIST} FROM footprints WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE`,
        [tx.tenantId, id.toLowerCase()],
      );
      if (rows.length === 0) return fail('not-found', `footprint ${id} not found`);
      const current = fromRow(rows[0]);
      if (current.footprint.doc.status === status) return ok(current);
      const version = current.version + 1;
      const updated = now().toISOString();
      const fp: PactFootprint = current.footprint.version === '2'
        ? { version: '2', doc: { ...current.footprint.doc, status, version, updated } }
        : { version: '3', doc: { ...current.footprint.doc, status } };
      return replace(tx, fp, { version, updated });
    },

    async list(tx, query) {
      if (!Number.isInteger(query.limit) || query.limit < 1) return fail('bad-request', 'limit must be a positive integer');
      const limit = Math.min(query.limit, maxPageSize);
      const where = toSqlWhere(query.filter, 2);
      const params: unknown[] = [tx.tenantId, ...where.params];
      let keyset = '';
      if (query.cursor !== undefined) {
        const c = decodeCursor(query.cursor);
        if (c === undefined) return fail('bad-request', 'invalid pagination cursor');
        params.push(c.created, c.id);
        keyset = ` AND (created, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
      }
      params.push(limit + 1);
      const rows = await tx.query<FootprintRow & { created: Date | string; id: string }>(
        // ORDER BY names the table's columns: a bare `id` would mean the text alias of the select list, which no index
        // provides in order (every matching row was read and sorted) and whose order is not the keyset's uuid order.
        `SELECT ${SELECT_LIST}, created, id::text AS id FROM footprints WHERE tenant_id = $1 AND ${where.sql}${keyset} ORDER BY footprints.created, footprints.id LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > limit && last !== undefined ? encodeCursor({ created: iso(last.created) ?? '', id: last.id }) : null;
      return ok({ items: page.map(fromRow), nextCursor });
    },

    async count(tx, filter) {
      const where = toSqlWhere(filter, 2);
      const rows = await tx.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM footprints WHERE tenant_id = $1 AND ${where.sql}`,
        [tx.tenantId, ...where.params],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
