// Agreements this runtime stored, kept in memory: an agreement never changes, so a transfer can start from its copy.
import type { TenantTx } from '../store/database';
import type { ContractAgreementRecord } from './negotiation-store';
import { forgetKeysOf } from './recent-processes';

export interface AgreementCopies {
  /** Records an agreement once its transaction has committed. */
  remember(tenantId: string, agreement: ContractAgreementRecord): void;
  /** The agreement as stored, or undefined when this runtime did not store it (or has let it go). */
  get(tenantId: string, id: string): ContractAgreementRecord | undefined;
  /** Drops every agreement of the tenant (the tenant was erased). */
  forgetTenant(tenantId: string): void;
  /** Agreements held. */
  count(): number;
}

/** At most `maxEntries` agreements, the least recently stored going first. */
export function createAgreementCopies(maxEntries = 2_000): AgreementCopies {
  const held = new Map<string, ContractAgreementRecord>();
  const keyOf = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;
  return {
    remember(tenantId, agreement) {
      const key = keyOf(tenantId, agreement.id);
      held.delete(key);
      held.set(key, agreement);
      if (held.size > maxEntries) held.delete(held.keys().next().value as string);
    },
    get: (tenantId, id) => held.get(keyOf(tenantId, id)),
    forgetTenant: (tenantId) => forgetKeysOf(held, tenantId),
    count: () => held.size,
  };
}

/**
 * Defers to COMMIT the check that a copied agreement of `role` is still stored and, for a provider, that the negotiation
 * that made it is still in force (FINALIZING or FINALIZED). It fails the commit like a stale process copy
 * (`isConcurrentChange`), rolling everything back, and the caller decides again on what the database holds.
 */
export function checkAgreementAtCommit(tx: TenantTx, agreementId: string, role: 'provider' | 'consumer'): void {
  const inForce = role === 'provider'
    ? `AND EXISTS (SELECT 1 FROM cp_negotiations n WHERE n.tenant_id = a.tenant_id AND n.id = a.negotiation_id AND n.state IN ('FINALIZING', 'FINALIZED'))`
    : '';
  tx.defer(
    `SELECT app_expect_one_row((SELECT count(*) FROM cp_agreements a WHERE a.tenant_id = $1 AND a.id = $2 AND a.role = $3 ${inForce}), 'agreement ' || $2::text)`,
    [tx.tenantId, agreementId, role],
  );
}
