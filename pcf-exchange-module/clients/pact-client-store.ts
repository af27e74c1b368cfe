// PACT OAuth clients of a tenant (client-credentials grant at its PACT host): SQL over the tenant transaction.
import { randomBytes } from 'node:crypto';
import type { TenantTx } from '../../connector/store/database';

export interface PactClient {
  readonly clientId: string;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

interface ClientRow {
  id: string;
  name: string;
  secret_hash: string;
  created_by: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toClient(r: ClientRow): PactClient {
  return { clientId: r.id, name: r.name, createdBy: r.created_by, createdAt: iso(r.created_at) as string, revokedAt: iso(r.revoked_at) };
}

/** A new client id: `pact-` + 16 random bytes (base64url). */
export function newClientId(): string {
  return `pact-${randomBytes(16).toString('base64url')}`;
}

/** Persistence of PACT clients; every call runs inside the caller's tenant transaction. */
export interface PactClientStore {
  /** Inserts a client with an already-hashed secret. */
  insert(tx: TenantTx, client: { clientId: string; name: string; secretHash: string; createdBy: string; createdAt: Date }): Promise<PactClient>;
  /** Every client of the tenant, newest first, revoked ones included. */
  list(tx: TenantTx): Promise<PactClient[]>;
  /** The active (not revoked) client and its secret hash, or undefined. */
  findActive(tx: TenantTx, clientId: string): Promise<{ client: PactClient; secretHash: string } | undefined>;
  /** Revokes an active client; the client before revocation, or undefined when absent or already revoked. */
  revoke(tx: TenantTx, clientId: string, at: Date): Promise<PactClient | undefined>;
}

export function createPactClientStore(): PactClientStore {
  return {
    async insert(tx, c) {
      const rows = await tx.query<ClientRow>(
        'INSERT INTO pact_clients (tenant_id, id, name, secret_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [tx.tenantId, c.clientId, c.name, c.secretHash, c.createdBy, c.createdAt.toISOString()],
      );
      return toClient(rows[0]);
    },
    async list(tx) {
      const rows = await tx.query<ClientRow>('SELECT * FROM pact_clients WHERE tenant_id = $1 ORDER BY created_at DESC, id', [tx.tenantId]);
      return rows.map(toClient);
    },
    async findActive(tx, clientId) {
      const rows = await tx.query<ClientRow>('SELECT * FROM pact_clients WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tx.tenantId, clientId]);
      return rows[0] === undefined ? undefined : { client: toClient(rows[0]), secretHash: rows[0].secret_hash };
    },
    async revoke(tx, clientId, at) {
      const rows = await tx.query<ClientRow>(
        'UPDATE pact_clients SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING *',
        [tx.tenantId, clientId, at.toISOString()],
      );
      return rows[0] === undefined ? undefined : { ...toClient(rows[0]), revokedAt: null };
    },
  };
}
