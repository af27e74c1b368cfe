// SQL for the local credential tables (0200_credentials.sql); every function runs inside the caller's tenant transaction.
import type { JWK } from 'jose';
import type { KeyPurpose } from '../key-provider';
import type { TenantTx } from '../../store/database';

export interface DataKeyRow {
  readonly masterKeyId: string;
  readonly wrappedKey: string;
}

export interface SigningKeyRow {
  readonly kid: string;
  readonly purpose: KeyPurpose;
  readonly alg: string;
  readonly publicJwk: JWK;
  readonly privateKeyEnc: string;
  readonly status: 'active' | 'retired';
  readonly createdAt: Date;
  readonly retireAfter?: Date;
}

export interface RefreshTokenRow {
  readonly tokenHash: string;
  readonly familyId: string;
  readonly parentHash?: string;
  readonly agreementId: string;
  readonly transferId: string;
  readonly consumerDid?: string;
  readonly consumerBpn?: string;
  readonly audience: string;
  readonly status: 'active' | 'retired';
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt?: Date;
}

const asDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const optDate = (v: unknown): Date | undefined => (v === null || v === undefined ? undefined : asDate(v));
const optText = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asJwk = (v: unknown): JWK => (typeof v === 'string' ? (JSON.parse(v) as JWK) : (v as JWK));

export async function findDataKey(tx: TenantTx): Promise<DataKeyRow | undefined> {
  const rows = await tx.query<{ master_key_id: string; wrapped_key: string }>(
    'SELECT master_key_id, wrapped_key FROM credential_data_keys WHERE tenant_id = $1', [tx.tenantId]);
  return rows[0] === undefined ? undefined : { masterKeyId: rows[0].master_key_id, wrappedKey: rows[0].wrapped_key };
}

/** Inserts the tenant's data key unless one exists (a concurrent creator wins; read it back afterwards). */
export async function insertDataKey(tx: TenantTx, row: DataKeyRow, createdAt: Date): Promise<void> {
  await tx.query('INSERT INTO credential_data_keys (tenant_id, master_key_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO NOTHING',
    [tx.tenantId, row.masterKeyId, row.wrappedKey, createdAt.toISOString()]);
}

export async function deleteDataKey(tx: TenantTx): Promise<void> {
  await tx.query('DELETE FROM credential_data_keys WHERE tenant_id = $1', [tx.tenantId]);
}

type SigningKeyRecord = { kid: string; purpose: KeyPurpose; alg: string; public_jwk: unknown; private_key_enc: string; status: 'active' | 'retired'; created_at: unknown; retire_after: unknown };
const SIGNING_COLUMNS = 'kid, purpose, alg, public_jwk, private_key_enc, status, created_at, retire_after';

function toSigningKey(r: SigningKeyRecord): SigningKeyRow {
  const retireAfter = optDate(r.retire_after);
  return {
    kid: r.kid, purpose: r.purpose, alg: r.alg, publicJwk: asJwk(r.public_jwk), privateKeyEnc: r.private_key_enc, status: r.status,
    createdAt: asDate(r.created_at), ...(retireAfter === undefined ? {} : { retireAfter }),
  };
}

export async function findActiveSigningKey(tx: TenantTx, purpose: KeyPurpose): Promise<SigningKeyRow | undefined> {
  const rows = await tx.query<SigningKeyRecord>(
    `SELECT ${SIGNING_COLUMNS} FROM credential_signing_keys WHERE tenant_id = $1 AND purpose = $2 AND status = 'active'`, [tx.tenantId, purpose]);
  return rows[0] === undefined ? undefined : toSigningKey(rows[0]);
}

/** Inserts an active key; returns false when another active key for the purpose already exists. */
export async function insertActiveSigningKey(tx: TenantTx, row: Omit<SigningKeyRow, 'status' | 'retireAfter'>): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO credential_signing_keys (tenant_id, kid, purpose, alg, public_jwk, private_key_enc, status, created_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'active', $7)
     ON CONFLICT (tenant_id, purpose) WHERE status = 'active' DO NOTHING RETURNING kid`,
    [tx.tenantId, row.kid, row.purpose, row.alg, JSON.stringify(row.publicJwk), row.privateKeyEnc, row.createdAt.toISOString()]);
  return inserted.length === 1;
}

export async function retireActiveSigningKey(tx: TenantTx, purpose: KeyPurpose, retireAfter: Date): Promise<void> {
  await tx.query(`UPDATE credential_signing_keys SET status = 'retired', retire_after = $3 WHERE tenant_id = $1 AND purpose = $2 AND status = 'active'`,
    [tx.tenantId, purpose, retireAfter.toISOString()]);
}

/** The active key and retired keys still inside their overlap window at `now`, newest first. */
export async function publishedSigningKeys(tx: TenantTx, purpose: KeyPurpose, now: Date): Promise<SigningKeyRow[]> {
  const rows = await tx.query<SigningKeyRecord>(
    `SELECT ${SIGNING_COLUMNS} FROM credential_signing_keys
     WHERE tenant_id = $1 AND purpose = $2 AND (status = 'active' OR retire_after > $3) ORDER BY (status = 'active') DESC, created_at DESC`,
    [tx.tenantId, purpose, now.toISOString()]);
  return rows.map(toSigningKey);
}

export async function deleteSigningKeys(tx: TenantTx): Promise<void> {
  await tx.query('DELETE FROM credential_signing_keys WHERE tenant_id = $1', [tx.tenantId]);
}

export async function findSecret(tx: TenantTx, name: string): Promise<string | undefined> {
  const rows = await tx.query<{ value_enc: string }>('SELECT value_enc FROM credential_secrets WHERE tenant_id = $1 AND name = $2', [tx.tenantId, name]);
  return rows[0]?.value_enc;
}

/** Stores the secret, deferred to COMMIT's round trip (nobody reads its result). */
export function upsertSecretAtCommit(tx: TenantTx, name: string, valueEnc: string, updatedAt: Date): void {
  tx.defer(
    `INSERT INTO credential_secrets (tenant_id, name, value_enc, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, name) DO UPDATE SET value_enc = EXCLUDED.value_enc, updated_at = EXCLUDED.updated_at`,
    [tx.tenantId, name, valueEnc, updatedAt.toISOString()]);
}

/** Inserts the secret if absent (`create`) or updates it if present (`replace`); true when a row was written. */
export async function writeSecretIf(tx: TenantTx, name: string, valueEnc: string, updatedAt: Date, when: 'create' | 'replace'): Promise<boolean> {
  const rows = when === 'create'
    ? await tx.query(
      `INSERT INTO credential_secrets (tenant_id, name, value_enc, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, name) DO NOTHING RETURNING name`, [tx.tenantId, name, valueEnc, updatedAt.toISOString()])
    : await tx.query(
      'UPDATE credential_secrets SET value_enc = $3, updated_at = $4 WHERE tenant_id = $1 AND name = $2 RETURNING name',
      [tx.tenantId, name, valueEnc, updatedAt.toISOString()]);
  return rows.length > 0;
}

export async function deleteSecret(tx: TenantTx, name: string): Promise<boolean> {
  const rows = await tx.query('DELETE FROM credential_secrets WHERE tenant_id = $1 AND name = $2 RETURNING name', [tx.tenantId, name]);
  return rows.length > 0;
}

export async function deleteAllSecrets(tx: TenantTx): Promise<void> {
  await tx.query('DELETE FROM credential_secrets WHERE tenant_id = $1', [tx.tenantId]);
}

type RefreshRecord = {
  token_hash: string; family_id: string; parent_hash: string | null; agreement_id: string; transfer_id: string; consumer_did: string | null;
  consumer_bpn: string | null; audience: string; status: 'active' | 'retired'; created_at: unknown; expires_at: unknown; used_at: unknown;
};

function toRefresh(r: RefreshRecord): RefreshTokenRow {
  const parentHash = optText(r.parent_hash);
  const consumerDid = optText(r.consumer_did);
  const consumerBpn = optText(r.consumer_bpn);
  const usedAt = optDate(r.used_at);
  return {
    tokenHash: r.token_hash, familyId: r.family_id, agreementId: r.agreement_id, transferId: r.transfer_id, audience: r.audience, status: r.status,
    createdAt: asDate(r.created_at), expiresAt: asDate(r.expires_at),
    ...(parentHash === undefined ? {} : { parentHash }), ...(consumerDid === undefined ? {} : { consumerDid }),
    ...(consumerBpn === undefined ? {} : { consumerBpn }), ...(usedAt === undefined ? {} : { usedAt }),
  };
}

export async function insertRefreshToken(tx: TenantTx, row: Omit<RefreshTokenRow, 'status' | 'usedAt'>): Promise<void> {
  await tx.query(
    `INSERT INTO credential_refresh_tokens (tenant_id, token_hash, family_id, parent_hash, agreement_id, transfer_id, consumer_did, consumer_bpn,
       audience, status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)`,
    [tx.tenantId, row.tokenHash, row.familyId, row.parentHash ?? null, row.agreementId, row.transferId, row.consumerDid ?? null,
      row.consumerBpn ?? null, row.audience, row.createdAt.toISOString(), row.expiresAt.toISOString()]);
}

/** Reads a refresh token and locks its row for the rest of the transaction (serialises concurrent refreshes). */
export async function lockRefreshToken(tx: TenantTx, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const rows = await tx.query<RefreshRecord>('SELECT * FROM credential_refresh_tokens WHERE tenant_id = $1 AND token_hash = $2 FOR UPDATE', [tx.tenantId, tokenHash]);
  return rows[0] === undefined ? undefined : toRefresh(rows[0]);
}

export async function markRefreshTokenUsed(tx: TenantTx, tokenHash: string, usedAt: Date): Promise<void> {
  await tx.query('UPDATE credential_refresh_tokens SET used_at = COALESCE(used_at, $3) WHERE tenant_id = $1 AND token_hash = $2', [tx.tenantId, tokenHash, usedAt.toISOString()]);
}

/** Retires `parentHash` and every child of it except `keepHash` (the branch now in use). */
export async function retireSupersededRefreshTokens(tx: TenantTx, parentHash: string, keepHash: string): Promise<void> {
  await tx.query(
    `UPDATE credential_refresh_tokens SET status = 'retired'
     WHERE tenant_id = $1 AND status = 'active' AND (token_hash = $2 OR (parent_hash = $2 AND token_hash <> $3))`,
    [tx.tenantId, parentHash, keepHash]);
}

export async function retireRefreshFamily(tx: TenantTx, familyId: string): Promise<void> {
  await tx.query(`UPDATE credential_refresh_tokens SET status = 'retired' WHERE tenant_id = $1 AND family_id = $2`, [tx.tenantId, familyId]);
}

/** Retires every refresh token of a transfer (transfer terminated or completed); returns how many were active. */
export async function retireRefreshTokensOfTransfer(tx: TenantTx, transferId: string): Promise<number> {
  const rows = await tx.query(`UPDATE credential_refresh_tokens SET status = 'retired' WHERE tenant_id = $1 AND transfer_id = $2 AND status = 'active' RETURNING token_hash`,
    [tx.tenantId, transferId]);
  return rows.length;
}

export async function deleteRefreshTokens(tx: TenantTx): Promise<void> {
  await tx.query('DELETE FROM credential_refresh_tokens WHERE tenant_id = $1', [tx.tenantId]);
}
