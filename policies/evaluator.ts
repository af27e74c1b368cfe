// Fast evaluation: a policy is compiled once (functions resolved, paths and display fields fixed), then evaluated per request.
import type { PolicyContext } from './context';
import type {
  AtomicExplanation,
  ConstraintExplanation,
  ConstraintFunction,
  PolicyScope,
  RuleExplanation,
  Verdict,
} from './engine-types';
import type { AtomicConstraint, Constraint, LogicalOperator, Operator, Policy, Rule, RuleKind, Scalar } from './model';
import { rulesOf } from './model';
import { SET_OPERATORS, displayName } from './vocabulary';

/** Resolves the function for a left operand and rule kind, or explains why there is none. */
export type FunctionLookup = (c: AtomicConstraint, ruleKind: RuleKind) =>
  | { readonly ok: true; readonly fn: ConstraintFunction }
  | { readonly ok: false; readonly message: string };

interface CompiledAtomic {
  readonly type: 'atomic';
  readonly path: string;
  readonly constraint: AtomicConstraint;
  readonly leftOperand: string;
  readonly operator: Operator;
  readonly rightOperand: Scalar | Scalar[];
  readonly fn?: ConstraintFunction;
  /** Set when the constraint cannot be evaluated at all (no function, invalid operands). */
  readonly error?: string;
}

interface CompiledLogical {
  readonly type: 'logical';
  readonly path: string;
  readonly operator: LogicalOperator;
  readonly children: readonly CompiledNode[];
}

type CompiledNode = CompiledAtomic | CompiledLogical;

interface CompiledRule {
  readonly path: string;
  readonly kind: RuleKind;
  readonly action: string;
  readonly constraints: readonly CompiledNode[];
  readonly duties?: readonly CompiledRule[];
}

export type CompiledPolicy = readonly CompiledRule[];

/** Combines child verdicts of a logical constraint (an `and` for a rule's constraint list). */
export function combineVerdicts(op: LogicalOperator, verdicts: readonly Verdict[]): Verdict {
  let satisfied = 0;
  let contractual = 0;
  let unsatisfied = 0;
  let firstMet: Verdict | undefined;
  for (const v of verdicts) {
    if (v === 'error') return 'error';
    if (v === 'satisfied') satisfied++;
    else if (v === 'contractual') contractual++;
    else if (v === 'unsatisfied') unsatisfied++;
    if ((v === 'satisfied' || v === 'contractual') && firstMet === undefined) firstMet = v;
  }
  if (satisfied + contractual + unsatisfied === 0) return 'not-applicable';
  if (op === 'and' || op === 'andSequence') {
    if (unsatisfied > 0) return 'unsatisfied';
    return satisfied > 0 ? 'satisfied' : 'contractual';
  }
  if (op === 'or') {
    if (satisfied > 0) return 'satisfied';
    return contractual > 0 ? 'contractual' : 'unsatisfied';
  }
  return satisfied + contractual === 1 ? (firstMet as Verdict) : 'unsatisfied';
}

function scalars(c: AtomicConstraint): Scalar | Scalar[] {
  const single = c.rightOperand.length === 1 && !SET_OPERATORS.has(c.operator);
  return single ? (c.rightOperand[0]?.value as Scalar) : c.rightOperand.map((l) => l.value);
}

function compileNode(
  c: Constraint,
  path: string,
  ruleKind: RuleKind,
  lookup: FunctionLookup,
  problemsOf: (c: AtomicConstraint, fn: ConstraintFunction) => readonly string[],
): CompiledNode {
  if (c.type === 'logical') {
    const children = c.constraints.map((x, i) => compileNode(x, `${path}.${c.operator}[${i}]`, ruleKind, lookup, problemsOf));
    return { type: 'logical', path, operator: c.operator, children };
  }
  const base = { type: 'atomic' as const, path, constraint: c, leftOperand: displayName(c.leftOperand), operator: c.operator, rightOperand: scalars(c) };
  const found = lookup(c, ruleKind);
  if (!found.ok) return { ...base, error: found.message };
  const problems = problemsOf(c, found.fn);
  return problems.length > 0 ? { ...base, fn: found.fn, error: problems.join('; ') } : { ...base, fn: found.fn };
}

function compileRule(rule: Rule, path: string, lookup: FunctionLookup, problemsOf: Parameters<typeof compileNode>[4]): CompiledRule {
  const duties = rule.duties?.map((d, i) => compileRule(d, `${path}.duty[${i}]`, lookup, problemsOf));
  return {
    path,
    kind: rule.kind,
    action: displayName(rule.action),
    constraints: rule.constraints.map((c, i) => compileNode(c, `${path}.constraint[${i}]`, rule.kind, lookup, problemsOf)),
    ...(duties !== undefined ? { duties } : {}),
  };
}

export function compilePolicy(policy: Policy, lookup: FunctionLookup, problemsOf: Parameters<typeof compileNode>[4]): CompiledPolicy {
  return rulesOf(policy).map(({ rule, path }) => compileRule(rule, path, lookup, problemsOf));
}

function explainAtomic(n: CompiledAtomic, verdict: Verdict, reason: string | undefined, observed?: AtomicExplanation['observed']): AtomicExplanation {
  const e: {
    -readonly [K in keyof AtomicExplanation]: AtomicExplanation[K];
  } = {
    type: 'atomic',
    path: n.path,
    leftOperand: n.leftOperand,
    leftOperandIri: n.constraint.leftOperand,
    operator: n.operator,
    rightOperand: n.rightOperand,
    verdict,
  };
  if (n.fn !== undefined) e.function = n.fn.name;
  if (observed !== undefined) e.observed = observed;
  if (reason !== undefined) e.reason = reason;
  return e;
}

function evalNode(n: CompiledNode, ruleKind: RuleKind, scope: PolicyScope, ctx: PolicyContext): ConstraintExplanation {
  if (n.type === 'logical') {
    const constraints = n.children.map((x) => evalNode(x, ruleKind, scope, ctx));
    const verdict = combineVerdicts(n.operator, constraints.map((x) => x.verdict));
    return { type: 'logical', path: n.path, operator: n.operator, verdict, constraints };
  }
  if (n.error !== undefined || n.fn === undefined) return explainAtomic(n, 'error', n.error);
  const fn = n.fn;
  if (!fn.scopes.includes(scope)) return explainAtomic(n, 'not-applicable', `${fn.name} is not evaluated in scope ${scope}`);
  try {
    const out = fn.evaluate(n.constraint, { context: ctx, scope, ruleKind });
    return explainAtomic(n, out.verdict, out.reason, out.observed);
  } catch (err) {
    return explainAtomic(n, 'error', `${fn.name} failed: ${(err as Error).message}`);
  }
}

const MET: ReadonlySet<Verdict> = new Set(['satisfied', 'contractual', 'not-applicable']);

export function evalRule(rule: CompiledRule, scope: PolicyScope, ctx: PolicyContext): RuleExplanation {
  const constraints = rule.constraints.map((c) => evalNode(c, rule.kind, scope, ctx));
  const verdict = constraints.length === 0 ? 'satisfied' : combineVerdicts('and', constraints.map((x) => x.verdict));
  const duties = rule.duties?.map((d) => evalRule(d, scope, ctx));
  let passed: boolean;
  let reason: string | undefined;
  if (rule.kind === 'prohibition') {
    passed = verdict === 'unsatisfied' || verdict === 'contractual' || verdict === 'not-applicable';
    if (verdict === 'contractual') reason = 'contractual prohibition: binds the consumer, not checked at run time';
    else if (!passed) reason = verdict === 'error' ? 'prohibition could not be evaluated' : 'prohibited action applies';
  } else {
    passed = MET.has(verdict) && (duties === undefined || duties.every((d) => d.passed));
    if (!passed) {
      reason = verdict === 'error' ? `${rule.kind} could not be evaluated`
        : MET.has(verdict) ? 'a duty is not fulfilled' : `${rule.kind} constraints not met`;
    }
  }
  const e: { -readonly [K in keyof RuleExplanation]: RuleExplanation[K] } = {
    path: rule.path,
    kind: rule.kind,
    action: rule.action,
    verdict,
    passed,
    constraints,
  };
  if (reason !== undefined) e.reason = reason;
  if (duties !== undefined) e.duties = duties;
  return e;
}
