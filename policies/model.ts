// The typed ODRL policy model every context style parses into: policies, rules, constraints, operands.

/** ODRL policy classes we accept (`odrl:Policy` is read as `Set`). */
export type PolicyType = 'Set' | 'Offer' | 'Agreement';

/** The three ODRL rule kinds. `duty` inside a permission is modelled as a nested obligation rule. */
export type RuleKind = 'permission' | 'prohibition' | 'obligation';

/**
 * ODRL operators Catena-X and the DSP schemas use. EDC's `IN` operator is written `isPartOf` on the wire and is
 * read as `isPartOf`; a bare `in` in a document is accepted as an alias of it.
 */
export type Operator =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'gteq'
  | 'lt'
  | 'lteq'
  | 'isA'
  | 'hasPart'
  | 'isPartOf'
  | 'isAllOf'
  | 'isAnyOf'
  | 'isNoneOf'
  | 'term-lteq';

export type LogicalOperator = 'and' | 'or' | 'xone' | 'andSequence';

export type Scalar = string | number | boolean;

/** One right-operand value: a literal (optionally typed) or an IRI reference (`{"@id": …}`). */
export interface Literal {
  readonly value: Scalar;
  /** Datatype IRI of a typed literal, e.g. `http://www.w3.org/2001/XMLSchema#dateTime`. */
  readonly datatype?: string;
  /** True when the value was an IRI reference (`{"@id": …}`), not a literal. */
  readonly isIri?: boolean;
}

export interface AtomicConstraint {
  readonly type: 'atomic';
  /** Full IRI, e.g. `https://w3id.org/catenax/2025/9/policy/FrameworkAgreement`. */
  readonly leftOperand: string;
  readonly operator: Operator;
  /**
   * The right operand values (at least one). JSON-LD does not distinguish `"x"` from `["x"]`, so neither do we;
   * serialization writes an array for set operators and a scalar otherwise.
   */
  readonly rightOperand: readonly Literal[];
}

export interface LogicalConstraint {
  readonly type: 'logical';
  readonly operator: LogicalOperator;
  readonly constraints: readonly Constraint[];
}

export type Constraint = AtomicConstraint | LogicalConstraint;

export interface Rule {
  readonly kind: RuleKind;
  /** Full action IRI, e.g. `http://www.w3.org/ns/odrl/2/use` or `https://w3id.org/catenax/2025/9/policy/access`. */
  readonly action: string;
  /** Constraints of the rule; the list is an implicit `and`. */
  readonly constraints: readonly Constraint[];
  /** Duties of a permission (ODRL `duty`), each an obligation-kind rule. */
  readonly duties?: readonly Rule[];
  /** Rule-level target, rare (DSP forbids it; plain ODRL allows it). */
  readonly target?: string;
}

export interface Policy {
  readonly id?: string;
  readonly type: PolicyType;
  readonly target?: string;
  readonly assigner?: string;
  readonly assignee?: string;
  /** Agreement signing time as sent (`xsd:dateTime` string). */
  readonly timestamp?: string;
  readonly profile?: readonly string[];
  readonly permissions: readonly Rule[];
  readonly prohibitions: readonly Rule[];
  readonly obligations: readonly Rule[];
}

/** A problem found while parsing or validating, located by a path such as `permission[0].constraint[0].and[1]`. */
export interface PolicyIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Result of parsing/validation. Structurally compatible with `connector/common/result.ts` (`Result<T>`): a
 * failure carries `reason: 'bad-request'`, a joined `message` and the individual issues as `details`.
 */
export type PolicyResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: 'bad-request';
      readonly message: string;
      readonly details: readonly PolicyIssue[];
    };

export function policyOk<T>(value: T): PolicyResult<T> {
  return { ok: true, value };
}

export function policyFail<T>(issues: readonly PolicyIssue[]): PolicyResult<T> {
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return { ok: false, reason: 'bad-request', message, details: issues };
}

/** Every rule of a policy with its position, in document order (permissions, prohibitions, obligations). */
export function rulesOf(policy: Policy): { rule: Rule; path: string }[] {
  const out: { rule: Rule; path: string }[] = [];
  policy.permissions.forEach((rule, i) => out.push({ rule, path: `permission[${i}]` }));
  policy.prohibitions.forEach((rule, i) => out.push({ rule, path: `prohibition[${i}]` }));
  policy.obligations.forEach((rule, i) => out.push({ rule, path: `obligation[${i}]` }));
  return out;
}

/** Calls `visit` for every atomic constraint of a constraint tree, with its path. */
export function forEachAtomic(
  constraints: readonly Constraint[],
  basePath: string,
  visit: (constraint: AtomicConstraint, path: string) => void,
): void {
  constraints.forEach((c, i) => {
    const path = `${basePath}[${i}]`;
    if (c.type === 'atomic') visit(c, path);
    else forEachAtomic(c.constraints, `${path}.${c.operator}`, visit);
  });
}
