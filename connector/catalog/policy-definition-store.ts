// Policy definitions of a tenant (EDC PolicyDefinition: id + ODRL policy) stored as the parsed policy model.
import type { Policy } from '../../policies/index';
import type { Result } from '../common/result';
import { fail, ok } from '../common/result';
import type { TenantTx } from '../store/database';
import type { QuerySpec, SqlFieldMap } from '../management/query-spec';
import { sqlParams, toSql } from '../management/query-spec';
import { resolveOperand, type OperandPath } from './criteria';
import type { PropertyMap } from './asset-store';
import { EDC_CREATED_AT, EDC_ID, EDC_NS } from './vocabulary';

export interface PolicyDefinition {
  readonly id: string;
  /** The parsed policy (policies/model.ts). Treat as immutable: the same object may be handed to several callers. */
  readonly policy: Policy;
  readonly privateProperties: PropertyMap;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last change (cache key for compiled policies). */
  readonly updatedAt: number;
}

export type PolicyDefinitionInput = Pick<PolicyDefinition, 'id' | 'policy' | 'privateProperties'>;

export interface PolicyDefinitionStore {
  /** Inserts a definition; `conflict` when the id exists. Validation is the caller's job (see the catalog service). */
  create(tx: TenantTx, definition: PolicyDefinitionInput): Promise<Result<PolicyDefinition>>;
  /** The definition, or `not-found` (also for another tenant's id). */
  get(tx: TenantTx, id: string): Promise<Result<PolicyDefinition>>;
  /** Several definitions at once (catalog building); missing ids are simply absent from the map. */
  getMany(tx: TenantTx, ids: readonly string[]): Promise<Map<string, PolicyDefinition>>;
  /** Replaces policy and private properties, keeping `createdAt`; `not-found` when absent. */
  update(tx: TenantTx, definition: PolicyDefinitionInput): Promise<Result<PolicyDefinition>>;
  /** Deletes and returns the definition; `not-found` when absent. Reference checks are the caller's job. */
  delete(tx: TenantTx, id: string): Promise<Result<PolicyDefinition>>;
  /** A page of definitions; operands `id`, `createdAt`, `privateProperties.'<iri>'` */
  list(tx: TenantTx, spec: QuerySpec): Promise<Result<PolicyDefinition[]>>;
}

const FIELDS: Readonly<Record<string, string>> = { id: 'id', '@id': 'id', [EDC_ID]: 'id', createdAt: 'createdAt', [EDC_CREATED_AT]: 'createdAt' };
const ROOTS = ['privateProperties', `${EDC_NS}privateProperties`];

function resolvePolicyOperand(operand: string): Result<OperandPath> {
  const r = resolveOperand(operand, FIELDS, ROOTS);
  if (!r.ok || r.value.kind !== 'json') return r;
  return ok({ kind: 'json', root: 'privateProperties', path: r.value.path });
}

const FIELD_MAP: SqlFieldMap = {
  columns: { id: { column: 'id' }, createdAt: { column: 'created_at', numeric: true } },
  jsonRoots: { privateProperties: 'private_properties' },
  resolve: resolvePolicyOperand,
};

interface Row {
  id: string;
  policy: unknown;
  private_properties: unknown;
  created_at: number | string;
  updated_at: number | string;
}

const COLUMNS = 'id, policy, private_properties, created_at, updated_at';

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export interface SqlPolicyDefinitionStoreOptions {
  readonly now?: () => Date;
  /** How many parsed policies to keep (keyed by tenant, id and update time); default 1000. */
  readonly cacheSize?: number;
}

/**
 * PolicyDefinitionStore on SQL. Reading a policy needs no JSON-LD: the model is stored as JSON. Parsed policies are
 * cached by (tenant, id, updatedAt) so repeated reads return the same object and the engine's compiled form is reused.
 */
export function createSqlPolicyDefinitionStore(options: SqlPolicyDefinitionStoreOptions = {}): PolicyDefinitionStore {
  const now = options.now ?? (() => new Date());
  const cacheSize = options.cacheSize ?? 1000;
  const cache = new Map<string, Policy>();

  function fromRow(tenantId: string, row: Row): PolicyDefinition {
    const updatedAt = Number(row.updated_at);
    const key = `${tenantId}\u0000${row.id}\u0000${updatedAt}`;
    let policy = cache.get(key);
    if (policy === undefined) {
      policy = json<Policy>(row.policy);
      cache.set(key, policy);
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    }
    return { id: row.id, policy, privateProperties: json(row.private_properties), createdAt: Number(row.created_at), updatedAt };
  }

  return {
    async create(tx, d) {
      const at = now().getTime();
      const rows = await tx.query<Row>(
        `INSERT INTO policy_definitions (tenant_id, id, policy, private_properties, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $5) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING ${COLUMNS}`,
        [tx.tenantId, d.id, JSON.stringify(d.policy), JSON.stringify(d.privateProperties), at],
      );
      return rows[0] ? ok(fromRow(tx.tenantId, rows[0])) : fail('conflict', `PolicyDefinition ${d.id} already exists`);
    },
    async get(tx, id) {
      const rows = await tx.query<Row>(`SELECT ${COLUMNS} FROM policy_definitions WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
      return rows[0] ? ok(fromRow(tx.tenantId, rows[0])) : fail('not-found', `PolicyDefinition ${id} not found`);
    },
    async getMany(tx, ids) {
      const out = new Map<string, PolicyDefinition>();
      if (ids.length === 0) return out;
      const rows = await tx.query<Row>(`SELECT ${COLUMNS} FROM policy_definitions WHERE tenant_id = $1 AND id = ANY($2::text[])`, [tx.tenantId, [...new Set(ids)]]);
      for (const row of rows) out.set(row.id, fromRow(tx.tenantId, row));
      return out;
    },
    async update(tx, d) {
      const current = await tx.query<{ updated_at: number | string }>('SELECT updated_at FROM policy_definitions WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tx.tenantId, d.id]);
      if (!current[0]) return fail('not-found', `PolicyDefinition ${d.id} not found`);
      // updated_at is a cache key: it must change on every update even within one clock millisecond.
      const at = Math.max(now().getTime(), Number(current[0].updated_at) + 1);
      const rows = await tx.query<Row>(
        `UPDATE policy_definitions SET policy = $3::jsonb, private_properties = $4::jsonb, updated_at = $5
         WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [tx.tenantId, d.id, JSON.stringify(d.policy), JSON.stringify(d.privateProperties), at],
      );
      return rows[0] ? ok(fromRow(tx.tenantId, rows[0])) : fail('not-found', `PolicyDefinition ${d.id} not found`);
    },
    async delete(tx, id) {
      const rows = await tx.query<Row>(`DELETE FROM policy_definitions WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [tx.tenantId, id]);
      return rows[0] ? ok(fromRow(tx.tenantId, rows[0])) : fail('not-found', `PolicyDefinition ${id} not found`);
    },
    async list(tx, spec) {
      const params = sqlParams([tx.tenantId]);
      const sql = toSql(spec, FIELD_MAP, params);
      if (!sql.ok) return sql;
      const rows = await tx.query<Row>(
        `SELECT ${COLUMNS} FROM policy_definitions WHERE tenant_id = $1 AND ${sql.value.where} ORDER BY ${sql.value.orderBy} ${sql.value.page}`,
        params.values,
      );
      return ok(rows.map((r) => fromRow(tx.tenantId, r)));
    },
  };
}
