// Each Catena-X constraint function: the allow case and the deny case, with what the explanation reports.
import type { AtomicExplanation, ConstraintExplanation, Policy, PolicyContext, PolicyScope } from '../../../policies';
import { createCatenaXFunctions, createPolicyEngine, parsePolicy } from '../../../policies';
import { CX_CONTEXTS, NOW, PARTNER_BPN, bpnVc, context, governanceVc, memberContext, membershipVc } from './fixtures';

const engine = createPolicyEngine({ functions: createCatenaXFunctions() });
const DAY = 86_400_000;

async function policyOf(constraints: unknown[], opts: { action?: string; rule?: 'permission' | 'prohibition' | 'obligation' } = {}): Promise<Policy> {
  const r = await parsePolicy({
    '@context': CX_CONTEXTS,
    '@type': 'Set',
    [opts.rule ?? 'permission']: [{ action: opts.action ?? 'use', constraint: constraints }],
  });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function firstAtomic(c: ConstraintExplanation | undefined): AtomicExplanation {
  if (c === undefined) throw new Error('no constraint explanation');
  return c.type === 'atomic' ? c : firstAtomic(c.constraints[0]);
}

async function run(constraint: Record<string, unknown>, ctx: PolicyContext, scope: PolicyScope = 'contract.negotiation', opts = {}): Promise<{ allowed: boolean; c: AtomicExplanation }> {
  const r = engine.evaluate(await policyOf([constraint], opts), scope, ctx);
  return { allowed: r.allowed, c: firstAtomic(r.explanation.rules[0]?.constraints[0]) };
}

const FA = { leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' };

describe('FrameworkAgreement', () => {
  it('allows a DataExchangeGovernanceCredential with contractVersion 1.0 (or 1.0.0)', async () => {
    expect((await run(FA, context([governanceVc('1.0')]))).allowed).toBe(true);
    const r = await run(FA, context([governanceVc('1.0.0')]), 'catalog');
    expect(r.allowed).toBe(true);
    expect(r.c.observed).toEqual(['DataExchangeGovernanceCredential:1.0.0']);
  });

  it('denies another contract version (the sample credential\'s "a.b"), none, or an expired credential', async () => {
    const wrong = await run(FA, context([governanceVc('a.b')]));
    expect(wrong).toMatchObject({ allowed: false, c: { verdict: 'unsatisfied', observed: ['DataExchangeGovernanceCredential:a.b'] } });
    expect(wrong.c.reason).toBe('no valid DataExchangeGovernanceCredential with contractVersion 1.0');
    expect((await run(FA, context([membershipVc()]))).c.observed).toBe('none');
    const expired = { ...governanceVc('1.0'), expirationDate: new Date(NOW.getTime() - DAY).toISOString() };
    expect((await run(FA, context([expired]))).c.reason).toContain('expired at');
  });

  it('understands the legacy pcf notations', async () => {
    const pcf = governanceVc('1.0.0', 'PcfCredential');
    expect((await run({ leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'pcf:1.0' }, context([pcf]))).allowed).toBe(true);
    expect((await run({ leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'Pcf' }, context([pcf]))).allowed).toBe(true);
    const legacy = { leftOperand: 'https://w3id.org/catenax/policy/FrameworkAgreement.pcf', operator: 'eq', rightOperand: 'active' };
    expect((await run(legacy, context([pcf]))).allowed).toBe(true);
    expect((await run(legacy, context([governanceVc('1.0')]))).allowed).toBe(false);
    expect((await run({ ...legacy, rightOperand: 'active:2.0' }, context([pcf]))).allowed).toBe(false);
  });
});

describe('Membership', () => {
  const M = { leftOperand: 'Membership', operator: 'eq', rightOperand: 'active' };
  it('allows a holder of a valid MembershipCredential', async () => {
    expect(await run(M, context([membershipVc()]), 'catalog')).toMatchObject({ allowed: true, c: { observed: 'active' } });
  });
  it('denies without one, or when it is expired or not yet valid', async () => {
    expect(await run(M, context([governanceVc('1.0')]))).toMatchObject({ allowed: false, c: { observed: 'none' } });
    const expired = await run(M, context([membershipVc({ expirationDate: '2024-01-01T00:00:00Z' })]));
    expect(expired.c.reason).toBe('no valid MembershipCredential (MembershipCredential expired at 2024-01-01T00:00:00Z)');
    expect((await run(M, context([membershipVc({ issuanceDate: '2030-01-01T00:00:00Z' })]))).allowed).toBe(false);
  });
});

describe('BusinessPartnerNumber', () => {
  const anyOf = (bpns: string[]): Record<string, unknown> => ({ leftOperand: 'BusinessPartnerNumber', operator: 'isAnyOf', rightOperand: bpns });
  const opts = { action: 'access' };
  it('isAnyOf allows a listed BPN from the BpnCredential, denies an unlisted one', async () => {
    expect(await run(anyOf([PARTNER_BPN, 'BPNL000000000009']), memberContext(), 'catalog', opts)).toMatchObject({ allowed: true, c: { observed: PARTNER_BPN } });
    const denied = await run(anyOf(['BPNL000000000009']), memberContext(), 'catalog', opts);
    expect(denied).toMatchObject({ allowed: false, c: { observed: PARTNER_BPN, reason: `${PARTNER_BPN} is not in the listed BPNs (isAnyOf)` } });
  });
  it('isNoneOf denies a listed BPN and allows others', async () => {
    const none = { leftOperand: 'BusinessPartnerNumber', operator: 'isNoneOf', rightOperand: [PARTNER_BPN] };
    expect((await run(none, memberContext(), 'catalog', opts)).allowed).toBe(false);
    expect((await run(none, context([bpnVc('BPNL000000000009')]), 'catalog', opts)).allowed).toBe(true);
  });
  it('falls back to the verified bpn claim and denies when there is no BPN at all', async () => {
    const ctx: PolicyContext = { now: NOW, counterParty: { bpn: PARTNER_BPN, credentials: [] } };
    expect((await run(anyOf([PARTNER_BPN]), ctx, 'catalog', opts)).allowed).toBe(true);
    expect(await run(anyOf([PARTNER_BPN]), context([]), 'catalog', opts)).toMatchObject({ allowed: false, c: { reason: 'the counter-party has no verified BPN' } });
  });
});

describe('BusinessPartnerGroup', () => {
  const group = (operator: string, groups: string[]): Record<string, unknown> => ({ leftOperand: 'BusinessPartnerGroup', operator, rightOperand: groups });
  const inGold = memberContext({ businessPartnerGroups: ['gold', 'emea'] });
  it('isAnyOf allows a member of a listed group and denies others', async () => {
    expect(await run(group('isAnyOf', ['gold', 'silver']), inGold, 'catalog')).toMatchObject({ allowed: true, c: { observed: ['gold', 'emea'] } });
    expect((await run(group('isAnyOf', ['silver']), inGold, 'catalog')).allowed).toBe(false);
    expect(await run(group('isAnyOf', ['silver']), memberContext(), 'catalog')).toMatchObject({ allowed: false, c: { reason: 'the counter-party is in no business partner group' } });
  });
  it('isNoneOf denies a member of a listed group', async () => {
    expect((await run(group('isNoneOf', ['blocked']), inGold, 'catalog')).allowed).toBe(true);
    expect((await run(group('isNoneOf', ['emea']), inGold, 'catalog')).allowed).toBe(false);
  });
});

describe('contractual constraints (UsagePurpose, ContractReference, …)', () => {
  it('are accepted as agreed terms in negotiation and transfer, not evaluated in the catalog', async () => {
    const up = { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1'] };
    expect(await run(up, context([]))).toMatchObject({ allowed: true, c: { verdict: 'contractual', observed: 'cx.pcf.base:1' } });
    expect(await run(up, context([]), 'catalog')).toMatchObject({ allowed: true, c: { verdict: 'not-applicable' } });
    const ref = { leftOperand: 'ContractReference', operator: 'isAllOf', rightOperand: ['contract-42'] };
    expect(await run(ref, context([]), 'transfer.process')).toMatchObject({ allowed: true, c: { verdict: 'contractual' } });
  });
  it('deny when their operator or value is not understood (refused, never silently true)', async () => {
    const bad = { leftOperand: 'UsagePurpose', operator: 'eq', rightOperand: 'cx.pcf.base:1' };
    expect(await run(bad, context([]))).toMatchObject({ allowed: false, c: { verdict: 'error', reason: "operator 'eq' is not supported (allowed: isAnyOf)" } });
    const typo = { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.bas:1'] };
    expect((await run(typo, context([]))).c.reason).toBe("right operand 'cx.pcf.bas:1' is not a Catena-X usage purpose (e.g. cx.pcf.base:1)");
  });
});

describe('time-bound constraints', () => {
  const signed = (daysAgo: number): PolicyContext => memberContext({ agreement: { id: 'agr-1', signedAt: new Date(NOW.getTime() - daysAgo * DAY) } });
  const inForce = (operator: string, rightOperand: unknown): Record<string, unknown> => ({ leftOperand: 'https://w3id.org/edc/v0.0.1/ns/inForceDate', operator, rightOperand });

  it('inForceDate with fixed dates', async () => {
    expect((await run(inForce('gt', '2025-01-01T00:00:00Z'), memberContext(), 'transfer.process')).allowed).toBe(true);
    expect((await run(inForce('lt', '2025-01-01T00:00:00Z'), memberContext(), 'transfer.process')).allowed).toBe(false);
    expect((await run(inForce('lteq', '2025-06-01T12:00:00Z'), memberContext(), 'catalog')).allowed).toBe(true);
  });

  it('inForceDate relative to the agreement (EDC dateExpression)', async () => {
    const expr = { '@value': 'contractAgreement + 100d', '@type': 'https://w3id.org/edc/v0.0.1/ns/dateExpression' };
    expect((await run(inForce('lt', expr), signed(10), 'policy.monitor')).allowed).toBe(true);
    expect((await run(inForce('lt', expr), signed(101), 'policy.monitor')).allowed).toBe(false);
    expect((await run(inForce('gt', 'contractAgreement'), signed(1), 'transfer.process')).allowed).toBe(true);
    expect((await run(inForce('lt', expr), memberContext(), 'catalog')).c.verdict).toBe('not-applicable');
  });

  it('DataUsageEndDate passes until the date (fixed or contractAgreement + Nd)', async () => {
    const end = (d: string): Record<string, unknown> => ({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: d });
    expect((await run(end('2025-12-31T00:00:00Z'), memberContext(), 'policy.monitor')).allowed).toBe(true);
    expect(await run(end('2025-05-31T00:00:00Z'), memberContext(), 'policy.monitor')).toMatchObject({ allowed: false, c: { reason: 'end date 2025-05-31T00:00:00.000Z has passed' } });
    expect((await run(end('contractAgreement + 30d'), signed(29), 'transfer.process')).allowed).toBe(true);
    expect((await run(end('contractAgreement + 30d'), signed(31), 'transfer.process')).allowed).toBe(false);
    expect((await run(end('2025-05-31T00:00:00Z'), memberContext(), 'contract.negotiation')).c.verdict).toBe('not-applicable');
  });

  it('DataUsageEndDurationDays counts from the agreement', async () => {
    const days = { leftOperand: 'DataUsageEndDurationDays', operator: 'eq', rightOperand: '30' };
    expect((await run(days, signed(10), 'policy.monitor')).allowed).toBe(true);
    expect((await run(days, signed(40), 'policy.monitor')).allowed).toBe(false);
    expect((await run(days, memberContext(), 'transfer.process')).c.reason).toContain('there is none');
  });

  it('DataProvisioningEndDate / DurationDays are obligations checked until the end', async () => {
    const obligation = { rule: 'obligation' as const };
    const date = { leftOperand: 'DataProvisioningEndDate', operator: 'eq', rightOperand: '2025-07-01T00:00:00Z' };
    expect((await run(date, memberContext(), 'transfer.process', obligation)).allowed).toBe(true);
    expect((await run({ ...date, rightOperand: '2025-05-01T00:00:00Z' }, memberContext(), 'transfer.process', obligation)).allowed).toBe(false);
    const days = { leftOperand: 'DataProvisioningEndDurationDays', operator: 'eq', rightOperand: '5' };
    expect((await run(days, signed(1), 'policy.monitor', obligation)).allowed).toBe(true);
    expect((await run(days, signed(6), 'policy.monitor', obligation)).allowed).toBe(false);
  });
});

describe('legacy Dismantler', () => {
  const dismantlerVc = { type: ['VerifiableCredential', 'DismantlerCredential'], credentialSubject: { activityType: 'vehicleDismantle', allowedVehicleBrands: ['Audi', 'BMW'] } };
  it('checks the DismantlerCredential and its claims', async () => {
    expect((await run({ leftOperand: 'Dismantler', operator: 'eq', rightOperand: 'active' }, context([dismantlerVc]), 'catalog')).allowed).toBe(true);
    expect((await run({ leftOperand: 'Dismantler', operator: 'eq', rightOperand: 'active' }, context([]), 'catalog')).allowed).toBe(false);
    const brands = { leftOperand: 'https://w3id.org/catenax/policy/Dismantler.allowedBrands', operator: 'isAnyOf', rightOperand: ['BMW'] };
    expect((await run(brands, context([dismantlerVc]), 'catalog')).allowed).toBe(true);
    expect((await run({ ...brands, rightOperand: ['Tesla'] }, context([dismantlerVc]), 'catalog')).allowed).toBe(false);
  });
});

describe('every contractual constraint: agreed value accepted, wrong value refused', () => {
  const cases: [string, string, unknown, 'permission' | 'prohibition' | 'obligation', PolicyScope][] = [
    ['UsagePurpose', 'isAnyOf', ['cx.pcf.base:1'], 'permission', 'contract.negotiation'],
    ['ContractReference', 'isAllOf', ['contract-1'], 'permission', 'transfer.process'],
    ['AffiliatesRegion', 'isAnyOf', ['cx.region.europe:1'], 'prohibition', 'contract.negotiation'],
    ['AffiliatesBpnl', 'isAnyOf', ['BPNL000000000001'], 'permission', 'contract.negotiation'],
    ['UsageRestriction', 'isAllOf', ['cx.thirdParty.forbidden:1'], 'prohibition', 'transfer.process'],
    ['DataFrequency', 'eq', 'cx.dataFrequency.unlimited:1', 'permission', 'contract.negotiation'],
    ['VersionChanges', 'eq', 'cx.versionChanges.major:1', 'permission', 'contract.negotiation'],
    ['ContractTermination', 'eq', 'cx.data.keeping:1', 'permission', 'contract.negotiation'],
    ['ConfidentialInformationMeasures', 'eq', 'cx.confidentiality.measures:1', 'permission', 'contract.negotiation'],
    ['ConfidentialInformationSharing', 'isAnyOf', ['cx.sharing.managedLegalEntity:1'], 'permission', 'contract.negotiation'],
    ['ExclusiveUsage', 'eq', 'cx.exclusiveUsage.dataConsumer:1', 'permission', 'contract.negotiation'],
    ['Warranty', 'eq', 'cx.warranty.dataQualityIssues:1', 'permission', 'contract.negotiation'],
    ['WarrantyDefinition', 'eq', 'cx.warranty.contractEndDate:1', 'permission', 'contract.negotiation'],
    ['WarrantyDurationMonths', 'eq', '24', 'permission', 'contract.negotiation'],
    ['Liability', 'eq', 'cx.slightNegligence:1', 'permission', 'contract.negotiation'],
    ['JurisdictionLocation', 'eq', 'Stuttgart', 'permission', 'contract.negotiation'],
    ['JurisdictionLocationReference', 'eq', 'cx.location.contractReference:1', 'permission', 'contract.negotiation'],
    ['Precedence', 'eq', 'cx.precedence.rcAgreement:1', 'permission', 'contract.negotiation'],
    ['DataUsageEndDefinition', 'eq', 'cx.dataUsageEnd.unlimited:1', 'permission', 'policy.monitor'],
  ];

  it.each(cases)('%s', async (name, operator, rightOperand, rule, scope) => {
    const good = await run({ leftOperand: name, operator, rightOperand }, context([]), scope, { rule });
    expect(good.c).toMatchObject({ function: name, verdict: 'contractual' });
    expect(good.allowed).toBe(true);
    const wrongValue = Array.isArray(rightOperand) ? ['cx.unknown.value:1', ''] : 'cx.unknown.value:0';
    const bad = await run({ leftOperand: name, operator: operator === 'eq' ? 'neq' : 'eq', rightOperand: wrongValue }, context([]), scope, { rule });
    expect(bad.c.verdict).toBe('error');
    expect(bad.allowed).toBe(false);
  });
});
