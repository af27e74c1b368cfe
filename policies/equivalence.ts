// Normalised policy equality, used at negotiation: the consumer's offer must carry the provider's rules exactly.
import type { AtomicConstraint, Constraint, Policy, Rule } from './model';
import { canonicalLiteral } from './operators';
import { SET_OPERATORS } from './vocabulary';

export interface EquivalenceOptions {
  /** Also compare `target` (default false: the consumer adds the target to the catalog offer). */
  readonly compareTarget?: boolean;
}

function canonicalAtomic(c: AtomicConstraint): string {
  const values = c.rightOperand.map(canonicalLiteral);
  if (SET_OPERATORS.has(c.operator) || c.operator === 'eq' || c.operator === 'neq') values.sort();
  const unique = SET_OPERATORS.has(c.operator) ? [...new Set(values)] : values;
  return `(${JSON.stringify(c.leftOperand)} ${c.operator} [${unique.join(',')}])`;
}

/**
 * Flattens a constraint into its canonical string: nested `and` (and `or`) of the same kind are merged, single-child
 * logical constraints collapse to the child, `and`/`or`/`xone` are order-insensitive sets, `andSequence` keeps order.
 */
function canonicalConstraint(c: Constraint): string {
  if (c.type === 'atomic') return canonicalAtomic(c);
  if (c.operator === 'andSequence') return `andSequence(${c.constraints.map(canonicalConstraint).join(',')})`;
  const members = c.operator === 'xone' ? c.constraints.map(canonicalConstraint) : flatten(c.constraints, c.operator);
  const unique = [...new Set(members)].sort();
  if (unique.length === 1 && c.operator !== 'xone') return unique[0] as string;
  return `${c.operator}(${unique.join(',')})`;
}

function flatten(constraints: readonly Constraint[], op: 'and' | 'or'): string[] {
  const out: string[] = [];
  for (const c of constraints) {
    if (c.type === 'logical' && c.operator === op) out.push(...flatten(c.constraints, op));
    else out.push(canonicalConstraint(c));
  }
  return out;
}

function canonicalRule(r: Rule, compareTarget: boolean): string {
  const constraints = [...new Set(flatten(r.constraints, 'and'))].sort();
  const duties = [...new Set((r.duties ?? []).map((d) => canonicalRule(d, compareTarget)))].sort();
  const target = compareTarget && r.target !== undefined ? ` @${r.target}` : '';
  return `${r.kind} ${r.action}${target} {${constraints.join(',')}}${duties.length > 0 ? ` duties[${duties.join(',')}]` : ''}`;
}

/** A canonical string of a policy's rules; equal strings mean equivalent policies. */
export function canonicalPolicyKey(policy: Policy, opts: EquivalenceOptions = {}): string {
  const compareTarget = opts.compareTarget ?? false;
  const rules = [...policy.permissions, ...policy.prohibitions, ...policy.obligations].map((r) => canonicalRule(r, compareTarget));
  const target = compareTarget ? `target=${policy.target ?? ''};` : '';
  return `${target}${[...new Set(rules)].sort().join(';')}`;
}

/**
 * True when two policies have the same rules after normalisation: rule and constraint order, nesting of `and`,
 * compact names vs IRIs (already unified by the parser), scalar vs one-element array and numeric vs string forms
 * (`5` = `"5"`) do not matter. Ids, policy class (Offer/Agreement), assigner/assignee and timestamps are not compared.
 */
export function policiesEquivalent(a: Policy, b: Policy, opts: EquivalenceOptions = {}): boolean {
  return canonicalPolicyKey(a, opts) === canonicalPolicyKey(b, opts);
}
