// Validation at creation: unknown constraints, bad operators/values and Catena-X policy rules are refused precisely.
import type { Policy, PolicyKind, PolicyResult } from '../../../policies';
import { USAGE_PURPOSES, createCatenaXFunctions, createPolicyEngine, parsePolicy } from '../../../policies';
import { CX_CONTEXTS } from './fixtures';

const engine = createPolicyEngine({ functions: createCatenaXFunctions() });
const FA = { leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' };
const UP = { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1'] };
const MEMBER = { leftOperand: 'Membership', operator: 'eq', rightOperand: 'active' };

async function parse(doc: Record<string, unknown>): Promise<Policy> {
  const r = await parsePolicy({ '@context': CX_CONTEXTS, '@type': 'Set', ...doc });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

async function validate(doc: Record<string, unknown>, kind: PolicyKind): Promise<PolicyResult<Policy>> {
  return engine.validate(await parse(doc), { kind });
}

const usage = (...constraints: unknown[]): Record<string, unknown> => ({ permission: [{ action: 'use', constraint: [{ and: constraints }] }] });
const access = (...constraints: unknown[]): Record<string, unknown> => ({ permission: [{ action: 'access', constraint: [{ and: constraints }] }] });

function issues(r: PolicyResult<Policy>): { path: string; message: string }[] {
  return r.ok ? [] : [...r.details];
}

describe('validate: valid Catena-X policies', () => {
  it('accepts the PCF usage policy, with a contract reference and the full set of contractual terms', async () => {
    expect((await validate(usage(FA, MEMBER, UP), 'usage')).ok).toBe(true);
    const rich = usage(FA, UP,
      { leftOperand: 'ContractReference', operator: 'isAllOf', rightOperand: ['contract-1'] },
      { leftOperand: 'AffiliatesRegion', operator: 'isAnyOf', rightOperand: ['cx.region.europe:1'] },
      { leftOperand: 'AffiliatesBpnl', operator: 'isAnyOf', rightOperand: ['BPNL000000000001'] },
      { leftOperand: 'DataFrequency', operator: 'eq', rightOperand: 'cx.dataFrequency.once:1' },
      { leftOperand: 'VersionChanges', operator: 'eq', rightOperand: 'cx.versionChanges.minor:1' },
      { leftOperand: 'ContractTermination', operator: 'eq', rightOperand: 'cx.data.deletion:1' },
      { leftOperand: 'ConfidentialInformationMeasures', operator: 'eq', rightOperand: 'cx.confidentiality.measures:1' },
      { leftOperand: 'ConfidentialInformationSharing', operator: 'isAnyOf', rightOperand: ['cx.sharing.affiliates:1'] },
      { leftOperand: 'ExclusiveUsage', operator: 'eq', rightOperand: 'cx.exclusiveUsage.dataConsumer:1' },
      { leftOperand: 'Warranty', operator: 'eq', rightOperand: 'cx.warranty.none:1' },
      { leftOperand: 'WarrantyDurationMonths', operator: 'eq', rightOperand: '12' },
      { leftOperand: 'Liability', operator: 'eq', rightOperand: 'cx.grossNegligence:1' },
      { leftOperand: 'JurisdictionLocation', operator: 'eq', rightOperand: 'Munich' },
      { leftOperand: 'JurisdictionLocationReference', operator: 'eq', rightOperand: 'cx.location.dataConsumer:1' },
      { leftOperand: 'Precedence', operator: 'eq', rightOperand: 'cx.precedence.contractReference:1' },
      { leftOperand: 'DataUsageEndDefinition', operator: 'eq', rightOperand: 'cx.dataUsageEnd.unlimited:1' },
    );
    const policy = {
      ...rich,
      prohibition: [{ action: 'use', constraint: [{ leftOperand: 'UsageRestriction', operator: 'isAllOf', rightOperand: ['cx.thirdParty.forbidden:1'] }] }],
      obligation: [{ action: 'use', constraint: [{ leftOperand: 'DataProvisioningEndDurationDays', operator: 'eq', rightOperand: '30' }] }],
    };
    expect(issues(await validate(policy, 'usage'))).toEqual([]);
  });

  it('accepts every known usage purpose and an individual (non cx.*) one', async () => {
    const all = { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: [...USAGE_PURPOSES, 'ACME individual purpose'] };
    expect(issues(await validate(usage(FA, all), 'usage'))).toEqual([]);
  });

  it('accepts member-only and BPN-restricted access policies', async () => {
    expect((await validate(access(MEMBER), 'access')).ok).toBe(true);
    const bpn = { leftOperand: 'BusinessPartnerNumber', operator: 'isAnyOf', rightOperand: ['BPNL000000000001'] };
    const group = { leftOperand: 'BusinessPartnerGroup', operator: 'isNoneOf', rightOperand: ['blocked'] };
    expect((await validate(access(MEMBER, bpn, group, FA), 'access')).ok).toBe(true);
  });
});

describe('validate: refused policies, with precise messages', () => {
  it('refuses a left operand no function understands (EDC would silently pass it)', async () => {
    const r = await validate(usage(FA, UP, { leftOperand: 'https://example.com/Colour', operator: 'eq', rightOperand: 'red' }), 'usage');
    expect(issues(r)).toContainEqual({
      path: 'permission[0].constraint[0].and[2]',
      message: "left operand 'https://example.com/Colour' is not understood by any registered constraint function",
    });
    expect(r.ok === false && r.reason).toBe('bad-request');
  });

  it('refuses unsupported operators and right operands', async () => {
    const r = await validate(usage(
      { ...FA, rightOperand: 'DataExchangeGovernance:2.0' },
      { ...UP, operator: 'eq', rightOperand: 'cx.pcf.base:1' },
      { ...MEMBER, rightOperand: 'inactive' },
      { leftOperand: 'WarrantyDurationMonths', operator: 'eq', rightOperand: '0' },
    ), 'usage');
    expect(issues(r)).toEqual([
      { path: 'permission[0].constraint[0].and[0]', message: "FrameworkAgreement: right operand 'DataExchangeGovernance:2.0' is not allowed (allowed: DataExchangeGovernance:1.0; legacy: pcf[:<version>])" },
      { path: 'permission[0].constraint[0].and[1]', message: "UsagePurpose: operator 'eq' is not supported (allowed: isAnyOf)" },
      { path: 'permission[0].constraint[0].and[2]', message: "Membership: right operand 'inactive' is not allowed (allowed: active)" },
      { path: 'permission[0].constraint[0].and[3]', message: "WarrantyDurationMonths: right operand '0' is not a positive whole number of months" },
    ]);
  });

  it('refuses malformed BPNLs and date operands', async () => {
    const bpn = { leftOperand: 'BusinessPartnerNumber', operator: 'isAnyOf', rightOperand: ['BPNL1', 'BPNS000000000001'] };
    expect(issues(await validate(access(bpn), 'access')).map((i) => i.message)).toEqual([
      "BusinessPartnerNumber: right operand 'BPNL1' is not a BPNL (BPNL + 12 characters 0-9/A-Z)",
      "BusinessPartnerNumber: right operand 'BPNS000000000001' is not a BPNL (BPNL + 12 characters 0-9/A-Z)",
    ]);
    const date = { leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: '2025-13-01' };
    expect(issues(await validate(usage(FA, UP, date), 'usage'))[0]?.message).toContain("right operand '2025-13-01' is neither a UTC date-time");
  });

  it('requires FrameworkAgreement and UsagePurpose in a usage policy', async () => {
    expect(issues(await validate(usage(MEMBER), 'usage')).map((i) => i.message)).toEqual([
      "a Catena-X usage policy must contain a FrameworkAgreement constraint in a 'use' permission",
      "a Catena-X usage policy must contain a UsagePurpose constraint in a 'use' permission",
    ]);
  });

  it('allows only and as logical constraint', async () => {
    const r = await validate({ permission: [{ action: 'use', constraint: [{ and: [FA, { or: [UP, MEMBER] }] }] }] }, 'usage');
    expect(issues(r)).toEqual([{ path: 'permission[0].constraint[0].and[1]', message: "Catena-X policies allow only 'and' as logical constraint, found 'or'" }]);
  });

  it('checks actions and the constraints allowed per policy kind and rule kind', async () => {
    const r = await validate({ ...usage(MEMBER, UP), prohibition: [{ action: 'use' }] }, 'access');
    expect(issues(r).map((i) => `${i.path}: ${i.message}`)).toEqual([
      ': a Catena-X access policy may contain permissions only',
      "permission[0].action: a Catena-X access policy must use action 'access', found 'use'",
      'permission[0].constraint[0].and[1]: UsagePurpose is not allowed in an access policy permission (allowed: FrameworkAgreement, Membership, BusinessPartnerGroup, BusinessPartnerNumber, inForceDate)',
      "prohibition[0].action: a Catena-X access policy must use action 'access', found 'use'",
    ]);
    const bpnInUsage = { leftOperand: 'BusinessPartnerNumber', operator: 'isAnyOf', rightOperand: ['BPNL000000000001'] };
    expect(issues(await validate(usage(FA, UP, bpnInUsage), 'usage'))[0]?.message).toContain('BusinessPartnerNumber is not allowed in a usage policy permission');
  });

  it('refuses mutually exclusive constraints and constraints in the wrong rule kind', async () => {
    const r = await validate(usage(FA, UP,
      { leftOperand: 'DataUsageEndDurationDays', operator: 'eq', rightOperand: '30' },
      { leftOperand: 'DataUsageEndDefinition', operator: 'eq', rightOperand: 'cx.dataUsageEnd.unlimited:1' },
      { leftOperand: 'UsageRestriction', operator: 'isAllOf', rightOperand: ['cx.thirdParty.forbidden:1'] },
    ), 'usage');
    expect(issues(r).map((i) => i.message)).toEqual([
      'UsageRestriction cannot be used in a permission (only in: prohibition)',
      'UsageRestriction is not allowed in a usage policy permission (allowed: ' + 'FrameworkAgreement, UsagePurpose, Membership, ContractReference, AffiliatesRegion, AffiliatesBpnl, DataFrequency, VersionChanges, ContractTermination, ConfidentialInformationMeasures, ConfidentialInformationSharing, ExclusiveUsage, Warranty, WarrantyDefinition, WarrantyDurationMonths, Liability, JurisdictionLocation, JurisdictionLocationReference, Precedence, DataUsageEndDurationDays, DataUsageEndDate, DataUsageEndDefinition)',
      'DataUsageEndDurationDays and DataUsageEndDefinition are mutually exclusive',
    ]);
  });
});
