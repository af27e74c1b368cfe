// Whether a provider counter-offer stays within what the contract policy allows: it may narrow, never widen.
import { canonicalPolicyKey, type Constraint, type Policy, type Rule } from '../../policies/index';
import { fail, ok, type Result } from '../common/result';

/** The canonical key of one rule, or of one constraint (as a single-constraint rule of a fixed action). */
function ruleKey(rule: Rule): string {
  return canonicalPolicyKey({ type: 'Set', permissions: [], prohibitions: [], obligations: [rule] });
}

function constraintKey(c: Constraint): string {
  return ruleKey({ kind: 'obligation', action: 'urn:constraint', constraints: [c] });
}

/** Top-level constraints with nested `and`s opened up (a rule's list is an implicit `and`). */
function conjuncts(constraints: readonly Constraint[]): string[] {
  return constraints.flatMap((c) => (c.type === 'logical' && c.operator === 'and' ? conjuncts(c.constraints) : [constraintKey(c)]));
}

/** `narrow` grants at most what `wide` grants: same action, every constraint and duty of `wide` kept (more may be added). */
function narrows(narrow: Rule, wide: Rule): boolean {
  if (narrow.action !== wide.action) return false;
  const have = new Set(conjuncts(narrow.constraints));
  if (!conjuncts(wide.constraints).every((k) => have.has(k))) return false;
  const duties = new Set((narrow.duties ?? []).map(ruleKey));
  return (wide.duties ?? []).every((d) => duties.has(ruleKey(d)));
}

/**
 * Checks that `counter` is a policy the provider would still agree to, given the contract definition's `contract`
 * policy: every permission of the counter-offer narrows a permission of the contract policy (same action, all of its
 * constraints and duties, optionally more), and every prohibition and obligation of the contract policy is kept
 * (more may be added). A counter-offer therefore never grants anything the contract policy does not.
 */
export function checkCounterOffer(counter: Policy, contract: Policy): Result<true> {
  if (counter.permissions.length === 0) return fail('bad-request', 'policy: a counter-offer needs at least one permission');
  for (const [i, p] of counter.permissions.entries()) {
    if (!contract.permissions.some((w) => narrows(p, w))) {
      return fail('bad-request', `policy.permission[${i}]: grants more than the contract policy (each permission must keep the action, constraints and duties of a contract permission)`);
    }
  }
  for (const kind of ['prohibitions', 'obligations'] as const) {
    const have = new Set(counter[kind].map(ruleKey));
    const missing = contract[kind].findIndex((r) => !have.has(ruleKey(r)));
    if (missing >= 0) return fail('bad-request', `policy: the contract policy's ${kind.slice(0, -1)} [${missing}] must be kept`);
  }
  return ok(true);
}
