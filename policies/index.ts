// Public API of the policy module: parse, serialize, validate, evaluate, compare, Catena-X functions, templates.
export type {
  AtomicConstraint,
  Constraint,
  Literal,
  LogicalConstraint,
  LogicalOperator,
  Operator,
  Policy,
  PolicyIssue,
  PolicyResult,
  PolicyType,
  Rule,
  RuleKind,
  Scalar,
} from './model';
export { forEachAtomic, rulesOf } from './model';
export type {
  AgreementInfo,
  CounterParty,
  CredentialSubject,
  PolicyContext,
  VerifiedCredentialClaims,
} from './context';
export { findCredentials, credentialTypeName } from './context';
export type * from './engine-types';
export { POLICY_SCOPES } from './engine-types';
export { parseExpandedPolicy } from './parse-expanded';
export { parsePolicy, parsePolicyDefinition } from './parse';
export type { ParsePolicyOptions, ParsedPolicyDefinition } from './parse';
export { serializePolicy, requiredContexts, EDC_MANAGEMENT_CONTEXT } from './serialize';
export type { PolicyDialect, SerializeOptions } from './serialize';
export { createPolicyEngine, combineVerdicts } from './engine';
export type { PolicyEngineDeps } from './engine';
export { policiesEquivalent, canonicalPolicyKey } from './equivalence';
export type { EquivalenceOptions } from './equivalence';
export { applyOperator } from './operators';
export { createCatenaXFunctions, USAGE_PURPOSES, FRAMEWORK_AGREEMENT_VALUES } from './catenax/index';
export { pcfAccessPolicy, pcfUsagePolicy } from './templates/index';
export type { PcfAccessPolicyOptions, PcfUsagePolicyOptions, PolicyDefinitionDocument } from './templates/index';
export * as vocabulary from './vocabulary';
