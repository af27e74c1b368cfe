// Contract definitions of a tenant (access policy + contract policy + asset selector), their SQL store and matcher.
import type { Result } from '../common/result';
import { fail, ok } from '../common/result';
import type { TenantTx } from '../store/database';
import type { QuerySpec, SqlField, SqlFieldMap, SqlParams } from '../management/query-spec';
import { sqlParams, toSql } from '../management/query-spec';
import type { Asset, PropertyMap } from './asset-store';
import { assetFieldTexts } from './asset-store';
import type { Criterion } from './criteria';
import { matchesTexts, resolveOperand, type OperandPath } from './criteria';
import { EDC_CREATED_AT, EDC_ID, EDC_NS } from './vocabulary';

export interface ContractDefinition {
  readonly id: string;
  /** Policy definition deciding who sees the offers in the catalog (scope `catalog`). */
  readonly accessPolicyId: string;
  /** Policy definition offered as the contract (usage) policy. */
  readonly contractPolicyId: string;
  /** ANDed criteria over assets; an empty list selects every asset (as in EDC). */
  readonly assetsSelector: readonly Criterion[];
  readonly privateProperties: PropertyMap;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export type ContractDefinitionInput = Omit<ContractDefinition, 'createdAt'>;

export interface ContractDefinitionStore {
  /** Inserts a definition; `conflict` when the id exists. Policy ids are not checked here. */
  create(tx: TenantTx, definition: ContractDefinitionInput): Promise<Result<ContractDefinition>>;
  /** The definition, or `not-found` (also for another tenant's id). */
  get(tx: TenantTx, id: string): Promise<Result<ContractDefinition>>;
  /** Replaces everything but `createdAt`; `not-found` when absent. */
  update(tx: TenantTx, definition: ContractDefinitionInput): Promise<Result<ContractDefinition>>;
  /** Deletes and returns the definition; `not-found` when absent. */
  delete(tx: TenantTx, id: string): Promise<Result<ContractDefinition>>;
  /**
   * A page of definitions. Operands: `id`, `accessPolicyId`, `contractPolicyId`, `createdAt`,
   * `privateProperties.'<iri>'`, `assetsSelector.operandLeft|operator|operandRight` (any criterion matches).
   */
  list(tx: TenantTx, spec: QuerySpec): Promise<Result<ContractDefinition[]>>;
  /** Every definition naming `policyId` as access or contract policy (deletion and validation checks). */
  referencing(tx: TenantTx, policyId: string): Promise<ContractDefinition[]>;
}

/**
 * Whether an asset satisfies every criterion of a selector (pure; same semantics as the SQL translation of the
 * asset store, so `assets.list(tx, querySpec({ filterExpression: selector }))` selects the same assets). A criterion
 * with a malformed operand selects nothing.
 */
export function selectAssets(criteria: readonly Criterion[], asset: Asset): boolean {
  return criteria.every((c) => {
    const texts = assetFieldTexts(asset, c.operandLeft);
    return texts.ok && matchesTexts(texts.value, c.operator, c.operandRight);
  });
}

const FIELDS: Readonly<Record<string, string>> = {
  id: 'id', '@id': 'id', [EDC_ID]: 'id', createdAt: 'createdAt', [EDC_CREATED_AT]: 'createdAt',
  accessPolicyId: 'accessPolicyId', [`${EDC_NS}accessPolicyId`]: 'accessPolicyId',
  contractPolicyId: 'contractPolicyId', [`${EDC_NS}contractPolicyId`]: 'contractPolicyId',
};
const ROOTS = ['privateProperties', `${EDC_NS}privateProperties`];
const SELECTOR_FIELDS: Readonly<Record<string, string>> = {
  'assetsSelector.operandLeft': '$[*].operandLeft',
  'assetsSelector.operator': '$[*].operator',
  'assetsSelector.operandRight': '$[*].operandRight[*]',
};

function resolveDefinitionOperand(operand: string): Result<OperandPath> {
  const r = resolveOperand(operand, FIELDS, ROOTS);
  if (!r.ok || r.value.kind !== 'json') return r;
  return ok({ kind: 'json', root: 'privateProperties', path: r.value.path });
}

const FIELD_MAP: SqlFieldMap = {
  columns: {
    id: { column: 'id' }, createdAt: { column: 'created_at', numeric: true },
    accessPolicyId: { column: 'access_policy_id' }, contractPolicyId: { column: 'contract_policy_id' },
  },
  jsonRoots: { privateProperties: 'private_properties' },
  resolve: resolveDefinitionOperand,
  special(operand: string, _params: SqlParams): SqlField | undefined {
    const jsonPath = SELECTOR_FIELDS[operand];
    if (jsonPath === undefined) return undefined;
    const texts = `catalog_json_texts(jsonb_path_query_array(assets_selector, '${jsonPath}'))`;
    return { texts, sort: `(${texts})[1] COLLATE "C"` };
  },
};

interface Row {
  id: string;
  access_policy_id: string;
  contract_policy_id: string;
  assets_selector: unknown;
  private_properties: unknown;
  created_at: number | string;
}

const COLUMNS = 'id, access_policy_id, contract_policy_id, assets_selector, private_properties, created_at';

function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function fromRow(row: Row): ContractDefinition {
  return {
    id: row.id, accessPolicyId: row.access_policy_id, contractPolicyId: row.contract_policy_id,
    assetsSelector: json<Criterion[]>(row.assets_selector), privateProperties: json(row.private_properties),
    createdAt: Number(row.created_at),
  };
}

function values(tx: TenantTx, d: ContractDefinitionInput, at: number): unknown[] {
  return [tx.tenantId, d.id, d.accessPolicyId, d.contractPolicyId, JSON.stringify(d.assetsSelector), JSON.stringify(d.privateProperties), at];
}

export interface SqlContractDefinitionStoreOptions {
  readonly now?: () => Date;
}

/** ContractDefinitionStore on SQL (PostgreSQL and PGlite). */
export function createSqlContractDefinitionStore(options: SqlContractDefinitionStoreOptions = {}): ContractDefinitionStore {
  const now = options.now ?? (() => new Date());
  return {
    async create(tx, d) {
      const rows = await tx.query<Row>(
        `INSERT INTO contract_definitions (tenant_id, id, access_policy_id, contract_policy_id, assets_selector, private_properties, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $7) ON CONFLICT (tenant_id, id) DO NOTHING RETURNING ${COLUMNS}`,
        values(tx, d, now().getTime()),
      );
      return rows[0] ? ok(fromRow(rows[0])) : fail('conflict', `ContractDefinition ${d.id} already exists`);
    },
    async get(tx, id) {
      const rows = await tx.query<Row>(`SELECT ${COLUMNS} FROM contract_definitions WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
      return rows[0] ? ok(fromRow(rows[0])) : fail('not-found', `ContractDefinition ${id} not found`);
    },
    async update(tx, d) {
      const rows = await tx.query<Row>(
        `UPDATE contract_definitions SET access_policy_id = $3, contract_policy_id = $4, assets_selector = $5::jsonb,
           private_properties = $6::jsonb, updated_at = $7 WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        values(tx, d, now().getTime()),
      );
      return rows[0] ? ok(fromRow(rows[0])) : fail('not-found', `ContractDefinition ${d.id} not found`);
    },
    async delete(tx, id) {
      const rows = await tx.query<Row>(`DELETE FROM contract_definitions WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [tx.tenantId, id]);
      return rows[0] ? ok(fromRow(rows[0])) : fail('not-found', `ContractDefinition ${id} not found`);
    },
    async list(tx, spec) {
      const params = sqlParams([tx.tenantId]);
      const sql = toSql(spec, FIELD_MAP, params);
      if (!sql.ok) return sql;
      const rows = await tx.query<Row>(
        `SELECT ${COLUMNS} FROM contract_definitions WHERE tenant_id = $1 AND ${sql.value.where} ORDER BY ${sql.value.orderBy} ${sql.value.page}`,
        params.values,
      );
      return ok(rows.map(fromRow));
    },
    async referencing(tx, policyId) {
      const rows = await tx.query<Row>(
        `SELECT ${COLUMNS} FROM contract_definitions WHERE tenant_id = $1 AND (access_policy_id = $2 OR contract_policy_id = $2) ORDER BY id COLLATE "C"`,
        [tx.tenantId, policyId],
      );
      return rows.map(fromRow);
    },
  };
}
