// Storage of the credentials a tenant holds (table identity_held_credentials); every method runs in a tenant transaction.
import type { TenantTx } from '../store/database';
import { identityFailure, type IdentityResult } from './failures';
import { parseCredentialJwt } from './vc-jwt';

export interface HeldCredential {
  readonly id: string;
  readonly types: readonly string[];
  readonly issuer: string;
  readonly format: 'jwt_vc';
  /** The credential as issued (compact JWS). */
  readonly raw: string;
  readonly validFrom?: Date;
  readonly validUntil?: Date;
}

/** A tenant's wallet storage. Rows of other tenants are invisible (row-level security). */
export interface HeldCredentialRepository {
  /** Inserts or replaces the credential with the same id. */
  save(tx: TenantTx, credential: HeldCredential): Promise<void>;
  /** Credentials having at least one of `types`. */
  findByTypes(tx: TenantTx, types: readonly string[]): Promise<HeldCredential[]>;
  /** Credentials with one of `ids`. */
  findByIds(tx: TenantTx, ids: readonly string[]): Promise<HeldCredential[]>;
  list(tx: TenantTx): Promise<HeldCredential[]>;
  /** True when a credential was removed. */
  remove(tx: TenantTx, id: string): Promise<boolean>;
}

/** Builds a storable record from a JWT VC (the signature is the issuer's business; we store what we were given). */
export function heldCredentialFromJwt(jwt: string): IdentityResult<HeldCredential> {
  const parsed = parseCredentialJwt(jwt);
  if (!parsed.ok) return parsed;
  const { id, types, issuer, validFrom, validUntil } = parsed.value;
  if (id === undefined) return identityFailure('credential-invalid', 'credential has no id');
  return { ok: true, value: { id, types, issuer, format: 'jwt_vc', raw: jwt, validFrom, validUntil } };
}

interface Row {
  id: string;
  types: string[];
  issuer: string;
  format: string;
  raw: string;
  valid_from: Date | string | null;
  valid_until: Date | string | null;
}

const COLUMNS = 'id, types, issuer, format, raw, valid_from, valid_until';

function toDate(v: Date | string | null): Date | undefined {
  return v === null ? undefined : new Date(v);
}

function fromRow(r: Row): HeldCredential {
  return { id: r.id, types: r.types, issuer: r.issuer, format: 'jwt_vc', raw: r.raw, validFrom: toDate(r.valid_from), validUntil: toDate(r.valid_until) };
}

/** SQL repository; besides row-level security every statement names the tenant explicitly (defence in depth). */
export function createSqlHeldCredentialRepository(): HeldCredentialRepository {
  return {
    async save(tx, c) {
      await tx.query(
        `INSERT INTO identity_held_credentials (tenant_id, id, types, issuer, format, raw, valid_from, valid_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, id) DO UPDATE SET types = EXCLUDED.types, issuer = EXCLUDED.issuer, format = EXCLUDED.format,
           raw = EXCLUDED.raw, valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until`,
        [tx.tenantId, c.id, [...c.types], c.issuer, c.format, c.raw, c.validFrom?.toISOString() ?? null, c.validUntil?.toISOString() ?? null],
      );
    },
    async findByTypes(tx, types) {
      if (types.length === 0) return [];
      const rows = await tx.query<Row>(`SELECT ${COLUMNS} FROM identity_held_credentials WHERE tenant_id = $1 AND types && $2::text[] ORDER BY id`, [tx.tenantId, [...types]]);
      return rows.map(fromRow);
    },
    async findByIds(tx, ids) {
      if (ids.length === 0) return [];
      const rows = await tx.query<Row>(`SELECT ${COLUMNS} FROM identity_held_credentials WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id`, [tx.tenantId, [...ids]]);
      return rows.map(fromRow);
    },
    async list(tx) {
      return (await tx.query<Row>(`SELECT ${COLUMNS} FROM identity_held_credentials WHERE tenant_id = $1 ORDER BY id`, [tx.tenantId])).map(fromRow);
    },
    async remove(tx, id) {
      return (await tx.query('DELETE FROM identity_held_credentials WHERE tenant_id = $1 AND id = $2 RETURNING id', [tx.tenantId, id])).length === 1;
    },
  };
}
