// Partner PACT hosts a tenant sends events to: endpoints, API version, subscription flag; secrets in the SecretBox.
import { randomUUID } from 'node:crypto';
import type { TenantTx } from '../../connector/store/database';
import type { PactApiVersion } from '../api/pact-errors';

export interface PactPartner {
  readonly id: string;
  readonly name: string;
  /** The partner's PACT base URL; events go to `${baseUrl}/{2|3}/events`. */
  readonly baseUrl: string;
  /** Where the partner's `auth/token` (or OIDC discovery document) lives; usually `baseUrl`. */
  readonly authBaseUrl: string;
  readonly apiVersion: PactApiVersion;
  /** Our client id at the partner's token endpoint. */
  readonly clientId: string;
  /** True when the partner receives Published events for this tenant's footprints. */
  readonly subscribed: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface NewPartner {
  readonly name: string;
  readonly baseUrl: string;
  readonly authBaseUrl: string;
  readonly apiVersion: PactApiVersion;
  readonly clientId: string;
  readonly subscribed: boolean;
  readonly createdBy: string;
}

interface PartnerRow {
  id: string;
  name: string;
  base_url: string;
  auth_base_url: string;
  api_version: string;
  client_id: string;
  subscribed: boolean;
  created_by: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

/** SecretBox name of a partner's client secret. */
export function partnerSecretName(partnerId: string): string {
  return `pact-partner/${partnerId}`;
}

/**
 * The canonical form of a PACT base URL or CloudEvents `source`: scheme-relative `//host/path` becomes https, the
 * host is lower-cased, a trailing `/`, `/events` or `/{2,3}/events` is removed. Undefined when not http(s).
 */
export function canonicalBaseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.startsWith('//') ? `https:${value}` : value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/(2|3)\/events$/, '').replace(/\/events$/, '');
  return `${url.protocol}//${url.host.toLowerCase()}${path}`;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toPartner(r: PartnerRow): PactPartner {
  return {
    id: r.id, name: r.name, baseUrl: r.base_url, authBaseUrl: r.auth_base_url, apiVersion: r.api_version === '2' ? '2' : '3',
    clientId: r.client_id, subscribed: r.subscribed, createdBy: r.created_by, createdAt: iso(r.created_at) as string, revokedAt: iso(r.revoked_at),
  };
}

/** Persistence of partners; every call runs inside the caller's tenant transaction. */
export interface PartnerStore {
  /** Inserts a partner with a new id. */
  insert(tx: TenantTx, partner: NewPartner, at: Date): Promise<PactPartner>;
  /** Every partner, newest first, revoked included. */
  list(tx: TenantTx): Promise<PactPartner[]>;
  /** An active partner by id. */
  get(tx: TenantTx, id: string): Promise<PactPartner | undefined>;
  /** The active partner whose base URL is the canonical form of `source`. */
  findBySource(tx: TenantTx, source: string): Promise<PactPartner | undefined>;
  /** Active partners subscribed to Published events. */
  subscribers(tx: TenantTx): Promise<PactPartner[]>;
  /** Revokes an active partner; the partner, or undefined when absent. */
  revoke(tx: TenantTx, id: string, at: Date): Promise<PactPartner | undefined>;
}

export function createPartnerStore(): PartnerStore {
  return {
    async insert(tx, p, at) {
      const rows = await tx.query<PartnerRow>(
        `INSERT INTO pact_partners (tenant_id, id, name, base_url, auth_base_url, api_version, client_id, subscribed, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [tx.tenantId, randomUUID(), p.name, p.baseUrl, p.authBaseUrl, p.apiVersion, p.clientId, p.subscribed, p.createdBy, at.toISOString()],
      );
      return toPartner(rows[0]);
    },
    async list(tx) {
      return (await tx.query<PartnerRow>('SELECT * FROM pact_partners WHERE tenant_id = $1 ORDER BY created_at DESC, id', [tx.tenantId])).map(toPartner);
    },
    async get(tx, id) {
      const rows = await tx.query<PartnerRow>('SELECT * FROM pact_partners WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tx.tenantId, id]);
      return rows[0] === undefined ? undefined : toPartner(rows[0]);
    },
    async findBySource(tx, source) {
      const base = canonicalBaseUrl(source);
      if (base === undefined) return undefined;
      const rows = await tx.query<PartnerRow>(
        'SELECT * FROM pact_partners WHERE tenant_id = $1 AND base_url = $2 AND revoked_at IS NULL ORDER BY created_at LIMIT 1',
        [tx.tenantId, base],
      );
      return rows[0] === undefined ? undefined : toPartner(rows[0]);
    },
    async subscribers(tx) {
      const rows = await tx.query<PartnerRow>('SELECT * FROM pact_partners WHERE tenant_id = $1 AND subscribed AND revoked_at IS NULL ORDER BY id', [tx.tenantId]);
      return rows.map(toPartner);
    },
    async revoke(tx, id, at) {
      const rows = await tx.query<PartnerRow>(
        'UPDATE pact_partners SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING *',
        [tx.tenantId, id, at.toISOString()],
      );
      return rows[0] === undefined ? undefined : toPartner(rows[0]);
    },
  };
}
