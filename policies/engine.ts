// The policy engine: validation at creation, evaluation per scope with an explanation tree, and evaluation plans.
import type {
  ConstraintFunction,
  EvaluationPlan,
  EvaluationResult,
  PlanConstraintStep,
  PlanRuleStep,
  PolicyEngine,
  PolicyFunctionSet,
  PolicyScope,
} from './engine-types';
import type { CompiledPolicy, FunctionLookup } from './evaluator';
import { compilePolicy, evalRule } from './evaluator';
import type { AtomicConstraint, Constraint, Policy, PolicyIssue, Rule, RuleKind } from './model';
import { forEachAtomic, policyFail, policyOk, rulesOf } from './model';
import { displayName } from './vocabulary';

export { combineVerdicts } from './evaluator';

export interface PolicyEngineDeps {
  /** A function set (e.g. `createCatenaXFunctions()`) or a plain list of constraint functions. */
  readonly functions: PolicyFunctionSet | readonly ConstraintFunction[];
}

/**
 * Creates a policy engine over a set of constraint functions (and, for a function set, its policy checks).
 * Policies are treated as immutable: the engine caches a compiled form per policy object.
 */
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
  const compiled = new WeakMap<Policy, CompiledPolicy>();

  const lookup: FunctionLookup = (c, ruleKind) => {
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
  };

  function problemsOf(c: AtomicConstraint, fn: ConstraintFunction): readonly string[] {
    let problems = validated.get(c);
    if (problems === undefined) {
      problems = fn.validate(c);
      validated.set(c, problems);
    }
    return problems;
  }

  function compiledOf(policy: Policy): CompiledPolicy {
    let c = compiled.get(policy);
    if (c === undefined) {
      c = compilePolicy(policy, lookup, problemsOf);
      compiled.set(policy, c);
    }
    return c;
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
      const rules = compiledOf(policy).map((r) => evalRule(r, scope, context));
      const allowed = rules.every((r) => r.passed);
      const explanation = policy.id === undefined
        ? { allowed, scope, evaluatedAt: context.now.toISOString(), rules }
        : { allowed, scope, policyId: policy.id, evaluatedAt: context.now.toISOString(), rules };
      return { allowed, explanation };
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
