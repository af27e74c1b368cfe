// Contracts of the policy engine: scopes, constraint functions, policy-level checks, explanations and plans.
import type { PolicyContext } from './context';
import type { AtomicConstraint, LogicalOperator, Operator, Policy, PolicyIssue, PolicyResult, RuleKind, Scalar } from './model';

/** When a policy is evaluated (EDC scope names). */
export type PolicyScope = 'catalog' | 'contract.negotiation' | 'transfer.process' | 'policy.monitor';
export const POLICY_SCOPES: readonly PolicyScope[] = ['catalog', 'contract.negotiation', 'transfer.process', 'policy.monitor'];

/** `access` policies decide catalog visibility; `usage` (contract) policies govern negotiation, transfer and use. */
export type PolicyKind = 'access' | 'usage';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Verdict of one constraint:
 * - `satisfied` / `unsatisfied`: checked against the context;
 * - `contractual`: accepted as an agreed term that cannot be checked at run time (counts as met);
 * - `not-applicable`: the constraint is not bound to this scope (or has nothing to check yet) and is left out;
 * - `error`: it could not be evaluated (no function, invalid operands); always denies.
 */
export type Verdict = 'satisfied' | 'unsatisfied' | 'contractual' | 'not-applicable' | 'error';

export interface ConstraintOutcome {
  readonly verdict: Exclude<Verdict, 'error'>;
  /** What the function observed (the left-hand value), JSON-serialisable. */
  readonly observed?: JsonValue;
  readonly reason?: string;
}

export interface EvaluationInput {
  readonly context: PolicyContext;
  readonly scope: PolicyScope;
  readonly ruleKind: RuleKind;
}

/** Evaluates atomic constraints with given left operands, registered per scope and rule kind. */
export interface ConstraintFunction {
  /** Display name used in explanations and plans, e.g. `FrameworkAgreement`. */
  readonly name: string;
  /** Left operand IRIs this function understands (e.g. the 2025/9 and the legacy Catena-X IRI). */
  readonly leftOperands: readonly string[];
  /** Scopes in which the function runs; elsewhere its constraints are `not-applicable`. */
  readonly scopes: readonly PolicyScope[];
  /** Rule kinds the function may appear in. */
  readonly ruleKinds: readonly RuleKind[];
  /** Checks operator and right operand. Must return an empty list exactly when the constraint is understood. */
  validate(constraint: AtomicConstraint): readonly string[];
  /**
   * Evaluates a constraint that passed {@link validate}. Must not throw for missing or odd context data: return
   * `unsatisfied` with a reason instead. Must be fast (called per request) and side-effect free.
   */
  evaluate(constraint: AtomicConstraint, input: EvaluationInput): ConstraintOutcome;
}

/** A policy-level rule set (e.g. the Catena-X policy rules): returns issues for a policy of a kind. */
export interface PolicyCheck {
  readonly name: string;
  check(policy: Policy, kind: PolicyKind): readonly PolicyIssue[];
}

/** Constraint functions plus policy-level checks, as returned by `createCatenaXFunctions()`. */
export interface PolicyFunctionSet {
  readonly constraints: readonly ConstraintFunction[];
  readonly checks: readonly PolicyCheck[];
}

export interface AtomicExplanation {
  readonly type: 'atomic';
  readonly path: string;
  /** Short name (e.g. `Membership`) and the full IRI. */
  readonly leftOperand: string;
  readonly leftOperandIri: string;
  readonly operator: Operator;
  readonly rightOperand: Scalar | Scalar[];
  readonly function?: string;
  readonly observed?: JsonValue;
  readonly verdict: Verdict;
  readonly reason?: string;
}

export interface LogicalExplanation {
  readonly type: 'logical';
  readonly path: string;
  readonly operator: LogicalOperator;
  readonly verdict: Verdict;
  readonly constraints: readonly ConstraintExplanation[];
}

export type ConstraintExplanation = AtomicExplanation | LogicalExplanation;

export interface RuleExplanation {
  readonly path: string;
  readonly kind: RuleKind;
  readonly action: string;
  /** Outcome of the rule's constraints (an empty constraint list is `satisfied`). */
  readonly verdict: Verdict;
  /** Whether this rule lets the policy pass (for a prohibition: it does not apply). */
  readonly passed: boolean;
  readonly reason?: string;
  readonly constraints: readonly ConstraintExplanation[];
  readonly duties?: readonly RuleExplanation[];
}

/** The full evaluation tree: JSON-serialisable, answers "why was this allowed/denied". */
export interface Explanation {
  readonly allowed: boolean;
  readonly scope: PolicyScope;
  readonly policyId?: string;
  readonly evaluatedAt: string;
  readonly rules: readonly RuleExplanation[];
}

export interface EvaluationResult {
  readonly allowed: boolean;
  readonly explanation: Explanation;
}

export interface PlanConstraintStep {
  readonly path: string;
  readonly type: 'atomic' | 'logical';
  readonly operator: string;
  readonly leftOperand?: string;
  /** Function that would run, or absent when none is bound. */
  readonly function?: string;
  /** False when the constraint would be left out in this scope (EDC: "filtered"). */
  readonly applicable: boolean;
  readonly reason?: string;
  readonly constraints?: readonly PlanConstraintStep[];
}

export interface PlanRuleStep {
  readonly path: string;
  readonly kind: RuleKind;
  readonly action: string;
  readonly constraints: readonly PlanConstraintStep[];
  readonly duties?: readonly PlanRuleStep[];
}

/** Which functions would run for a policy in a scope, without a context (EDC `evaluationplan`). */
export interface EvaluationPlan {
  readonly scope: PolicyScope;
  readonly policyId?: string;
  readonly checks: readonly string[];
  readonly rules: readonly PlanRuleStep[];
}

export interface PolicyEngine {
  /**
   * Validates a policy at creation: every constraint must be understood by a registered function (left operand,
   * operator and right operand), and the policy must pass the function set's policy checks for `kind`.
   */
  validate(policy: Policy, opts: { readonly kind: PolicyKind }): PolicyResult<Policy>;
  /** Evaluates a policy in a scope. Never throws; a function fault becomes an `error` verdict and denies. */
  evaluate(policy: Policy, scope: PolicyScope, context: PolicyContext): EvaluationResult;
  /** The functions that would run for each rule and constraint in `scope`. */
  evaluationPlan(policy: Policy, scope: PolicyScope): EvaluationPlan;
}
