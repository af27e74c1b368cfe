// Catena-X policy-level rules (CX-0152 via Tractus-X validation): actions, allowed constraints per kind, required ones.
import type { PolicyCheck, PolicyKind } from '../engine-types';
import type { Constraint, Policy, PolicyIssue, Rule, RuleKind } from '../model';
import { forEachAtomic, rulesOf } from '../model';
import { ACTION_ACCESS, ACTION_USE, EDC_IN_FORCE_DATE, catenaXName, displayName } from '../vocabulary';

const ACCESS_PERMISSION = new Set(['FrameworkAgreement', 'Membership', 'BusinessPartnerGroup', 'BusinessPartnerNumber', 'inForceDate']);
const USAGE_PERMISSION = new Set([
  'FrameworkAgreement', 'UsagePurpose', 'Membership', 'ContractReference', 'AffiliatesRegion', 'AffiliatesBpnl',
  'DataFrequency', 'VersionChanges', 'ContractTermination', 'ConfidentialInformationMeasures',
  'ConfidentialInformationSharing', 'ExclusiveUsage', 'Warranty', 'WarrantyDefinition', 'WarrantyDurationMonths',
  'Liability', 'JurisdictionLocation', 'JurisdictionLocationReference', 'Precedence', 'DataUsageEndDurationDays',
  'DataUsageEndDate', 'DataUsageEndDefinition',
]);
const USAGE_PROHIBITION = new Set(['AffiliatesRegion', 'AffiliatesBpnl', 'UsageRestriction']);
const USAGE_OBLIGATION = new Set(['DataProvisioningEndDurationDays', 'DataProvisioningEndDate']);
const EXCLUSIVE: readonly (readonly string[])[] = [
  ['WarrantyDurationMonths', 'WarrantyDefinition'],
  ['DataUsageEndDurationDays', 'DataUsageEndDate', 'DataUsageEndDefinition'],
  ['DataProvisioningEndDurationDays', 'DataProvisioningEndDate'],
];

/** Catena-X name of a left operand (`FrameworkAgreement.pcf` counts as `FrameworkAgreement`), or undefined. */
function cxName(iri: string): string | undefined {
  if (iri === EDC_IN_FORCE_DATE) return 'inForceDate';
  const name = catenaXName(iri);
  return name?.startsWith('FrameworkAgreement.') === true ? 'FrameworkAgreement' : name;
}

function allowedFor(kind: PolicyKind, ruleKind: RuleKind): ReadonlySet<string> {
  if (kind === 'access') return ruleKind === 'permission' ? ACCESS_PERMISSION : new Set();
  return ruleKind === 'permission' ? USAGE_PERMISSION : ruleKind === 'prohibition' ? USAGE_PROHIBITION : USAGE_OBLIGATION;
}

function checkLogic(constraints: readonly Constraint[], path: string, issues: PolicyIssue[]): void {
  constraints.forEach((c, i) => {
    if (c.type !== 'logical') return;
    const p = `${path}[${i}]`;
    if (c.operator !== 'and') issues.push({ path: p, message: `Catena-X policies allow only 'and' as logical constraint, found '${c.operator}'` });
    checkLogic(c.constraints, `${p}.${c.operator}`, issues);
  });
}

function checkRule(rule: Rule, path: string, kind: PolicyKind, issues: PolicyIssue[], seen: Set<string>): void {
  const expected = kind === 'access' ? ACTION_ACCESS : ACTION_USE;
  if (rule.action !== expected) {
    issues.push({ path: `${path}.action`, message: `a Catena-X ${kind} policy must use action '${displayName(expected)}', found '${displayName(rule.action)}'` });
  }
  checkLogic(rule.constraints, `${path}.constraint`, issues);
  const allowed = allowedFor(kind, rule.kind);
  forEachAtomic(rule.constraints, `${path}.constraint`, (c, p) => {
    const name = cxName(c.leftOperand);
    if (name === undefined || !allowed.has(name)) {
      const list = [...allowed].join(', ') || 'none';
      issues.push({ path: p, message: `${displayName(c.leftOperand)} is not allowed in ${kind === 'access' ? 'an' : 'a'} ${kind} policy ${rule.kind} (allowed: ${list})` });
    }
    if (name !== undefined && rule.kind === 'permission') seen.add(name);
    if (name !== undefined) seen.add(`${rule.kind}:${name}`);
  });
  rule.duties?.forEach((d, i) => checkRule(d, `${path}.duty[${i}]`, kind, issues, seen));
}

function check(policy: Policy, kind: PolicyKind): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const seen = new Set<string>();
  if (kind === 'access' && (policy.prohibitions.length > 0 || policy.obligations.length > 0)) {
    issues.push({ path: '', message: 'a Catena-X access policy may contain permissions only' });
  }
  for (const { rule, path } of rulesOf(policy)) checkRule(rule, path, kind, issues, seen);
  if (kind === 'usage') {
    for (const required of ['FrameworkAgreement', 'UsagePurpose']) {
      if (!seen.has(required)) issues.push({ path: 'permission', message: `a Catena-X usage policy must contain a ${required} constraint in a 'use' permission` });
    }
  }
  for (const group of EXCLUSIVE) {
    for (const rk of ['permission', 'prohibition', 'obligation'] as const) {
      const present = group.filter((n) => seen.has(`${rk}:${n}`));
      if (present.length > 1) issues.push({ path: rk, message: `${present.join(' and ')} are mutually exclusive` });
    }
  }
  return issues;
}

/** The Catena-X policy-level rules as a policy check. */
export const catenaXPolicyRules: PolicyCheck = { name: 'Catena-X policy rules (CX-0152)', check };
