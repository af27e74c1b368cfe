// SQL for the tenant registry, API keys and user role assignments.
import type { SystemTx, TenantTx } from '../store/database';
import type { Role } from './caller';

export interface TenantRecord {
  readonly id: string;
  readonly displayName: string;
  readonly bpn: string;
  readonly region: string;
  readonly credentialMode: 'local' | 'aws';
  readonly awsSettings: Record<string, unknown> | null;
  readonly status: 'active' | 'offboarding';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface UserRoleRecord {
  readonly subject: string;
  readonly role: Role | 'none';
  readonly updatedBy: string;
  readonly updatedAt: string;
}

interface TenantRow {
  id: string; display_name: string; bpn: string; region: string; credential_mode: 'local' | 'aws';
  aws_settings: Record<string, unknown> | null; status: 'active' | 'offboarding'; created_at: Date | string; updated_at: Date | string;
}

const iso = (d: Date | string): string => new Date(d).toISOString();

function toTenant(r: TenantRow): TenantRecord {
  return {
    id: r.id, displayName: r.display_name, bpn: r.bpn, region: r.region, credentialMode: r.credential_mode,
    awsSettings: r.aws_settings, status: r.status, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  };
}

export async function insertTenant(tx: SystemTx, t: Omit<TenantRecord, 'createdAt' | 'updatedAt' | 'status'>): Promise<TenantRecord> {
  const rows = await tx.query<TenantRow>(
    `INSERT INTO tenants (id, display_name, bpn, region, credential_mode, aws_settings) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING RETURNING *`,
    [t.id, t.displayName, t.bpn, t.region, t.credentialMode, t.awsSettings === null ? null : JSON.stringify(t.awsSettings)],
  );
  if (!rows[0]) throw new TenantConflictError();
  return toTenant(rows[0]);
}

export class TenantConflictError extends Error {
  constructor() {
    super('a tenant with this id or BPN exists');
    this.name = 'TenantConflictError';
  }
}

export async function findTenant(tx: SystemTx | TenantTx, id: string): Promise<TenantRecord | undefined> {
  const rows = await tx.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
  return rows[0] ? toTenant(rows[0]) : undefined;
}

export async function tenantExistsWithBpn(tx: SystemTx, bpn: string): Promise<boolean> {
  return (await tx.query('SELECT 1 FROM tenants WHERE bpn = $1', [bpn])).length > 0;
}

export async function listTenants(tx: SystemTx, afterId: string, limit: number): Promise<TenantRecord[]> {
  return (await tx.query<TenantRow>('SELECT * FROM tenants WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit])).map(toTenant);
}

export async function markOffboarding(tx: SystemTx, id: string): Promise<void> {
  await tx.query("UPDATE tenants SET status = 'offboarding', updated_at = now() WHERE id = $1", [id]);
}

interface ApiKeyRow { id: string; name: string; role: Role; created_by: string; created_at: Date | string; revoked_at: Date | string | null; secret_hash: string }

const toApiKey = (r: ApiKeyRow): ApiKeyRecord => ({
  id: r.id, name: r.name, role: r.role, createdBy: r.created_by, createdAt: iso(r.created_at), revokedAt: r.revoked_at === null ? null : iso(r.revoked_at),
});

export async function insertApiKey(tx: TenantTx, key: { id: string; name: string; role: Role; secretHash: string; createdBy: string }): Promise<ApiKeyRecord> {
  const rows = await tx.query<ApiKeyRow>(
    'INSERT INTO api_keys (tenant_id, id, name, role, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
    [tx.tenantId, key.id, key.name, key.role, key.secretHash, key.createdBy],
  );
  return toApiKey(rows[0]);
}

/** The active key's role and hash, for authentication. */
export async function findActiveApiKey(tx: TenantTx, id: string): Promise<{ role: Role; secretHash: string } | undefined> {
  const rows = await tx.query<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
  return rows[0] ? { role: rows[0].role, secretHash: rows[0].secret_hash } : undefined;
}

export async function listApiKeys(tx: TenantTx): Promise<ApiKeyRecord[]> {
  return (await tx.query<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')).map(toApiKey);
}

export async function revokeApiKey(tx: TenantTx, id: string): Promise<ApiKeyRecord | undefined> {
  const rows = await tx.query<ApiKeyRow>('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING *', [id]);
  return rows[0] ? toApiKey(rows[0]) : undefined;
}

interface UserRoleRow { subject: string; role: Role | 'none'; updated_by: string; updated_at: Date | string }
const toUserRole = (r: UserRoleRow): UserRoleRecord => ({ subject: r.subject, role: r.role, updatedBy: r.updated_by, updatedAt: iso(r.updated_at) });

export async function upsertUserRole(tx: TenantTx, subject: string, role: Role | 'none', updatedBy: string): Promise<{ before?: UserRoleRecord; after: UserRoleRecord }> {
  const before = await findUserRole(tx, subject);
  const rows = await tx.query<UserRoleRow>(
    `INSERT INTO user_roles (tenant_id, subject, role, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id, subject) DO UPDATE SET role = EXCLUDED.role, updated_by = EXCLUDED.updated_by, updated_at = now() RETURNING *`,
    [tx.tenantId, subject, role, updatedBy],
  );
  return { before, after: toUserRole(rows[0]) };
}

export async function findUserRole(tx: TenantTx, subject: string): Promise<UserRoleRecord | undefined> {
  const rows = await tx.query<UserRoleRow>('SELECT * FROM user_roles WHERE subject = $1', [subject]);
  return rows[0] ? toUserRole(rows[0]) : undefined;
}

export async function listUserRoles(tx: TenantTx): Promise<UserRoleRecord[]> {
  return (await tx.query<UserRoleRow>('SELECT * FROM user_roles ORDER BY subject')).map(toUserRole);
}

export async function deleteUserRole(tx: TenantTx, subject: string): Promise<UserRoleRecord | undefined> {
  const rows = await tx.query<UserRoleRow>('DELETE FROM user_roles WHERE subject = $1 RETURNING *', [subject]);
  return rows[0] ? toUserRole(rows[0]) : undefined;
}
