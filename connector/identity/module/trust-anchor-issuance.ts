// Issues dev-trust-anchor credentials into tenants' wallets, revokes them, and lists what a tenant holds (audited, no HTTP).
import { appendAudit } from '../../audit/audit-log';
import { fail, ok, type Result } from '../../common/result';
import type { Database, TenantTx } from '../../store/database';
import type { CatenaXCredentialType, DevTrustAnchor } from '../dev-trust-anchor';
import { heldCredentialFromJwt, type HeldCredential, type HeldCredentialRepository } from '../held-credential-repository';
import { parseCredentialJwt } from '../vc-jwt';
import type { TrustAnchorState } from './trust-anchor-store';

export const STANDARD_CREDENTIAL_TYPES: readonly CatenaXCredentialType[] = ['MembershipCredential', 'BpnCredential', 'DataExchangeGovernanceCredential'];

/** What the operator sees of an issued or held credential (never the JWT itself). */
export interface CredentialSummary {
  readonly id: string;
  readonly types: readonly string[];
  readonly issuer: string;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  /** Set for credentials of the dev trust anchor: whether its revocation bit is set. */
  readonly revoked?: boolean;
  readonly statusListIndex?: number;
}

export interface IssueTarget {
  readonly tenantId: string;
  readonly did: string;
  readonly bpn: string;
}

/** The trust anchor's operations on tenants' wallets. */
export interface TrustAnchorIssuance {
  readonly did: string;
  /** Issues `types` to the tenant through the anchor and stores them as held credentials. `bad-request` for unknown types. */
  issue(target: IssueTarget, types: readonly string[], actor: string, requestId?: string): Promise<Result<CredentialSummary[]>>;
  /** Sets the revocation bit of an anchor-issued credential; optionally removes it from the wallet. `not-found` if unknown. */
  revoke(tenantId: string, credentialId: string, options: { removeFromWallet: boolean; actor: string; requestId?: string }): Promise<Result<CredentialSummary>>;
  /** Revokes every unrevoked credential the anchor issued to the tenant (offboarding); returns how many. */
  revokeAllOf(tenantId: string): Promise<number>;
}

interface IssuedRow {
  credential_id: string;
  type: string;
  list_index: number;
  issued_at: Date | string;
  valid_until: Date | string;
  revoked_at: Date | string | null;
}

const iso = (d: Date | string | null | undefined): string | null => (d === null || d === undefined ? null : new Date(d).toISOString());

export function isCatenaXType(value: string): value is CatenaXCredentialType {
  return (STANDARD_CREDENTIAL_TYPES as readonly string[]).includes(value);
}

/** Lists a tenant's held credentials, marking those the anchor issued with their revocation state. */
export async function listHeldCredentials(tx: TenantTx, repo: HeldCredentialRepository): Promise<CredentialSummary[]> {
  const held = await repo.list(tx);
  const issued = await tx.query<IssuedRow>('SELECT credential_id, type, list_index, issued_at, valid_until, revoked_at FROM trust_anchor_issued WHERE tenant_id = $1', [tx.tenantId]);
  const byId = new Map(issued.map((r) => [r.credential_id, r]));
  return held.map((c) => {
    const row = byId.get(c.id);
    const base = { id: c.id, types: c.types, issuer: c.issuer, validFrom: iso(c.validFrom), validUntil: iso(c.validUntil) };
    return row === undefined ? base : { ...base, revoked: row.revoked_at !== null, statusListIndex: Number(row.list_index) };
  });
}

export function createTrustAnchorIssuance(deps: {
  db: Pick<Database, 'withTenant'>;
  anchor: () => Promise<DevTrustAnchor>;
  anchorDid: string;
  state: TrustAnchorState;
  heldCredentials: HeldCredentialRepository;
  now: () => Date;
}): TrustAnchorIssuance {
  return {
    did: deps.anchorDid,

    async issue(target, types, actor, requestId) {
      const unknown = types.filter((t) => !isCatenaXType(t));
      if (unknown.length > 0 || types.length === 0) {
        return fail('bad-request', `types must be a non-empty subset of ${STANDARD_CREDENTIAL_TYPES.join(', ')}`, [{ path: '/types', message: 'unsupported credential type', invalidValue: unknown }]);
      }
      const anchor = await deps.anchor();
      const records: { type: CatenaXCredentialType; held: HeldCredential; index: number }[] = [];
      for (const type of new Set(types.filter(isCatenaXType))) {
        const issued = await anchor.issue(type, target.did, target.bpn);
        if (!issued.ok) return fail(issued.reason, issued.message);
        const held = heldCredentialFromJwt(issued.value.jwt);
        const parsed = parseCredentialJwt(issued.value.jwt);
        if (!held.ok || !parsed.ok || parsed.value.status[0] === undefined) throw new Error('trust anchor produced an unreadable credential');
        records.push({ type, held: held.value, index: parsed.value.status[0].statusListIndex });
      }
      await deps.db.withTenant(target.tenantId, async (tx) => {
        for (const r of records) {
          await deps.heldCredentials.save(tx, r.held);
          await tx.query(
            `INSERT INTO trust_anchor_issued (tenant_id, credential_id, type, holder_did, list_index, issued_at, valid_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [tx.tenantId, r.held.id, r.type, target.did, r.index, (r.held.validFrom ?? deps.now()).toISOString(), (r.held.validUntil ?? deps.now()).toISOString()],
          );
          await appendAudit(tx, { actor, action: 'credential.issue', target: `credential/${r.held.id}`, after: { type: r.type, issuer: r.held.issuer }, requestId }, deps.now());
        }
      });
      return ok(
        records.map((r) => ({
          id: r.held.id, types: r.held.types, issuer: r.held.issuer, validFrom: iso(r.held.validFrom), validUntil: iso(r.held.validUntil), revoked: false, statusListIndex: r.index,
        })),
      );
    },

    async revoke(tenantId, credentialId, options) {
      const rows = await deps.db.withTenant(tenantId, (tx) =>
        tx.query<IssuedRow>('SELECT credential_id, type, list_index, issued_at, valid_until, revoked_at FROM trust_anchor_issued WHERE tenant_id = $1 AND credential_id = $2', [tx.tenantId, credentialId]),
      );
      const row = rows[0];
      if (row === undefined) return fail('not-found', `the trust anchor issued no credential ${credentialId} to this tenant`);
      // The bit first: if the bookkeeping below fails, the credential is still revoked (the safe direction).
      await deps.state.setRevoked([Number(row.list_index)]);
      await deps.db.withTenant(tenantId, async (tx) => {
        await tx.query('UPDATE trust_anchor_issued SET revoked_at = coalesce(revoked_at, $3) WHERE tenant_id = $1 AND credential_id = $2', [tx.tenantId, credentialId, deps.now().toISOString()]);
        if (options.removeFromWallet) await deps.heldCredentials.remove(tx, credentialId);
        await appendAudit(tx, { actor: options.actor, action: 'credential.revoke', target: `credential/${credentialId}`, after: { removeFromWallet: options.removeFromWallet }, requestId: options.requestId }, deps.now());
      });
      return ok({ id: credentialId, types: ['VerifiableCredential', row.type], issuer: deps.anchorDid, validFrom: iso(row.issued_at), validUntil: iso(row.valid_until), revoked: true, statusListIndex: Number(row.list_index) });
    },

    async revokeAllOf(tenantId) {
      const rows = await deps.db.withTenant(tenantId, (tx) =>
        tx.query<{ list_index: number }>('SELECT list_index FROM trust_anchor_issued WHERE tenant_id = $1 AND revoked_at IS NULL', [tx.tenantId]),
      );
      await deps.state.setRevoked(rows.map((r) => Number(r.list_index)));
      return rows.length;
    },
  };
}
