// The policy engine: validation at creation, evaluation per scope with an explanation tree, and evaluation plans.
import type { PolicyContext } from './context';
import type {
  ConstraintExplanation,
  ConstraintFunction,
  EvaluationPlan,
  EvaluationResult,
  PlanConstraintStep,
  PlanRuleStep,
  PolicyEngine,
  PolicyFunctionSet,
  PolicyScope,
  RuleExplanation,
  Verdict,
} from './engine-types';
import type { AtomicConstraint, Constraint, LogicalOperator, PolicyIssue, Rule, RuleKind, Scalar } from './model';
import { forEachAtomic, policyFail, policyOk, rulesOf } from './model';
import { SET_OPERATORS, displayName } from './vocabulary';

export interface PolicyEngineDeps {
  /** A function set (e.g. `createCatenaXFunctions()`) or a plain list of constraint functions. */
  readonly functions: PolicyFunctionSet | readonly ConstraintFunction[];
}

type Lookup =
  | { readonly ok: true; readonly fn: ConstraintFunction }
  | { readonly ok: false; readonly message: string };

/** Combines child verdicts of a logical constraint (an `and` for a rule's constraint list). */
export function combineVerdicts(op: LogicalOperator, verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('error')) return 'error';
  const applicable = verdicts.filter((v) => v !== 'not-applicable');
  if (applicable.length === 0) return 'not-applicable';
  if (op === 'and' || op === 'andSequence') {
    if (applicable.includes('unsatisfied')) return 'unsatisfied';
    return applicable.includes('satisfied') ? 'satisfied' : 'contractual';
  }
  if (op === 'or') {
    if (applicable.includes('satisfied')) return 'satisfied';
    return applicable.includes('contractual') ? 'contractual' : 'unsatisfied';
  }
  const met = applicable.filter((v) => v === 'satisfied' || v === 'contractual');
  return met.length === 1 ? (met[0] as Verdict) : 'unsatisfied';
}

function scalars(c: AtomicConstraint): Scalar | Scalar[] {
  const single = c.rightOperand.length === 1 && !SET_OPERATORS.has(c.operator);
  return single ? (c.rightOperand[0]?.value as Scalar) : c.rightOperand.map((l) => l.value);
}

const MET: ReadonlySet<Verdict> = new Set(['satisfied', 'contractual', 'not-applicable']);

/** Creates a policy engine over a set of constraint functions (and, for a function set, its policy checks). */
export function createPolicyEngine(deps: PolicyEngineDeps): PolicyEngine {
  const set: PolicyFunctionSet = Array.isArray(deps.functions)
    ? { constraints: deps.functions as readonly ConstraintFunction[], checks: [] }
    : (deps.functions as PolicyFunctionSet);
  const byOperand = new Map<string, ConstraintFunction[]>();
  for (const fn of set.constraints) {
    for (const iri of fn.leftOperands) {
      const list = byOperand.get(iri) ?? [];
      list.push(fn);
      byOperand.set(iri, list);
    }
  }
  const validated = new WeakMap<AtomicConstraint, readonly string[]>();

  function lookup(c: AtomicConstraint, ruleKind: RuleKind): Lookup {
    const fns = byOperand.get(c.leftOperand);
    if (fns === undefined) {
      return { ok: false, message: `left operand '${c.leftOperand}' is not understood by any registered constraint function` };
    }
    const fn = fns.find((f) => f.ruleKinds.includes(ruleKind));
    if (fn === undefined) {
      const allowed = [...new Set(fns.flatMap((f) => f.ruleKinds))].join(', ');
      return { ok: false, message: `${displayName(c.leftOperand)} cannot be used in a ${ruleKind} (only in: ${allowed})` };
    }
    return { ok: true, fn };
  }

  function problemsOf(c: AtomicConstraint, fn: ConstraintFunction): readonly string[] {
    let problems = validated.get(c);
    if (problems === undefined) {
      problems = fn.validate(c);
      validated.set(c, problems);
    }
    return problems;
  }

  function evalAtomic(c: AtomicConstraint, path: string, ruleKind: RuleKind, scope: PolicyScope, ctx: PolicyContext): ConstraintExplanation {
    const base = {
      type: 'atomic' as const,
      path,
      leftOperand: displayName(c.leftOperand),
      leftOperandIri: c.leftOperand,
      operator: c.operator,
      rightOperand: scalars(c),
    };
    const found = lookup(c, ruleKind);
    if (!found.ok) return { ...base, verdict: 'error', reason: found.message };
    const { fn } = found;
    if (!fn.scopes.includes(scope)) {
      return { ...base, function: fn.name, verdict: 'not-applicable', reason: `${fn.name} is not evaluated in scope ${scope}` };
    }
    const problems = problemsOf(c, fn);
    if (problems.length > 0) return { ...base, function: fn.name, verdict: 'error', reason: problems.join('; ') };
    try {
      const out = fn.evaluate(c, { context: ctx, scope, ruleKind });
      return {
        ...base,
        function: fn.name,
        ...(out.observed !== undefined ? { observed: out.observed } : {}),
        verdict: out.verdict,
        ...(out.reason !== undefined ? { reason: out.reason } : {}),
      };
    } catch (err) {
      return { ...base, function: fn.name, verdict: 'error', reason: `${fn.name} failed: ${(err as Error).message}` };
    }
  }

  function evalConstraint(c: Constraint, path: string, ruleKind: RuleKind, scope: PolicyScope, ctx: PolicyContext): ConstraintExplanation {
    if (c.type === 'atomic') return evalAtomic(c, path, ruleKind, scope, ctx);
    const children = c.constraints.map((x, i) => evalConstraint(x, `${path}.${c.operator}[${i}]`, ruleKind, scope, ctx));
    return { type: 'logical', path, operator: c.operator, verdict: combineVerdicts(c.operator, children.map((x) => x.verdict)), constraints: children };
  }

  function evalRule(rule: Rule, path: string, scope: PolicyScope, ctx: PolicyContext): RuleExplanation {
    const constraints = rule.constraints.map((c, i) => evalConstraint(c, `${path}.constraint[${i}]`, rule.kind, scope, ctx));
    const verdict = constraints.length === 0 ? 'satisfied' : combineVerdicts('and', constraints.map((x) => x.verdict));
    const duties = rule.duties?.map((d, i) => evalRule(d, `${path}.duty[${i}]`, scope, ctx));
    let passed: boolean;
    let reason: string | undefined;
    if (rule.kind === 'prohibition') {
      passed = verdict === 'unsatisfied' || verdict === 'contractual' || verdict === 'not-applicable';
      if (verdict === 'contractual') reason = 'contractual prohibition: binds the consumer, not checked at run time';
      else if (!passed) reason = verdict === 'error' ? 'prohibition could not be evaluated' : 'prohibited action applies';
    } else {
      passed = MET.has(verdict) && (duties === undefined || duties.every((d) => d.passed));
      if (!passed) reason = verdict === 'error' ? `${rule.kind} could not be evaluated` : `${rule.kind} constraints not met`;
    }
    return {
      path,
      kind: rule.kind,
      action: displayName(rule.action),
      verdict,
      passed,
      ...(reason !== undefined ? { reason } : {}),
      constraints,
      ...(duties !== undefined ? { duties } : {}),
    };
  }

  function planConstraint(c: Constraint, path: string, ruleKind: RuleKind, scope: PolicyScope): PlanConstraintStep {
    if (c.type === 'logical') {
      const constraints = c.constraints.map((x, i) => planConstraint(x, `${path}.${c.operator}[${i}]`, ruleKind, scope));
      return { path, type: 'logical', operator: c.operator, applicable: constraints.some((x) => x.applicable), constraints };
    }
    const found = lookup(c, ruleKind);
    const base = { path, type: 'atomic' as const, operator: c.operator, leftOperand: c.leftOperand };
    if (!found.ok) return { ...base, applicable: true, reason: `${found.message}; evaluation will deny` };
    if (!found.fn.scopes.includes(scope)) {
      return { ...base, function: found.fn.name, applicable: false, reason: `not bound to scope ${scope}` };
    }
    return { ...base, function: found.fn.name, applicable: true };
  }

  function planRule(rule: Rule, path: string, scope: PolicyScope): PlanRuleStep {
    const duties = rule.duties?.map((d, i) => planRule(d, `${path}.duty[${i}]`, scope));
    return {
      path,
      kind: rule.kind,
      action: rule.action,
      constraints: rule.constraints.map((c, i) => planConstraint(c, `${path}.constraint[${i}]`, rule.kind, scope)),
      ...(duties !== undefined ? { duties } : {}),
    };
  }

  function validateRule(rule: Rule, path: string, issues: PolicyIssue[]): void {
    forEachAtomic(rule.constraints, `${path}.constraint`, (c, p) => {
      const found = lookup(c, rule.kind);
      if (!found.ok) {
        issues.push({ path: p, message: found.message });
        return;
      }
      for (const message of problemsOf(c, found.fn)) issues.push({ path: p, message: `${found.fn.name}: ${message}` });
    });
    rule.duties?.forEach((d, i) => validateRule(d, `${path}.duty[${i}]`, issues));
  }

  return {
    validate(policy, { kind }) {
      const issues: PolicyIssue[] = [];
      for (const { rule, path } of rulesOf(policy)) validateRule(rule, path, issues);
      for (const check of set.checks) issues.push(...check.check(policy, kind));
      return issues.length === 0 ? policyOk(policy) : policyFail(issues);
    },

    evaluate(policy, scope, context): EvaluationResult {
      const rules = rulesOf(policy).map(({ rule, path }) => evalRule(rule, path, scope, context));
      const allowed = rules.every((r) => r.passed);
      return {
        allowed,
        explanation: {
          allowed,
          scope,
          ...(policy.id !== undefined ? { policyId: policy.id } : {}),
          evaluatedAt: context.now.toISOString(),
          rules,
        },
      };
    },

    evaluationPlan(policy, scope): EvaluationPlan {
      return {
        scope,
        ...(policy.id !== undefined ? { policyId: policy.id } : {}),
        checks: set.checks.map((c) => c.name),
        rules: rulesOf(policy).map(({ rule, path }) => planRule(rule, path, scope)),
      };
    },
  };
}
