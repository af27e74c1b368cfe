// SQL store of transfer processes (both roles) and data-plane token bindings; EDRs are sealed in a SecretBox, not here.
import type { SecretBox } from '../credentials/local/local-key-store';
import type { TokenBinding } from '../credentials/token-minter';
import type { DataAddress } from '../dsp/messages';
import { ok, type Result } from '../common/result';
import { columnFieldMap, type QuerySpec, type SqlFieldMap } from '../management/query-spec';
import { queryProcesses } from '../negotiation/negotiation-store';
import { createProcessTable, type ProcessTable, type StoredProcess } from '../negotiation/process-table';
import type { TenantTx } from '../store/database';
import { transferFromRecord, transferToRecord, type TransferProcess } from './transfer-process';

export type StoredTransfer = StoredProcess<TransferProcess>;

export interface TokenBindingRecord {
  readonly binding: TokenBinding;
  readonly transferId: string;
  readonly agreementId: string;
  readonly consumerDid?: string;
  readonly consumerBpn?: string;
  readonly expiresAt: number;
  readonly createdAt: number;
}

/** What the data plane needs to know about a binding: the transfers it serves and their state. */
export interface BindingLookup {
  readonly transferId: string;
  readonly agreementId: string;
  readonly consumerBpn?: string;
  readonly state: string;
}

export interface TransferStore extends ProcessTable<TransferProcess> {
  saveBinding(tx: TenantTx, record: TokenBindingRecord): Promise<void>;
  /** Every transfer a binding value serves (several for a shared Cognito token), with the transfer's state. */
  lookupBinding(tx: TenantTx, bindingValue: string): Promise<BindingLookup[]>;
  deleteBindings(tx: TenantTx, transferId: string): Promise<number>;
  /**
   * A page of the tenant's transfers matching an EDC QuerySpec, filtered, sorted and paged in SQL (fields: see
   * {@link TRANSFER_QUERY_FIELDS}); default order created_at, id. `bad-request` naming an unknown field.
   */
  query(tx: TenantTx, spec: QuerySpec): Promise<Result<StoredTransfer[]>>;
  /**
   * A page of the tenant's EDR entries (its STARTED consumer transfers, whose EDRs it holds) matching an EDC QuerySpec
   * over {@link EDR_QUERY_FIELDS}, each with the negotiation of its agreement.
   */
  queryEdrs(tx: TenantTx, spec: QuerySpec): Promise<Result<{ readonly transfer: StoredTransfer; readonly contractNegotiationId?: string }[]>>;
}

/** The asset of a transfer: the consumer's record, or else its agreement's asset. */
const TRANSFER_ASSET_SQL = "COALESCE(extra->>'assetId', (SELECT a.asset_id FROM cp_agreements a WHERE a.tenant_id = cp_transfers.tenant_id AND a.id = cp_transfers.agreement_id))";

/**
 * Transfer query fields as the management API shows them: `type` is CONSUMER/PROVIDER, `correlationId` the
 * counter-party's pid, `assetId` the consumer's record or else the agreement's asset.
 */
export const TRANSFER_QUERY_FIELDS: SqlFieldMap = columnFieldMap({
  id: { column: 'id', aliases: ['@id'] },
  state: { column: 'state' },
  type: { column: 'upper(role)' },
  assetId: { column: TRANSFER_ASSET_SQL, nullable: true },
  contractId: { column: 'agreement_id', aliases: ['contractAgreementId'] },
  counterPartyId: { column: 'counter_party_id' },
  counterPartyAddress: { column: 'counter_party_address' },
  correlationId: { column: "CASE WHEN role = 'provider' THEN consumer_pid ELSE provider_pid END", nullable: true },
  transferType: { column: 'format' },
  createdAt: { column: 'created_at', numeric: true },
  stateTimestamp: { column: 'state_timestamp', numeric: true },
});

/** EDR entry query fields, named as EDC's `EndpointDataReferenceEntry` shows them. */
export const EDR_QUERY_FIELDS: SqlFieldMap = columnFieldMap({
  transferProcessId: { column: 'id', aliases: ['@id', 'id'] },
  agreementId: { column: 'agreement_id', aliases: ['contractId'] },
  assetId: { column: TRANSFER_ASSET_SQL, nullable: true },
  providerId: { column: 'counter_party_id' },
  contractNegotiationId: { column: '(SELECT a.negotiation_id FROM cp_agreements a WHERE a.tenant_id = cp_transfers.tenant_id AND a.id = cp_transfers.agreement_id)', nullable: true },
  createdAt: { column: 'created_at', numeric: true },
});

function transferOf(record: unknown): TransferProcess {
  const r = transferFromRecord(record);
  if (!r.ok) throw new Error(`stored transfer is malformed: ${r.message}`);
  return r.value;
}

/** The record without the data address: tokens never reach the process table. */
function stripSecrets(t: TransferProcess): Record<string, unknown> {
  const { dataAddress: _drop, ...rest } = transferToRecord(t) as Record<string, unknown> & { dataAddress?: unknown };
  void _drop;
  return rest;
}

export function createTransferStore(): TransferStore {
  const table = createProcessTable<TransferProcess>({
    table: 'cp_transfers',
    columns: (t) => ({
      role: t.role,
      state: t.state,
      state_count: t.stateCount,
      state_timestamp: t.stateTimestamp,
      created_at: t.createdAt,
      dialect: t.dialect,
      consumer_pid: t.consumerPid,
      provider_pid: t.providerPid ?? null,
      counter_party_id: t.counterPartyId,
      counter_party_address: t.counterPartyAddress,
      agreement_id: t.agreementId,
      format: t.format,
      last_message_id: t.lastMessageId ?? null,
      error_detail: t.errorDetail ?? null,
    }),
    toRecord: stripSecrets,
    fromRecord: transferOf,
  });
  return {
    ...table,
    async saveBinding(tx, r) {
      await tx.query(
        `INSERT INTO cp_token_bindings (tenant_id, binding, transfer_id, binding_kind, agreement_id, consumer_did, consumer_bpn, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (tenant_id, binding, transfer_id) DO UPDATE SET expires_at = GREATEST(cp_token_bindings.expires_at, EXCLUDED.expires_at)`,
        [tx.tenantId, r.binding.value, r.transferId, r.binding.kind, r.agreementId, r.consumerDid ?? null, r.consumerBpn ?? null, r.expiresAt, r.createdAt],
      );
    },
    async lookupBinding(tx, bindingValue) {
      const rows = await tx.query<{ transfer_id: string; agreement_id: string; consumer_bpn: string | null; state: string | null }>(
        `SELECT b.transfer_id, b.agreement_id, b.consumer_bpn, t.state FROM cp_token_bindings b
         LEFT JOIN cp_transfers t ON t.tenant_id = b.tenant_id AND t.id = b.transfer_id
         WHERE b.tenant_id = $1 AND b.binding = $2`,
        [tx.tenantId, bindingValue],
      );
      return rows.map((r) => ({ transferId: r.transfer_id, agreementId: r.agreement_id, ...(r.consumer_bpn !== null ? { consumerBpn: r.consumer_bpn } : {}), state: r.state ?? 'UNKNOWN' }));
    },
    async deleteBindings(tx, transferId) {
      const rows = await tx.query(`DELETE FROM cp_token_bindings WHERE tenant_id = $1 AND transfer_id = $2 RETURNING binding`, [tx.tenantId, transferId]);
      return rows.length;
    },
    query(tx, spec) {
      return queryProcesses(tx, 'cp_transfers', TRANSFER_QUERY_FIELDS, spec, transferOf);
    },
    async queryEdrs(tx, spec) {
      const page = await queryProcesses(tx, 'cp_transfers', EDR_QUERY_FIELDS, spec, transferOf, "role = 'consumer' AND state = 'STARTED'");
      if (!page.ok) return page;
      const agreementIds = [...new Set(page.value.map((s) => s.entity.agreementId))];
      const rows = agreementIds.length === 0 ? [] : await tx.query<{ id: string; negotiation_id: string }>(
        'SELECT id, negotiation_id FROM cp_agreements WHERE tenant_id = $1 AND id = ANY($2::text[])', [tx.tenantId, agreementIds]);
      const negotiationOf = new Map(rows.map((r) => [r.id, r.negotiation_id]));
      return ok(page.value.map((transfer) => {
        const contractNegotiationId = negotiationOf.get(transfer.entity.agreementId);
        return { transfer, ...(contractNegotiationId !== undefined ? { contractNegotiationId } : {}) };
      }));
    },
  };
}

/** Where a consumer's EDR (data address with the provider's token) is kept, encrypted at rest. */
export interface EdrVault {
  /** Seals the data address of `transferId`. Must not run inside another database transaction (PGlite has one connection). */
  put(tenantId: string, transferId: string, address: DataAddress): Promise<void>;
  /** Seals it inside the caller's transaction of the tenant, so it commits with the state change it belongs to. */
  putIn(tx: TenantTx, transferId: string, address: DataAddress): Promise<void>;
  get(tenantId: string, transferId: string): Promise<DataAddress | undefined>;
  delete(tenantId: string, transferId: string): Promise<void>;
}

/** An EdrVault over the local key store's SecretBox (AES-GCM with the tenant's data key). */
export function createSecretBoxEdrVault(box: SecretBox): EdrVault {
  const name = (transferId: string): string => `edr/${transferId}`;
  return {
    async put(tenantId, transferId, address) {
      await box.putSecret(tenantId, name(transferId), JSON.stringify(address));
    },
    async putIn(tx, transferId, address) {
      await box.putSecretIn(tx, name(transferId), JSON.stringify(address));
    },
    async get(tenantId, transferId) {
      const raw = await box.getSecret(tenantId, name(transferId));
      return raw === undefined ? undefined : (JSON.parse(raw) as DataAddress);
    },
    async delete(tenantId, transferId) {
      await box.deleteSecret(tenantId, name(transferId));
    },
  };
}
