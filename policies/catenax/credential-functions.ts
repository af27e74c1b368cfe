// Catena-X constraints checked against the counter-party's verified credentials and the provider's BPN groups.
import type { PolicyContext, VerifiedCredentialClaims } from '../context';
import { findCredentials, subjectClaim, subjectsOf } from '../context';
import type { ConstraintFunction, ConstraintOutcome, PolicyScope } from '../engine-types';
import type { AtomicConstraint, Operator } from '../model';
import { applyOperator } from '../operators';
import { CX_POLICY_LEGACY_NS, TX_NS } from '../vocabulary';
import { BPNL, cxIris, operatorProblem, stringValues, valueProblems } from './operand-checks';

const CREDENTIAL_SCOPES: readonly PolicyScope[] = ['catalog', 'contract.negotiation', 'transfer.process'];
const VERSION = /^\d+(\.\d+)*$/;
/** Legacy `FrameworkAgreement.<subtype>` names (context `tractusx/policy/v1.0.0`) → credential type. */
const LEGACY_SUBTYPES: Readonly<Record<string, string>> = {
  pcf: 'PcfCredential',
  traceability: 'TraceabilityCredential',
  quality: 'QualityCredential',
  behavioraltwin: 'BehavioralTwinCredential',
  resiliency: 'ResiliencyCredential',
  sustainability: 'SustainabilityCredential',
};
export const FRAMEWORK_AGREEMENT_VALUES = ['DataExchangeGovernance:1.0'];

function sameVersion(a: string, b: string): boolean {
  if (!VERSION.test(a) || !VERSION.test(b)) return a === b;
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return false;
  return true;
}

interface Requirement {
  readonly credential: string;
  readonly version?: string;
}

function localName(iri: string): string {
  return iri.slice(iri.lastIndexOf('/') + 1);
}

/** What a FrameworkAgreement constraint requires, or a problem message. */
function frameworkRequirement(c: AtomicConstraint): Requirement | string {
  const values = stringValues(c);
  if (values === undefined || values.length !== 1) return 'right operand must be a single string';
  const value = values[0] as string;
  const name = localName(c.leftOperand);
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const credential = LEGACY_SUBTYPES[name.slice(dot + 1)];
    if (credential === undefined) return `unknown legacy framework agreement '${name}'`;
    const m = /^active(?::(.+))?$/.exec(value);
    if (m === null || (m[1] !== undefined && !VERSION.test(m[1]))) return `right operand '${value}' must be 'active' or 'active:<version>'`;
    return m[1] === undefined ? { credential } : { credential, version: m[1] };
  }
  if (FRAMEWORK_AGREEMENT_VALUES.includes(value)) return { credential: 'DataExchangeGovernanceCredential', version: '1.0' };
  const legacy = /^(pcf|Pcf)(?::(.+))?$/.exec(value);
  if (legacy !== null && (legacy[2] === undefined || VERSION.test(legacy[2]))) {
    return legacy[2] === undefined ? { credential: 'PcfCredential' } : { credential: 'PcfCredential', version: legacy[2] };
  }
  return `right operand '${value}' is not allowed (allowed: DataExchangeGovernance:1.0; legacy: pcf[:<version>])`;
}

function rejectedReason(rejected: readonly string[]): string {
  return rejected.length > 0 ? ` (${rejected.join('; ')})` : '';
}

const frameworkAgreement: ConstraintFunction = {
  name: 'FrameworkAgreement',
  leftOperands: [...cxIris('FrameworkAgreement'), ...Object.keys(LEGACY_SUBTYPES).map((s) => `${CX_POLICY_LEGACY_NS}FrameworkAgreement.${s}`)],
  scopes: CREDENTIAL_SCOPES,
  ruleKinds: ['permission'],
  validate(c) {
    const req = frameworkRequirement(c);
    return [...operatorProblem(c, ['eq']), ...(typeof req === 'string' ? [req] : [])];
  },
  evaluate(c, { context }): ConstraintOutcome {
    const req = frameworkRequirement(c) as Requirement;
    const { valid, rejected } = findCredentials(context, req.credential);
    const observed = valid.map((vc) => `${req.credential}:${subjectClaim(vc, 'contractVersion') ?? '?'}`);
    const match = valid.some((vc) => {
      if (req.version === undefined) return true;
      const v = subjectClaim(vc, 'contractVersion');
      return v !== undefined && sameVersion(v, req.version);
    });
    if (match) return { verdict: 'satisfied', observed };
    const wanted = req.version === undefined ? req.credential : `${req.credential} with contractVersion ${req.version}`;
    return { verdict: 'unsatisfied', observed: observed.length > 0 ? observed : 'none', reason: `no valid ${wanted}${rejectedReason(rejected)}` };
  },
};

const membership: ConstraintFunction = {
  name: 'Membership',
  leftOperands: cxIris('Membership'),
  scopes: CREDENTIAL_SCOPES,
  ruleKinds: ['permission'],
  validate: (c) => [...operatorProblem(c, ['eq']), ...valueProblems(c, { single: true, allowed: ['active'] })],
  evaluate(_c, { context }) {
    const { valid, rejected } = findCredentials(context, 'MembershipCredential');
    if (valid.length > 0) return { verdict: 'satisfied', observed: 'active' };
    return { verdict: 'unsatisfied', observed: 'none', reason: `no valid MembershipCredential${rejectedReason(rejected)}` };
  },
};

/** The counter-party's BPN: from its BpnCredential, else the identity module's verified `bpn` claim. */
export function counterPartyBpn(ctx: PolicyContext): string | undefined {
  for (const vc of findCredentials(ctx, 'BpnCredential').valid) {
    const bpn = subjectClaim(vc, 'bpn');
    if (bpn !== undefined) return bpn;
  }
  return ctx.counterParty.bpn;
}

const businessPartnerNumber: ConstraintFunction = {
  name: 'BusinessPartnerNumber',
  leftOperands: [...cxIris('BusinessPartnerNumber'), `${TX_NS}BusinessPartnerNumber`],
  scopes: CREDENTIAL_SCOPES,
  ruleKinds: ['permission'],
  validate: (c) => [
    ...operatorProblem(c, ['isAnyOf', 'isNoneOf']),
    ...valueProblems(c, { single: false, pattern: BPNL, patternName: 'a BPNL (BPNL + 12 characters 0-9/A-Z)' }),
  ],
  evaluate(c, { context }) {
    const bpn = counterPartyBpn(context);
    if (bpn === undefined) return { verdict: 'unsatisfied', observed: null, reason: 'the counter-party has no verified BPN' };
    const out = applyOperator(c.operator, [bpn], c.rightOperand);
    if (out.holds) return { verdict: 'satisfied', observed: bpn };
    const listed = c.rightOperand.some((l) => l.value === bpn);
    return { verdict: 'unsatisfied', observed: bpn, reason: `${bpn} is ${listed ? '' : 'not '}in the listed BPNs (${c.operator})` };
  },
};

const GROUP_OPERATORS: readonly Operator[] = ['isAnyOf', 'isNoneOf', 'isAllOf', 'isPartOf', 'eq', 'neq'];

const businessPartnerGroup: ConstraintFunction = {
  name: 'BusinessPartnerGroup',
  leftOperands: [...cxIris('BusinessPartnerGroup'), `${TX_NS}BusinessPartnerGroup`],
  scopes: CREDENTIAL_SCOPES,
  ruleKinds: ['permission'],
  validate: (c) => [...operatorProblem(c, GROUP_OPERATORS), ...valueProblems(c, { single: false })],
  evaluate(c, { context }) {
    const groups = context.businessPartnerGroups ?? [];
    const out = applyOperator(c.operator, groups, c.rightOperand);
    return {
      verdict: out.holds ? 'satisfied' : 'unsatisfied',
      observed: [...groups],
      ...(groups.length === 0 ? { reason: 'the counter-party is in no business partner group' } : {}),
    };
  },
};

function claimValues(vcs: readonly VerifiedCredentialClaims[], claim: string): string[] {
  const out: string[] = [];
  for (const vc of vcs) {
    for (const s of subjectsOf(vc)) {
      const v = s[claim];
      if (typeof v === 'string') out.push(v);
      else if (Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string'));
    }
  }
  return out;
}

/** Legacy `Dismantler`, `Dismantler.activityType`, `Dismantler.allowedBrands` (DismantlerCredential). */
const dismantler: ConstraintFunction = {
  name: 'Dismantler',
  leftOperands: ['Dismantler', 'Dismantler.activityType', 'Dismantler.allowedBrands'].flatMap(cxIris),
  scopes: CREDENTIAL_SCOPES,
  ruleKinds: ['permission'],
  validate(c) {
    const name = localName(c.leftOperand);
    if (name === 'Dismantler') return [...operatorProblem(c, ['eq']), ...valueProblems(c, { single: true, allowed: ['active'] })];
    return [...operatorProblem(c, ['eq', 'neq', 'isAnyOf', 'isNoneOf', 'isAllOf', 'isPartOf']), ...valueProblems(c, {})];
  },
  evaluate(c, { context }) {
    const { valid, rejected } = findCredentials(context, 'DismantlerCredential');
    if (valid.length === 0) return { verdict: 'unsatisfied', observed: 'none', reason: `no valid DismantlerCredential${rejectedReason(rejected)}` };
    const name = localName(c.leftOperand);
    if (name === 'Dismantler') return { verdict: 'satisfied', observed: 'active' };
    const observed = claimValues(valid, name === 'Dismantler.activityType' ? 'activityType' : 'allowedVehicleBrands');
    const out = applyOperator(c.operator, observed, c.rightOperand);
    return { verdict: out.holds ? 'satisfied' : 'unsatisfied', observed };
  },
};

export const credentialFunctions: readonly ConstraintFunction[] = [
  frameworkAgreement,
  membership,
  businessPartnerNumber,
  businessPartnerGroup,
  dismantler,
];
