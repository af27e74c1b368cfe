// Per data-plane request: does the agreement still hold in the policy.monitor scope? Cached per agreement until its verdict can next change.
import { createCatenaXFunctions, createPolicyEngine, forEachAtomic, rulesOf, type Policy, type PolicyContext, type PolicyEngine, type Rule } from '../../policies/index';
import { DAY_MS, parseDateOperand, resolveDate } from '../../policies/catenax/operand-checks';
import { denialReason } from '../catalog-service/participant';
import type { ContractAgreementRecord, NegotiationStore } from '../negotiation/negotiation-store';
import type { Database } from '../store/database';

export type UsageVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface UsagePolicyGuard {
  /**
   * Whether the provider agreement `agreementId` of `tenantId` still permits use now (its policy in the `policy.monitor`
   * scope: end dates, in-force dates). A missing agreement is refused. Cached; never throws for a bad policy.
   */
  check(tenantId: string, agreementId: string): Promise<UsageVerdict>;
}

export interface UsagePolicyGuardDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly agreements: Pick<NegotiationStore, 'findAgreement'>;
  /** Default: the Catena-X engine (as the control plane builds it). */
  readonly engine?: PolicyEngine;
  readonly now: () => Date;
  /** Longest reuse of a verdict, also when no date in the policy bounds it (default 60 000 ms). */
  readonly ttlMs?: number;
  /** Bound on cached agreements over all tenants (default 10 000). */
  readonly maxEntries?: number;
}

/** The context the monitor evaluates an agreement in: no credentials are re-presented, only time-bound terms apply. */
export function monitorContext(agreement: ContractAgreementRecord, now: Date): PolicyContext {
  return {
    now,
    counterParty: { did: agreement.counterPartyId, ...(agreement.counterPartyBpn !== undefined ? { bpn: agreement.counterPartyBpn } : {}), credentials: [] },
    agreement: { id: agreement.id, signedAt: new Date(agreement.signingDate), assetId: agreement.assetId, policy: agreement.policy },
  };
}

function allRules(rules: readonly Rule[]): Rule[] {
  return rules.flatMap((r) => [r, ...allRules(r.duties ?? [])]);
}

/**
 * The first instant after `now` at which a time-bound constraint of `policy` can flip: each date operand (fixed, or
 * relative to the signing date) and each `…DurationDays` end, at that millisecond and the next one (`<=` vs `<`).
 */
export function nextVerdictChange(policy: Policy, signedAt: Date, now: Date): number | undefined {
  const instants: number[] = [];
  for (const { rule } of rulesOf(policy)) {
    for (const r of allRules([rule])) {
      forEachAtomic(r.constraints, '', (c) => {
        for (const literal of c.rightOperand) {
          const raw = String(literal.value);
          const date = parseDateOperand(raw);
          const at = date !== undefined ? resolveDate(date, signedAt)
            : c.leftOperand.endsWith('DurationDays') && /^[1-9][0-9]*$/.test(raw) ? signedAt.getTime() + Number(raw) * DAY_MS
            : undefined;
          if (at !== undefined) instants.push(at, at + 1);
        }
      });
    }
  }
  const later = instants.filter((t) => t > now.getTime());
  return later.length === 0 ? undefined : Math.min(...later);
}

export function createUsagePolicyGuard(deps: UsagePolicyGuardDeps): UsagePolicyGuard {
  const engine = deps.engine ?? createPolicyEngine({ functions: createCatenaXFunctions() });
  const ttlMs = deps.ttlMs ?? 60_000;
  const maxEntries = deps.maxEntries ?? 10_000;
  const cache = new Map<string, { verdict: UsageVerdict; until: number }>();

  function evaluate(agreement: ContractAgreementRecord | undefined, now: Date): { verdict: UsageVerdict; until: number } {
    if (agreement === undefined || agreement.role !== 'provider') return { verdict: { allowed: false, reason: 'agreement no longer exists' }, until: now.getTime() + ttlMs };
    const result = engine.evaluate(agreement.policy, 'policy.monitor', monitorContext(agreement, now));
    const verdict: UsageVerdict = result.allowed ? { allowed: true } : { allowed: false, reason: `policy no longer satisfied: ${denialReason(result.explanation)}` };
    const change = nextVerdictChange(agreement.policy, new Date(agreement.signingDate), now);
    return { verdict, until: Math.min(now.getTime() + ttlMs, change ?? Number.POSITIVE_INFINITY) };
  }

  return {
    async check(tenantId, agreementId) {
      const key = `${tenantId}\u0000${agreementId}`;
      const now = deps.now();
      const hit = cache.get(key);
      if (hit !== undefined && hit.until > now.getTime()) return hit.verdict;
      const agreement = await deps.db.withTenant(tenantId, (tx) => deps.agreements.findAgreement(tx, agreementId));
      const entry = evaluate(agreement, now);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, entry);
      return entry.verdict;
    },
  };
}
