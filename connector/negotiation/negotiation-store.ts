// SQL store of contract negotiations (both roles) and contract agreements, always inside a tenant transaction.
import type { Policy } from '../../policies/index';
import { ok, type Result } from '../common/result';
import { columnFieldMap, sqlParams, toSql, type QuerySpec, type SqlFieldMap } from '../management/query-spec';
import type { TenantTx } from '../store/database';
import { negotiationFromRecord, negotiationToRecord, type ContractNegotiation } from './contract-negotiation';
import { createProcessTable, type ProcessTable, type StoredProcess } from './process-table';

export type StoredNegotiation = StoredProcess<ContractNegotiation>;

/** A contract agreement as the connector keeps it (either role). */
export interface ContractAgreementRecord {
  readonly id: string;
  readonly negotiationId: string;
  readonly role: 'provider' | 'consumer';
  readonly assetId: string;
  /** Participant ids as written in the agreement (assigner / assignee). */
  readonly providerId: string;
  readonly consumerId: string;
  /** The counter-party's verified DID (the key for authorization checks). */
  readonly counterPartyId: string;
  readonly counterPartyBpn?: string;
  /** Epoch ms of signing (the provider entering AGREED). */
  readonly signingDate: number;
  readonly policy: Policy;
  readonly createdAt: number;
}

export interface NegotiationStore extends ProcessTable<ContractNegotiation> {
  /** Stores an agreement once (a second insert of the same id is ignored), deferred to COMMIT's round trip. */
  insertAgreementAtCommit(tx: TenantTx, agreement: ContractAgreementRecord): void;
  findAgreement(tx: TenantTx, id: string): Promise<ContractAgreementRecord | undefined>;
  /** The agreement with the current state of the negotiation that made it (undefined if that row is gone), in one query. */
  findAgreementWithNegotiationState(tx: TenantTx, id: string): Promise<{ agreement: ContractAgreementRecord; negotiationState: string | undefined } | undefined>;
  listAgreements(tx: TenantTx, offset: number, limit: number, order?: 'ASC' | 'DESC'): Promise<ContractAgreementRecord[]>;
  /**
   * A page of the tenant's negotiations matching an EDC QuerySpec, filtered, sorted and paged in SQL (fields: see
   * {@link NEGOTIATION_QUERY_FIELDS}); default order created_at, id. `bad-request` naming an unknown field.
   */
  query(tx: TenantTx, spec: QuerySpec): Promise<Result<StoredNegotiation[]>>;
  /** Like `query`, for agreements ({@link AGREEMENT_QUERY_FIELDS}). */
  queryAgreements(tx: TenantTx, spec: QuerySpec): Promise<Result<ContractAgreementRecord[]>>;
}

/** Negotiation query fields as the management API shows them (`type` is CONSUMER/PROVIDER). */
export const NEGOTIATION_QUERY_FIELDS: SqlFieldMap = columnFieldMap({
  id: { column: 'id', aliases: ['@id'] },
  state: { column: 'state' },
  type: { column: 'upper(role)' },
  counterPartyId: { column: 'counter_party_id' },
  counterPartyAddress: { column: 'counter_party_address' },
  contractAgreementId: { column: 'agreement_id', aliases: ['contractAgreement.id'], nullable: true },
  assetId: { column: 'asset_id', nullable: true },
  correlationId: { column: "CASE WHEN role = 'provider' THEN consumer_pid ELSE provider_pid END", nullable: true },
  createdAt: { column: 'created_at', numeric: true },
  stateTimestamp: { column: 'state_timestamp', numeric: true },
});

/** Agreement query fields; `contractSigningDate` is in epoch seconds, as shown. */
export const AGREEMENT_QUERY_FIELDS: SqlFieldMap = columnFieldMap({
  id: { column: 'id', aliases: ['@id'] },
  assetId: { column: 'asset_id' },
  providerId: { column: 'provider_id' },
  consumerId: { column: 'consumer_id' },
  contractSigningDate: { column: '(signing_date / 1000)', numeric: true },
  'policy.assignee': { column: "(policy->>'assignee')", nullable: true },
  'policy.assigner': { column: "(policy->>'assigner')", nullable: true },
});

interface ProcessRow {
  record: unknown;
  version: string | number;
  extra: unknown;
}

/**
 * A QuerySpec page of a process table, inside the tenant's transaction (RLS applies): every operand and paging value
 * is a parameter. Shared by the negotiation and transfer stores.
 */
export async function queryProcesses<T>(
  tx: TenantTx, table: 'cp_negotiations' | 'cp_transfers', fields: SqlFieldMap, spec: QuerySpec, fromRecord: (record: unknown) => T,
  /** A fixed condition ANDed to the client's (constants only, never client input). */
  fixed = 'TRUE',
): Promise<Result<StoredProcess<T>[]>> {
  const params = sqlParams([tx.tenantId]);
  const sql = toSql(spec, fields, params, 'id', ['created_at']);
  if (!sql.ok) return sql;
  const rows = await tx.query<ProcessRow>(
    `SELECT record, version, extra FROM ${table} WHERE tenant_id = $1 AND ${fixed} AND ${sql.value.where} ORDER BY ${sql.value.orderBy} ${sql.value.page}`,
    params.values,
  );
  return ok(rows.map((r) => ({
    entity: fromRecord(r.record),
    version: Number(r.version),
    extra: (typeof r.extra === 'object' && r.extra !== null ? r.extra : {}) as Record<string, unknown>,
  })));
}

function negotiationOf(record: unknown): ContractNegotiation {
  const r = negotiationFromRecord(record);
  if (!r.ok) throw new Error(`stored negotiation is malformed: ${r.message}`);
  return r.value;
}

interface AgreementRow {
  id: string;
  negotiation_id: string;
  role: 'provider' | 'consumer';
  asset_id: string;
  provider_id: string;
  consumer_id: string;
  counter_party_id: string;
  counter_party_bpn: string | null;
  signing_date: string | number;
  policy: Policy;
  created_at: string | number;
}

function agreementOf(r: AgreementRow): ContractAgreementRecord {
  return {
    id: r.id,
    negotiationId: r.negotiation_id,
    role: r.role,
    assetId: r.asset_id,
    providerId: r.provider_id,
    consumerId: r.consumer_id,
    counterPartyId: r.counter_party_id,
    ...(r.counter_party_bpn !== null ? { counterPartyBpn: r.counter_party_bpn } : {}),
    signingDate: Number(r.signing_date),
    policy: r.policy,
    createdAt: Number(r.created_at),
  };
}

/** The counter-party BPN is kept in the row (`extra.counterPartyBpn`) next to the entity. */
export function createNegotiationStore(): NegotiationStore {
  const table = createProcessTable<ContractNegotiation>({
    table: 'cp_negotiations',
    columns: (n) => ({
      role: n.role,
      state: n.state,
      state_count: n.stateCount,
      state_timestamp: n.stateTimestamp,
      created_at: n.createdAt,
      dialect: n.dialect,
      consumer_pid: n.consumerPid,
      provider_pid: n.providerPid ?? null,
      counter_party_id: n.counterPartyId,
      counter_party_address: n.counterPartyAddress,
      last_message_id: n.lastMessageId ?? null,
      error_detail: n.errorDetail ?? null,
      agreement_id: n.agreementId ?? null,
      asset_id: n.assetId ?? null,
    }),
    toRecord: negotiationToRecord,
    fromRecord: negotiationOf,
  });
  const cols = 'id, negotiation_id, role, asset_id, provider_id, consumer_id, counter_party_id, counter_party_bpn, signing_date, policy, created_at';
  return {
    ...table,
    insertAgreementAtCommit(tx, a) {
      tx.defer(
        `INSERT INTO cp_agreements (tenant_id, ${cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (tenant_id, id) DO NOTHING`,
        [tx.tenantId, a.id, a.negotiationId, a.role, a.assetId, a.providerId, a.consumerId, a.counterPartyId, a.counterPartyBpn ?? null, a.signingDate, JSON.stringify(a.policy), a.createdAt],
      );
    },
    async findAgreementWithNegotiationState(tx, id) {
      const rows = await tx.query<AgreementRow & { negotiation_state: string | null }>(
        `SELECT ${cols.split(', ').map((c) => `a.${c}`).join(', ')}, n.state AS negotiation_state FROM cp_agreements a
         LEFT JOIN cp_negotiations n ON n.tenant_id = a.tenant_id AND n.id = a.negotiation_id WHERE a.tenant_id = $1 AND a.id = $2`,
        [tx.tenantId, id],
      );
      const row = rows[0];
      return row === undefined ? undefined : { agreement: agreementOf(row), negotiationState: row.negotiation_state ?? undefined };
    },
    async findAgreement(tx, id) {
      const rows = await tx.query<AgreementRow>(`SELECT ${cols} FROM cp_agreements WHERE tenant_id = $1 AND id = $2`, [tx.tenantId, id]);
      return rows[0] === undefined ? undefined : agreementOf(rows[0]);
    },
    async listAgreements(tx, offset, limit, order = 'ASC') {
      const dir = order === 'DESC' ? 'DESC' : 'ASC';
      const rows = await tx.query<AgreementRow>(
        `SELECT ${cols} FROM cp_agreements WHERE tenant_id = $1 ORDER BY created_at ${dir}, id ${dir} OFFSET $2 LIMIT $3`,
        [tx.tenantId, offset, limit],
      );
      return rows.map(agreementOf);
    },
    query(tx, spec) {
      return queryProcesses(tx, 'cp_negotiations', NEGOTIATION_QUERY_FIELDS, spec, negotiationOf);
    },
    async queryAgreements(tx, spec) {
      const params = sqlParams([tx.tenantId]);
      const sql = toSql(spec, AGREEMENT_QUERY_FIELDS, params, 'id', ['created_at']);
      if (!sql.ok) return sql;
      const rows = await tx.query<AgreementRow>(
        `SELECT ${cols} FROM cp_agreements WHERE tenant_id = $1 AND ${sql.value.where} ORDER BY ${sql.value.orderBy} ${sql.value.page}`,
        params.values,
      );
      return ok(rows.map(agreementOf));
    },
  };
}
