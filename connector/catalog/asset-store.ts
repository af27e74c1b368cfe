// Assets of a tenant (EDC Asset: properties, private properties, data address) and their SQL store.
import type { Result } from '../common/result';
import { fail, ok } from '../common/result';
import type { TenantTx } from '../store/database';
import type { QuerySpec, SqlFieldMap } from '../management/query-spec';
import { sqlParams, toSql } from '../management/query-spec';
import { resolveOperand, valueAt, valueTexts, type OperandPath } from './criteria';
import { EDC_CREATED_AT, EDC_ID, EDC_NS } from './vocabulary';

/** A JSON object whose keys are full IRIs (EDC names expanded, e.g. `https://w3id.org/edc/v0.0.1/ns/name`). */
export type PropertyMap = Readonly<Record<string, unknown>>;

/** An asset as EDC models it. `properties` are visible in catalogs; `privateProperties` only to the provider. */
export interface Asset {
  readonly id: string;
  /** Includes `https://w3id.org/edc/v0.0.1/ns/id` = `id`, as EDC exposes it. */
  readonly properties: PropertyMap;
  readonly privateProperties: PropertyMap;
  /** The backend address (`https://w3id.org/edc/v0.0.1/ns/type` = e.g. `HttpData`, `baseUrl`, `proxyPath`, …). */
  readonly dataAddress: PropertyMap;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** What a caller supplies to create or replace an asset; the store sets `createdAt`. */
export type AssetInput = Omit<Asset, 'createdAt'>;

export interface AssetStore {
  /** Inserts an asset; `conflict` when the id exists in this tenant. */
  create(tx: TenantTx, asset: AssetInput): Promise<Result<Asset>>;
  /** The asset, or `not-found` (also for another tenant's id). */
  get(tx: TenantTx, id: string): Promise<Result<Asset>>;
  /** Replaces properties, private properties and data address, keeping `createdAt`; `not-found` when absent. */
  update(tx: TenantTx, asset: AssetInput): Promise<Result<Asset>>;
  /** Deletes and returns the asset; `not-found` when absent. */
  delete(tx: TenantTx, id: string): Promise<Result<Asset>>;
  /**
   * A page of assets matching every criterion, ordered by `sortField` (then id). Operands: `id`/EDC id IRI,
   * `createdAt`, any property name or path (`'http://purl.org/dc/terms/type'.'@id'`, `dct:type`), and
   * `privateProperties.'<iri>'`. `bad-request` for malformed operands.
   */
  list(tx: TenantTx, spec: QuerySpec): Promise<Result<Asset[]>>;
}

export const ASSET_FIELDS: Readonly<Record<string, string>> = {
  id: 'id', '@id': 'id', [EDC_ID]: 'id', createdAt: 'createdAt', [EDC_CREATED_AT]: 'createdAt',
};
const ASSET_ROOTS = ['properties', 'privateProperties', `${EDC_NS}properties`, `${EDC_NS}privateProperties`];

/** Resolves an asset operand: id, createdAt, a property (default) or `privateProperties.'<key>'`. */
export function resolveAssetOperand(operand: string): Result<OperandPath> {
  const r = resolveOperand(operand, ASSET_FIELDS, ASSET_ROOTS, 'properties');
  if (!r.ok || r.value.kind !== 'json') return r;
  const root = r.value.root.startsWith(EDC_NS) ? r.value.root.slice(EDC_NS.length) : r.value.root;
  return ok({ kind: 'json', root, path: r.value.path });
}

/** The comparable texts of an asset field (in-memory counterpart of the SQL translation). */
export function assetFieldTexts(asset: Asset, operand: string): Result<string[]> {
  const r = resolveAssetOperand(operand);
  if (!r.ok) return r;
  if (r.value.kind === 'field') return ok(r.value.name === 'id' ? [asset.id] : [String(asset.createdAt)]);
  const root = r.value.root === 'privateProperties' ? asset.privateProperties : asset.properties;
  return ok(valueTexts(valueAt(root, r.value.path)));
}

const FIELD_MAP: SqlFieldMap = {
  columns: { id: { column: 'id' }, createdAt: { column: 'created_at', numeric: true } },
  jsonRoots: { properties: 'properties', privateProperties: 'private_properties' },
  resolve: resolveAssetOperand,
};

interface AssetRow {
  id: string;
  properties: unknown;
  private_properties: unknown;
  data_address: unknown;
  created_at: number | string;
}

function json(v: unknown): Record<string, unknown> {
  return (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
}

function fromRow(row: AssetRow): Asset {
  return {
    id: row.id, properties: json(row.properties), privateProperties: json(row.private_properties),
    dataAddress: json(row.data_address), createdAt: Number(row.created_at),
  };
}

const COLUMNS = 'id, properties, private_properties, data_address, created_at';

export interface SqlAssetStoreOptions {
  /** Clock for `createdAt`/`updated_at` (default: system time). */
  readonly now?: () => Date;
}

/** AssetStore on the tenant's SQL transaction (PostgreSQL and PGlite). */
export function createSqlAssetStore(options: SqlAssetStoreOptions = {}): AssetStore {
  const now = options.now ?? (() => new Date());
  const withId = (a: AssetInput): PropertyMap => ({ ...a.properties, [EDC_ID]: a.id });
  return {
    async create(tx, asset) {
      const at = now().getTime();
      const rows = await tx.query<AssetRow>(
        `INSERT INTO assets (tenant_id, id, properties, private_properties, data_address, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $6) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING ${COLUMNS}`,
        [tx.tenantId, asset.id, JSON.stringify(withId(asset)), JSON.stringify(asset.privateProperties), JSON.stringify(asset.dataAddress), at],
      );
      return rows[0] ? ok(fromRow(rows[0])) : fail('conflict', `Asset ${asset.id} already exists`);
    },
    async get(tx, id) {
      const rows = await tx.query<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
      return rows[0] ? ok(fromRow(rows[0])) : fail('not-found', `Asset ${id} not found`);
    },
    async update(tx, asset) {
      const rows = await tx.query<AssetRow>(
        `UPDATE assets SET properties = $3::jsonb, private_properties = $4::jsonb, data_address = $5::jsonb, updated_at = $6
         WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [tx.tenantId, asset.id, JSON.stringify(withId(asset)), JSON.stringify(asset.privateProperties), JSON.stringify(asset.dataAddress), now().getTime()],
      );
      return rows[0] ? ok(fromRow(rows[0])) : fail('not-found', `Asset ${asset.id} not found`);
    },
    async delete(tx, id) {
      const rows = await tx.query<AssetRow>(`DELETE FROM assets WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [tx.tenantId, id]);
      return rows[0] ? ok(fromRow(rows[0])) : fail('not-found', `Asset ${id} not found`);
    },
    async list(tx, spec) {
      const params = sqlParams([tx.tenantId]);
      const sql = toSql(spec, FIELD_MAP, params);
      if (!sql.ok) return sql;
      const rows = await tx.query<AssetRow>(
        `SELECT ${COLUMNS} FROM assets WHERE tenant_id = $1 AND ${sql.value.where} ORDER BY ${sql.value.orderBy} ${sql.value.page}`,
        params.values,
      );
      return ok(rows.map(fromRow));
    },
  };
}
